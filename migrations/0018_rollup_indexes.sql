CREATE INDEX "event_rsvps_created_at_idx" ON "event_rsvps" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "users_created_at_idx" ON "users" USING btree ("created_at");