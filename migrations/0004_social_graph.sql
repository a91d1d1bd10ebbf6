CREATE TABLE "friend_request_stories" (
	"friend_request_id" integer PRIMARY KEY NOT NULL,
	"did_we_dance" boolean DEFAULT false NOT NULL,
	"dance_location" text,
	"dance_event_id" integer,
	"dance_story" text,
	"updated_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_cursors" (
	"job" text PRIMARY KEY NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "friend_request_stories" ADD CONSTRAINT "friend_request_stories_friend_request_id_friend_requests_id_fk" FOREIGN KEY ("friend_request_id") REFERENCES "public"."friend_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "friend_request_stories" ADD CONSTRAINT "friend_request_stories_dance_event_id_events_id_fk" FOREIGN KEY ("dance_event_id") REFERENCES "public"."events"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_rsvps_going_idx" ON "event_rsvps" USING btree ("user_id","event_id") WHERE status = 'going';--> statement-breakpoint
CREATE INDEX "friend_requests_pending_in_idx" ON "friend_requests" USING btree ("receiver_id","created_at","id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "friend_requests_pending_out_idx" ON "friend_requests" USING btree ("sender_id","created_at","id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "follows_following_created_idx" ON "follows" USING btree ("following_id","created_at","id");--> statement-breakpoint
CREATE INDEX "follows_follower_created_idx" ON "follows" USING btree ("follower_id","created_at","id");--> statement-breakpoint
CREATE INDEX "post_likes_user_created_idx" ON "post_likes" USING btree ("user_id","created_at","post_id");--> statement-breakpoint
CREATE INDEX "users_city_idx" ON "users" USING btree ("city","id");