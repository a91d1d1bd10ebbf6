CREATE TABLE "calendar_feeds" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"token_hash" varchar(64) NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_feeds_token_idx" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "event_analytics" (
	"event_id" integer NOT NULL,
	"day" date NOT NULL,
	"views" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "event_analytics_event_id_day_pk" PRIMARY KEY("event_id","day")
);
--> statement-breakpoint
CREATE TABLE "event_attendees" (
	"event_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"method" varchar NOT NULL,
	"ticket_id" integer,
	"checked_in_by" integer,
	"checked_in_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "event_attendees_event_id_user_id_pk" PRIMARY KEY("event_id","user_id"),
	CONSTRAINT "event_attendees_method_check" CHECK ("event_attendees"."method" IN ('user', 'ticket'))
);
--> statement-breakpoint
CREATE TABLE "event_co_organizers" (
	"event_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"added_by" integer,
	"created_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "event_co_organizers_event_id_user_id_pk" PRIMARY KEY("event_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "event_photos" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"url" text NOT NULL,
	"caption" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"hidden_at" timestamp
);
--> statement-breakpoint
CREATE TABLE "event_reminders" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"kind" varchar(8) NOT NULL,
	"starts_at" timestamp NOT NULL,
	"sent_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "event_reminders_kind_check" CHECK ("event_reminders"."kind" IN ('24h', '1h'))
);
--> statement-breakpoint
CREATE TABLE "event_reviews" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"rating" smallint NOT NULL,
	"text" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"hidden_at" timestamp,
	CONSTRAINT "event_reviews_rating_check" CHECK ("event_reviews"."rating" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TABLE "event_series" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"group_id" integer,
	"title" varchar NOT NULL,
	"description" text NOT NULL,
	"image_url" text,
	"event_type" varchar NOT NULL,
	"location" text NOT NULL,
	"venue" varchar,
	"address" text,
	"city" varchar,
	"country" varchar,
	"latitude" text,
	"longitude" text,
	"is_online" boolean DEFAULT false NOT NULL,
	"meeting_url" text,
	"is_paid" boolean DEFAULT false NOT NULL,
	"price" text,
	"currency" varchar(3),
	"max_attendees" integer,
	"max_leaders" integer,
	"max_followers" integer,
	"tags" text[],
	"status" varchar DEFAULT 'published' NOT NULL,
	"timezone" varchar NOT NULL,
	"frequency" varchar NOT NULL,
	"interval" smallint DEFAULT 1 NOT NULL,
	"weekday" smallint NOT NULL,
	"ordinal" smallint,
	"start_time" varchar(5) NOT NULL,
	"duration_minutes" integer NOT NULL,
	"starts_on" date NOT NULL,
	"until" date,
	"materialized_until" date,
	"sequence" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "event_series_frequency_check" CHECK ("event_series"."frequency" IN ('weekly', 'monthly')),
	CONSTRAINT "event_series_weekday_check" CHECK ("event_series"."weekday" BETWEEN 0 AND 6),
	CONSTRAINT "event_series_ordinal_check" CHECK ("event_series"."ordinal" IS NULL OR "event_series"."ordinal" IN (-1, 1, 2, 3, 4)),
	CONSTRAINT "event_series_interval_check" CHECK ("event_series"."interval" BETWEEN 1 AND 12),
	CONSTRAINT "event_series_status_check" CHECK ("event_series"."status" IN ('draft', 'published', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "event_tickets" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"code" varchar(32) NOT NULL,
	"status" varchar DEFAULT 'active' NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"cancelled_at" timestamp,
	CONSTRAINT "event_tickets_status_check" CHECK ("event_tickets"."status" IN ('active', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "group_members" (
	"group_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"role" varchar(16) DEFAULT 'member' NOT NULL,
	"status" varchar(16) DEFAULT 'active' NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"approved_at" timestamp,
	"approved_by" integer,
	CONSTRAINT "group_members_group_id_user_id_pk" PRIMARY KEY("group_id","user_id"),
	CONSTRAINT "group_members_role_check" CHECK ("group_members"."role" IN ('member', 'moderator', 'admin')),
	CONSTRAINT "group_members_status_check" CHECK ("group_members"."status" IN ('active', 'pending'))
);
--> statement-breakpoint
CREATE TABLE "groups" (
	"id" serial PRIMARY KEY NOT NULL,
	"type" varchar(16) NOT NULL,
	"name" varchar(120) NOT NULL,
	"slug" varchar(140) NOT NULL,
	"description" text,
	"image_url" text,
	"city" varchar,
	"country" varchar,
	"city_key" varchar,
	"created_by" integer,
	"member_count" integer DEFAULT 0 NOT NULL,
	"hidden_at" timestamp,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "groups_type_check" CHECK ("groups"."type" IN ('city', 'interest', 'professional', 'private')),
	CONSTRAINT "groups_city_check" CHECK ("groups"."type" <> 'city' OR "groups"."city_key" IS NOT NULL),
	CONSTRAINT "groups_member_count_check" CHECK ("groups"."member_count" >= 0)
);
--> statement-breakpoint
ALTER TABLE "event_rsvps" ADD COLUMN "role" varchar;--> statement-breakpoint
ALTER TABLE "event_rsvps" ADD COLUMN "updated_at" timestamp DEFAULT now();--> statement-breakpoint
ALTER TABLE "event_rsvps" ADD COLUMN "queued_at" timestamp;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "max_leaders" integer;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "max_followers" integer;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "going_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "leaders_going" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "followers_going" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "interested_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "waitlist_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "timezone" varchar DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "series_id" integer;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "occurrence_on" date;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "detached" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "group_id" integer;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "sequence" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "views" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "cancelled_at" timestamp;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "hidden_at" timestamp;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "geo" "point" GENERATED ALWAYS AS (CASE WHEN "latitude" ~ '^-?[0-9]{1,2}(\.[0-9]+)?$' AND "longitude" ~ '^-?[0-9]{1,3}(\.[0-9]+)?$'
          THEN point("longitude"::float8, "latitude"::float8) END) STORED;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("title", ''))), 'A')
    || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("venue", '') || ' ' || coalesce("city", ''))), 'B')
    || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("description", ''))), 'C')) STORED;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "group_id" integer;--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_analytics" ADD CONSTRAINT "event_analytics_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_attendees" ADD CONSTRAINT "event_attendees_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_attendees" ADD CONSTRAINT "event_attendees_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_attendees" ADD CONSTRAINT "event_attendees_ticket_id_event_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."event_tickets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_attendees" ADD CONSTRAINT "event_attendees_checked_in_by_users_id_fk" FOREIGN KEY ("checked_in_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_co_organizers" ADD CONSTRAINT "event_co_organizers_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_co_organizers" ADD CONSTRAINT "event_co_organizers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_co_organizers" ADD CONSTRAINT "event_co_organizers_added_by_users_id_fk" FOREIGN KEY ("added_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_photos" ADD CONSTRAINT "event_photos_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_photos" ADD CONSTRAINT "event_photos_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_reminders" ADD CONSTRAINT "event_reminders_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_reminders" ADD CONSTRAINT "event_reminders_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_reviews" ADD CONSTRAINT "event_reviews_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_reviews" ADD CONSTRAINT "event_reviews_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_series" ADD CONSTRAINT "event_series_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_series" ADD CONSTRAINT "event_series_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_tickets" ADD CONSTRAINT "event_tickets_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_tickets" ADD CONSTRAINT "event_tickets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "groups" ADD CONSTRAINT "groups_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_attendees_user_idx" ON "event_attendees" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "event_co_organizers_user_idx" ON "event_co_organizers" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "event_photos_event_idx" ON "event_photos" USING btree ("event_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "event_reminders_once_idx" ON "event_reminders" USING btree ("event_id","user_id","kind","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "event_reviews_once_idx" ON "event_reviews" USING btree ("event_id","user_id");--> statement-breakpoint
CREATE INDEX "event_reviews_event_idx" ON "event_reviews" USING btree ("event_id","created_at","id");--> statement-breakpoint
CREATE INDEX "event_series_user_idx" ON "event_series" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "event_series_window_idx" ON "event_series" USING btree ("materialized_until") WHERE status = 'published';--> statement-breakpoint
CREATE UNIQUE INDEX "event_tickets_code_idx" ON "event_tickets" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "event_tickets_active_idx" ON "event_tickets" USING btree ("event_id","user_id") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "event_tickets_user_idx" ON "event_tickets" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "group_members_user_idx" ON "group_members" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "group_members_list_idx" ON "group_members" USING btree ("group_id","status","created_at","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "groups_slug_idx" ON "groups" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "groups_city_key_idx" ON "groups" USING btree ("city_key") WHERE type = 'city';--> statement-breakpoint
CREATE INDEX "groups_type_idx" ON "groups" USING btree ("type","member_count","id");--> statement-breakpoint
CREATE INDEX "groups_name_trgm_idx" ON "groups" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_series_id_event_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."event_series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_rsvps_event_status_idx" ON "event_rsvps" USING btree ("event_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "event_rsvps_waitlist_idx" ON "event_rsvps" USING btree ("event_id","queued_at","id") WHERE status = 'waitlisted';--> statement-breakpoint
CREATE INDEX "events_upcoming_idx" ON "events" USING btree ("start_date","id") WHERE status = 'published' AND hidden_at IS NULL;--> statement-breakpoint
CREATE INDEX "events_geo_idx" ON "events" USING gist ("geo");--> statement-breakpoint
CREATE INDEX "events_search_idx" ON "events" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "events_group_idx" ON "events" USING btree ("group_id","start_date");--> statement-breakpoint
CREATE UNIQUE INDEX "events_series_occurrence_idx" ON "events" USING btree ("series_id","occurrence_on");--> statement-breakpoint
CREATE INDEX "posts_group_idx" ON "posts" USING btree ("group_id","created_at","id") WHERE group_id IS NOT NULL;--> statement-breakpoint
-- Rows from before this migration: answers outside the new list become 'interested', types
-- outside it 'milonga'; the counters are counted from the RSVPs, and an event over its capacity
-- (the seed's data never is) gets the capacity it already has going.
UPDATE "event_rsvps" SET "status" = 'interested' WHERE "status" NOT IN ('going', 'interested', 'not_going');--> statement-breakpoint
UPDATE "events" SET "event_type" = 'milonga' WHERE "event_type" NOT IN ('milonga', 'practica', 'festival', 'workshop', 'class', 'marathon', 'encuentro');--> statement-breakpoint
UPDATE "events" SET "status" = 'published' WHERE "status" IS NULL OR "status" NOT IN ('draft', 'published', 'cancelled');--> statement-breakpoint
UPDATE "events" SET "end_date" = NULL WHERE "end_date" < "start_date";--> statement-breakpoint
UPDATE "events" e SET "going_count" = c.going, "interested_count" = c.interested,
  "max_attendees" = CASE WHEN e."max_attendees" < c.going THEN c.going ELSE e."max_attendees" END
FROM (SELECT "event_id", count(*) FILTER (WHERE "status" = 'going')::int AS going,
        count(*) FILTER (WHERE "status" = 'interested')::int AS interested
      FROM "event_rsvps" GROUP BY "event_id") c
WHERE c."event_id" = e."id";--> statement-breakpoint
ALTER TABLE "event_rsvps" ADD CONSTRAINT "event_rsvps_status_check" CHECK ("event_rsvps"."status" IN ('going', 'interested', 'not_going', 'waitlisted'));--> statement-breakpoint
ALTER TABLE "event_rsvps" ADD CONSTRAINT "event_rsvps_role_check" CHECK ("event_rsvps"."role" IS NULL OR "event_rsvps"."role" IN ('leader', 'follower'));--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_type_check" CHECK ("events"."event_type" IN ('milonga', 'practica', 'festival', 'workshop', 'class', 'marathon', 'encuentro'));--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_status_check" CHECK ("events"."status" IN ('draft', 'published', 'cancelled'));--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_dates_check" CHECK ("events"."end_date" IS NULL OR "events"."end_date" >= "events"."start_date");--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_counts_check" CHECK ("events"."going_count" >= 0 AND "events"."leaders_going" >= 0 AND "events"."followers_going" >= 0
        AND "events"."interested_count" >= 0 AND "events"."waitlist_count" >= 0);--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_capacity_check" CHECK ("events"."max_attendees" IS NULL OR "events"."going_count" <= "events"."max_attendees");--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_leaders_check" CHECK ("events"."max_leaders" IS NULL OR "events"."leaders_going" <= "events"."max_leaders");--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_followers_check" CHECK ("events"."max_followers" IS NULL OR "events"."followers_going" <= "events"."max_followers");--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_group_visibility_check" CHECK (("posts"."group_id" IS NULL) = (coalesce("posts"."visibility", 'public') <> 'group'));