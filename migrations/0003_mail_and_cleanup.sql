ALTER TABLE "email_queue" ALTER COLUMN "max_attempts" SET DEFAULT 12;--> statement-breakpoint
ALTER TABLE "email_queue" ADD COLUMN "data" jsonb;--> statement-breakpoint
ALTER TABLE "email_queue" ADD COLUMN "expires_at" timestamp DEFAULT now() + interval '2 days';--> statement-breakpoint
CREATE INDEX "email_tokens_used_idx" ON "email_tokens" USING btree ("used_at") WHERE "email_tokens"."used_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "sessions_revoked_idx" ON "sessions" USING btree ("revoked_at") WHERE "sessions"."revoked_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "email_queue_sent_idx" ON "email_queue" USING btree ("sent_at") WHERE "email_queue"."status" = 'sent';--> statement-breakpoint
CREATE INDEX "email_queue_failed_idx" ON "email_queue" USING btree ("created_at") WHERE "email_queue"."status" = 'failed';--> statement-breakpoint
CREATE INDEX "notifications_read_updated_idx" ON "notifications" USING btree ("updated_at") WHERE "notifications"."is_read";