CREATE TABLE "job_cursors" (
	"job" text PRIMARY KEY NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "event_rsvps_going_idx" ON "event_rsvps" USING btree ("user_id","event_id") WHERE status = 'going';--> statement-breakpoint
CREATE INDEX "post_likes_user_created_idx" ON "post_likes" USING btree ("user_id","created_at","post_id");