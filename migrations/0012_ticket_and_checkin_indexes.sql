DROP INDEX "event_tickets_user_idx";--> statement-breakpoint
CREATE INDEX "event_attendees_checked_in_idx" ON "event_attendees" USING btree ("event_id","checked_in_at","user_id");--> statement-breakpoint
CREATE INDEX "event_tickets_user_created_idx" ON "event_tickets" USING btree ("user_id","created_at","id");