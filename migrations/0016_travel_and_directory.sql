CREATE TABLE "school_teachers" (
	"school_id" integer NOT NULL,
	"teacher_id" integer NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "school_teachers_school_id_teacher_id_pk" PRIMARY KEY("school_id","teacher_id")
);
--> statement-breakpoint
CREATE TABLE "schools" (
	"id" serial PRIMARY KEY NOT NULL,
	"owner_id" integer NOT NULL,
	"venue_id" integer,
	"name" varchar NOT NULL,
	"description" text NOT NULL,
	"address" text,
	"city" varchar NOT NULL,
	"country" varchar NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"styles" text[] DEFAULT '{}'::text[] NOT NULL,
	"website" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"geo" "point" GENERATED ALWAYS AS (CASE WHEN "latitude" IS NOT NULL AND "longitude" IS NOT NULL THEN point("longitude", "latitude") END) STORED,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("name", ''))), 'A') || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("city", ''))), 'B') || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("description", ''))), 'C')) STORED,
	CONSTRAINT "schools_styles_check" CHECK ("schools"."styles" <@ ARRAY['salon', 'milonguero', 'nuevo', 'vals', 'milonga']::text[]),
	CONSTRAINT "schools_coordinates_check" CHECK (("schools"."latitude" IS NULL) = ("schools"."longitude" IS NULL)
      AND ("schools"."latitude" IS NULL OR ("schools"."latitude" BETWEEN -90 AND 90 AND "schools"."longitude" BETWEEN -180 AND 180)))
);
--> statement-breakpoint
CREATE TABLE "teacher_locations" (
	"id" serial PRIMARY KEY NOT NULL,
	"teacher_id" integer NOT NULL,
	"city" varchar NOT NULL,
	"country" varchar NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"note" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"during" daterange GENERATED ALWAYS AS (daterange("starts_on", "ends_on", '[]')) STORED,
	"geo" "point" GENERATED ALWAYS AS (CASE WHEN "latitude" IS NOT NULL AND "longitude" IS NOT NULL THEN point("longitude", "latitude") END) STORED,
	CONSTRAINT "teacher_locations_dates_check" CHECK ("teacher_locations"."ends_on" >= "teacher_locations"."starts_on"),
	CONSTRAINT "teacher_locations_coordinates_check" CHECK (("teacher_locations"."latitude" IS NULL) = ("teacher_locations"."longitude" IS NULL)
      AND ("teacher_locations"."latitude" IS NULL OR ("teacher_locations"."latitude" BETWEEN -90 AND 90 AND "teacher_locations"."longitude" BETWEEN -180 AND 180)))
);
--> statement-breakpoint
CREATE TABLE "teacher_profiles" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"headline" varchar NOT NULL,
	"bio" text NOT NULL,
	"styles" text[] NOT NULL,
	"levels" text[] NOT NULL,
	"languages" text[] NOT NULL,
	"city" varchar NOT NULL,
	"country" varchar NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"private_lessons" boolean DEFAULT false NOT NULL,
	"private_rate" integer,
	"group_rate" integer,
	"currency" varchar(3),
	"website" text,
	"student_count" integer DEFAULT 0 NOT NULL,
	"review_count" integer DEFAULT 0 NOT NULL,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"geo" "point" GENERATED ALWAYS AS (CASE WHEN "latitude" IS NOT NULL AND "longitude" IS NOT NULL THEN point("longitude", "latitude") END) STORED,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("headline", ''))), 'A') || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("city", ''))), 'B') || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("bio", ''))), 'C')) STORED,
	CONSTRAINT "teacher_profiles_styles_check" CHECK (cardinality("teacher_profiles"."styles") >= 1 AND "teacher_profiles"."styles" <@ ARRAY['salon', 'milonguero', 'nuevo', 'vals', 'milonga']::text[]),
	CONSTRAINT "teacher_profiles_levels_check" CHECK ("teacher_profiles"."levels" <@ ARRAY['beginner', 'intermediate', 'advanced', 'professional']::text[]),
	CONSTRAINT "teacher_profiles_rates_check" CHECK (coalesce("teacher_profiles"."private_rate", 0) >= 0 AND coalesce("teacher_profiles"."group_rate", 0) >= 0),
	CONSTRAINT "teacher_profiles_counts_check" CHECK ("teacher_profiles"."student_count" >= 0 AND "teacher_profiles"."review_count" >= 0 AND "teacher_profiles"."rating_sum" >= 0),
	CONSTRAINT "teacher_profiles_coordinates_check" CHECK (("teacher_profiles"."latitude" IS NULL) = ("teacher_profiles"."longitude" IS NULL)
      AND ("teacher_profiles"."latitude" IS NULL OR ("teacher_profiles"."latitude" BETWEEN -90 AND 90 AND "teacher_profiles"."longitude" BETWEEN -180 AND 180)))
);
--> statement-breakpoint
CREATE TABLE "teacher_reviews" (
	"id" serial PRIMARY KEY NOT NULL,
	"teacher_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"rating" smallint NOT NULL,
	"comment" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "teacher_reviews_rating_check" CHECK ("teacher_reviews"."rating" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TABLE "teacher_students" (
	"id" serial PRIMARY KEY NOT NULL,
	"teacher_id" integer NOT NULL,
	"student_id" integer NOT NULL,
	"status" varchar DEFAULT 'pending' NOT NULL,
	"message" text,
	"responded_at" timestamp,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "teacher_students_status_check" CHECK ("teacher_students"."status" IN ('pending', 'approved', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "venue_reviews" (
	"id" serial PRIMARY KEY NOT NULL,
	"venue_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"rating" smallint NOT NULL,
	"comment" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "venue_reviews_rating_check" CHECK ("venue_reviews"."rating" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TABLE "venues" (
	"id" serial PRIMARY KEY NOT NULL,
	"created_by" integer NOT NULL,
	"name" varchar NOT NULL,
	"description" text NOT NULL,
	"address" text NOT NULL,
	"city" varchar NOT NULL,
	"country" varchar NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"floor" varchar,
	"capacity" integer,
	"regular_nights" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"website" text,
	"image_url" text,
	"review_count" integer DEFAULT 0 NOT NULL,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"geo" "point" GENERATED ALWAYS AS (CASE WHEN "latitude" IS NOT NULL AND "longitude" IS NOT NULL THEN point("longitude", "latitude") END) STORED,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("name", ''))), 'A') || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("city", ''))), 'B') || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("description", ''))), 'C')) STORED,
	CONSTRAINT "venues_floor_check" CHECK ("venues"."floor" IS NULL OR "venues"."floor" IN ('wood', 'parquet', 'marble', 'tile', 'concrete', 'other')),
	CONSTRAINT "venues_capacity_check" CHECK ("venues"."capacity" IS NULL OR "venues"."capacity" BETWEEN 1 AND 100000),
	CONSTRAINT "venues_counts_check" CHECK ("venues"."review_count" >= 0 AND "venues"."rating_sum" >= 0),
	CONSTRAINT "venues_coordinates_check" CHECK (("venues"."latitude" IS NULL) = ("venues"."longitude" IS NULL)
      AND ("venues"."latitude" IS NULL OR ("venues"."latitude" BETWEEN -90 AND 90 AND "venues"."longitude" BETWEEN -180 AND 180)))
);
--> statement-breakpoint
CREATE TABLE "guest_bookings" (
	"id" serial PRIMARY KEY NOT NULL,
	"home_id" integer NOT NULL,
	"guest_id" integer NOT NULL,
	"check_in" date NOT NULL,
	"check_out" date NOT NULL,
	"guests" smallint NOT NULL,
	"message" text NOT NULL,
	"rules_accepted_at" timestamp NOT NULL,
	"house_rules" text NOT NULL,
	"nights" smallint NOT NULL,
	"price_per_night" integer NOT NULL,
	"total_price" integer NOT NULL,
	"currency" varchar(3) NOT NULL,
	"status" varchar DEFAULT 'pending' NOT NULL,
	"host_message" text,
	"responded_at" timestamp,
	"cancelled_at" timestamp,
	"completed_at" timestamp,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"stay" daterange GENERATED ALWAYS AS (daterange("check_in", "check_out", '[)')) STORED,
	CONSTRAINT "guest_bookings_status_check" CHECK ("guest_bookings"."status" IN ('pending', 'approved', 'rejected', 'cancelled', 'completed')),
	CONSTRAINT "guest_bookings_dates_check" CHECK ("guest_bookings"."check_out" > "guest_bookings"."check_in" AND "guest_bookings"."check_out" - "guest_bookings"."check_in" <= 90),
	CONSTRAINT "guest_bookings_guests_check" CHECK ("guest_bookings"."guests" BETWEEN 1 AND 50),
	CONSTRAINT "guest_bookings_price_check" CHECK ("guest_bookings"."price_per_night" >= 0 AND "guest_bookings"."total_price" = "guest_bookings"."price_per_night" * "guest_bookings"."nights"),
	CONSTRAINT "guest_bookings_nights_check" CHECK ("guest_bookings"."nights" = "guest_bookings"."check_out" - "guest_bookings"."check_in")
);
--> statement-breakpoint
CREATE TABLE "host_home_blocked_dates" (
	"id" serial PRIMARY KEY NOT NULL,
	"home_id" integer NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"reason" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"during" daterange GENERATED ALWAYS AS (daterange("starts_on", "ends_on", '[)')) STORED,
	CONSTRAINT "host_home_blocked_dates_range_check" CHECK ("host_home_blocked_dates"."ends_on" > "host_home_blocked_dates"."starts_on")
);
--> statement-breakpoint
CREATE TABLE "host_home_photos" (
	"id" serial PRIMARY KEY NOT NULL,
	"home_id" integer NOT NULL,
	"url" text NOT NULL,
	"caption" text,
	"position" smallint NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "host_homes" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"title" varchar NOT NULL,
	"description" text NOT NULL,
	"address" text NOT NULL,
	"city" varchar NOT NULL,
	"country" varchar NOT NULL,
	"latitude" double precision NOT NULL,
	"longitude" double precision NOT NULL,
	"amenities" text[] DEFAULT '{}'::text[] NOT NULL,
	"max_guests" smallint NOT NULL,
	"price_per_night" integer NOT NULL,
	"currency" varchar(3) NOT NULL,
	"house_rules" text NOT NULL,
	"booking_policy" varchar DEFAULT 'anyone' NOT NULL,
	"status" varchar DEFAULT 'active' NOT NULL,
	"review_count" integer DEFAULT 0 NOT NULL,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"geo" "point" GENERATED ALWAYS AS (point("longitude", "latitude")) STORED,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("title", ''))), 'A')
    || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("city", '') || ' ' || coalesce("country", ''))), 'B')
    || setweight(to_tsvector('simple'::regconfig, mt_unaccent(coalesce("description", ''))), 'C')) STORED,
	CONSTRAINT "host_homes_booking_policy_check" CHECK ("host_homes"."booking_policy" IN ('anyone', 'friends', 'friends_of_friends')),
	CONSTRAINT "host_homes_status_check" CHECK ("host_homes"."status" IN ('active', 'paused')),
	CONSTRAINT "host_homes_guests_check" CHECK ("host_homes"."max_guests" BETWEEN 1 AND 50),
	CONSTRAINT "host_homes_price_check" CHECK ("host_homes"."price_per_night" >= 0),
	CONSTRAINT "host_homes_coordinates_check" CHECK ("host_homes"."latitude" BETWEEN -90 AND 90 AND "host_homes"."longitude" BETWEEN -180 AND 180),
	CONSTRAINT "host_homes_reviews_check" CHECK ("host_homes"."review_count" >= 0 AND "host_homes"."rating_sum" >= 0)
);
--> statement-breakpoint
CREATE TABLE "housing_reviews" (
	"id" serial PRIMARY KEY NOT NULL,
	"booking_id" integer NOT NULL,
	"home_id" integer NOT NULL,
	"reviewer_id" integer NOT NULL,
	"reviewee_id" integer NOT NULL,
	"direction" varchar NOT NULL,
	"rating" smallint NOT NULL,
	"comment" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "housing_reviews_direction_check" CHECK ("housing_reviews"."direction" IN ('guest_to_home', 'host_to_guest')),
	CONSTRAINT "housing_reviews_rating_check" CHECK ("housing_reviews"."rating" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TABLE "trips" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"city" varchar NOT NULL,
	"country" varchar NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"note" text,
	"visibility" varchar DEFAULT 'friends' NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"during" daterange GENERATED ALWAYS AS (daterange("starts_on", "ends_on", '[]')) STORED,
	"geo" "point" GENERATED ALWAYS AS (CASE WHEN "latitude" IS NOT NULL AND "longitude" IS NOT NULL THEN point("longitude", "latitude") END) STORED,
	CONSTRAINT "trips_visibility_check" CHECK ("trips"."visibility" IN ('public', 'friends', 'private')),
	CONSTRAINT "trips_dates_check" CHECK ("trips"."ends_on" >= "trips"."starts_on" AND "trips"."ends_on" - "trips"."starts_on" <= 365),
	CONSTRAINT "trips_coordinates_check" CHECK (("trips"."latitude" IS NULL) = ("trips"."longitude" IS NULL)
        AND ("trips"."latitude" IS NULL OR ("trips"."latitude" BETWEEN -90 AND 90 AND "trips"."longitude" BETWEEN -180 AND 180)))
);
--> statement-breakpoint
CREATE TABLE "volunteer_assignments" (
	"id" serial PRIMARY KEY NOT NULL,
	"task_id" integer NOT NULL,
	"volunteer_id" integer NOT NULL,
	"status" varchar DEFAULT 'applied' NOT NULL,
	"message" text,
	"responded_at" timestamp,
	"checked_in_at" timestamp,
	"minutes_logged" integer,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "volunteer_assignments_status_check" CHECK ("volunteer_assignments"."status" IN ('applied', 'accepted', 'declined', 'withdrawn', 'checked_in', 'completed', 'no_show')),
	CONSTRAINT "volunteer_assignments_minutes_check" CHECK ("volunteer_assignments"."minutes_logged" IS NULL OR "volunteer_assignments"."minutes_logged" BETWEEN 0 AND 1440)
);
--> statement-breakpoint
CREATE TABLE "volunteer_availability" (
	"id" serial PRIMARY KEY NOT NULL,
	"volunteer_id" integer NOT NULL,
	"weekday" smallint NOT NULL,
	"start_time" varchar(5) NOT NULL,
	"end_time" varchar(5) NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "volunteer_availability_weekday_check" CHECK ("volunteer_availability"."weekday" BETWEEN 0 AND 6),
	CONSTRAINT "volunteer_availability_times_check" CHECK ("volunteer_availability"."start_time" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND "volunteer_availability"."end_time" ~ '^([01][0-9]|2[0-4]):[0-5][0-9]$' AND "volunteer_availability"."end_time" > "volunteer_availability"."start_time")
);
--> statement-breakpoint
CREATE TABLE "volunteer_blocked_dates" (
	"id" serial PRIMARY KEY NOT NULL,
	"volunteer_id" integer NOT NULL,
	"day" date NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteer_experiences" (
	"id" serial PRIMARY KEY NOT NULL,
	"volunteer_id" integer NOT NULL,
	"role" varchar NOT NULL,
	"organization" varchar NOT NULL,
	"description" text,
	"skills" text[] DEFAULT '{}'::text[] NOT NULL,
	"started_on" date NOT NULL,
	"ended_on" date,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "volunteer_experiences_dates_check" CHECK ("volunteer_experiences"."ended_on" IS NULL OR "volunteer_experiences"."ended_on" >= "volunteer_experiences"."started_on")
);
--> statement-breakpoint
CREATE TABLE "volunteer_tasks" (
	"id" serial PRIMARY KEY NOT NULL,
	"created_by" integer NOT NULL,
	"event_id" integer,
	"group_id" integer,
	"title" varchar NOT NULL,
	"description" text NOT NULL,
	"skills_needed" text[] NOT NULL,
	"starts_at" timestamp NOT NULL,
	"ends_at" timestamp NOT NULL,
	"timezone" varchar DEFAULT 'UTC' NOT NULL,
	"location" text NOT NULL,
	"city" varchar,
	"country" varchar,
	"latitude" double precision,
	"longitude" double precision,
	"seats" smallint NOT NULL,
	"seats_taken" smallint DEFAULT 0 NOT NULL,
	"application_count" integer DEFAULT 0 NOT NULL,
	"status" varchar DEFAULT 'open' NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"geo" "point" GENERATED ALWAYS AS (CASE WHEN "latitude" IS NOT NULL AND "longitude" IS NOT NULL THEN point("longitude", "latitude") END) STORED,
	CONSTRAINT "volunteer_tasks_status_check" CHECK ("volunteer_tasks"."status" IN ('open', 'cancelled', 'completed')),
	CONSTRAINT "volunteer_tasks_times_check" CHECK ("volunteer_tasks"."ends_at" > "volunteer_tasks"."starts_at"),
	CONSTRAINT "volunteer_tasks_seats_check" CHECK ("volunteer_tasks"."seats" BETWEEN 1 AND 1000 AND "volunteer_tasks"."seats_taken" BETWEEN 0 AND "volunteer_tasks"."seats"),
	CONSTRAINT "volunteer_tasks_skills_check" CHECK (cardinality("volunteer_tasks"."skills_needed") >= 1),
	CONSTRAINT "volunteer_tasks_counts_check" CHECK ("volunteer_tasks"."application_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "volunteers" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"bio" text,
	"skills" text[] NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"city" varchar,
	"country" varchar,
	"latitude" double precision,
	"longitude" double precision,
	"timezone" varchar DEFAULT 'UTC' NOT NULL,
	"tasks_completed" integer DEFAULT 0 NOT NULL,
	"no_shows" integer DEFAULT 0 NOT NULL,
	"minutes_logged" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"geo" "point" GENERATED ALWAYS AS (CASE WHEN "latitude" IS NOT NULL AND "longitude" IS NOT NULL THEN point("longitude", "latitude") END) STORED,
	CONSTRAINT "volunteers_counts_check" CHECK ("volunteers"."tasks_completed" >= 0 AND "volunteers"."no_shows" >= 0 AND "volunteers"."minutes_logged" >= 0),
	CONSTRAINT "volunteers_coordinates_check" CHECK (("volunteers"."latitude" IS NULL) = ("volunteers"."longitude" IS NULL)
        AND ("volunteers"."latitude" IS NULL OR ("volunteers"."latitude" BETWEEN -90 AND 90 AND "volunteers"."longitude" BETWEEN -180 AND 180)))
);
--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "venue_id" integer;--> statement-breakpoint
ALTER TABLE "school_teachers" ADD CONSTRAINT "school_teachers_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_teachers" ADD CONSTRAINT "school_teachers_teacher_id_teacher_profiles_id_fk" FOREIGN KEY ("teacher_id") REFERENCES "public"."teacher_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schools" ADD CONSTRAINT "schools_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schools" ADD CONSTRAINT "schools_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teacher_locations" ADD CONSTRAINT "teacher_locations_teacher_id_teacher_profiles_id_fk" FOREIGN KEY ("teacher_id") REFERENCES "public"."teacher_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teacher_profiles" ADD CONSTRAINT "teacher_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teacher_reviews" ADD CONSTRAINT "teacher_reviews_teacher_id_teacher_profiles_id_fk" FOREIGN KEY ("teacher_id") REFERENCES "public"."teacher_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teacher_reviews" ADD CONSTRAINT "teacher_reviews_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teacher_students" ADD CONSTRAINT "teacher_students_teacher_id_teacher_profiles_id_fk" FOREIGN KEY ("teacher_id") REFERENCES "public"."teacher_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teacher_students" ADD CONSTRAINT "teacher_students_student_id_users_id_fk" FOREIGN KEY ("student_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "venue_reviews" ADD CONSTRAINT "venue_reviews_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "venue_reviews" ADD CONSTRAINT "venue_reviews_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "venues" ADD CONSTRAINT "venues_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guest_bookings" ADD CONSTRAINT "guest_bookings_home_id_host_homes_id_fk" FOREIGN KEY ("home_id") REFERENCES "public"."host_homes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guest_bookings" ADD CONSTRAINT "guest_bookings_guest_id_users_id_fk" FOREIGN KEY ("guest_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "host_home_blocked_dates" ADD CONSTRAINT "host_home_blocked_dates_home_id_host_homes_id_fk" FOREIGN KEY ("home_id") REFERENCES "public"."host_homes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "host_home_photos" ADD CONSTRAINT "host_home_photos_home_id_host_homes_id_fk" FOREIGN KEY ("home_id") REFERENCES "public"."host_homes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "host_homes" ADD CONSTRAINT "host_homes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "housing_reviews" ADD CONSTRAINT "housing_reviews_booking_id_guest_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."guest_bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "housing_reviews" ADD CONSTRAINT "housing_reviews_home_id_host_homes_id_fk" FOREIGN KEY ("home_id") REFERENCES "public"."host_homes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "housing_reviews" ADD CONSTRAINT "housing_reviews_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "housing_reviews" ADD CONSTRAINT "housing_reviews_reviewee_id_users_id_fk" FOREIGN KEY ("reviewee_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trips" ADD CONSTRAINT "trips_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_assignments" ADD CONSTRAINT "volunteer_assignments_task_id_volunteer_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."volunteer_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_assignments" ADD CONSTRAINT "volunteer_assignments_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_availability" ADD CONSTRAINT "volunteer_availability_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_blocked_dates" ADD CONSTRAINT "volunteer_blocked_dates_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_experiences" ADD CONSTRAINT "volunteer_experiences_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_tasks" ADD CONSTRAINT "volunteer_tasks_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_tasks" ADD CONSTRAINT "volunteer_tasks_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_tasks" ADD CONSTRAINT "volunteer_tasks_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteers" ADD CONSTRAINT "volunteers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "school_teachers_teacher_idx" ON "school_teachers" USING btree ("teacher_id");--> statement-breakpoint
CREATE INDEX "schools_city_idx" ON "schools" USING btree ("city","id");--> statement-breakpoint
CREATE INDEX "schools_owner_idx" ON "schools" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "schools_geo_idx" ON "schools" USING gist ("geo");--> statement-breakpoint
CREATE INDEX "schools_search_idx" ON "schools" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "teacher_locations_teacher_idx" ON "teacher_locations" USING btree ("teacher_id","starts_on");--> statement-breakpoint
CREATE INDEX "teacher_locations_city_during_idx" ON "teacher_locations" USING gist ("city","during");--> statement-breakpoint
CREATE INDEX "teacher_locations_geo_idx" ON "teacher_locations" USING gist ("geo");--> statement-breakpoint
CREATE UNIQUE INDEX "teacher_profiles_user_idx" ON "teacher_profiles" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "teacher_profiles_city_idx" ON "teacher_profiles" USING btree ("city","id");--> statement-breakpoint
CREATE INDEX "teacher_profiles_geo_idx" ON "teacher_profiles" USING gist ("geo");--> statement-breakpoint
CREATE INDEX "teacher_profiles_search_idx" ON "teacher_profiles" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "teacher_profiles_styles_idx" ON "teacher_profiles" USING gin ("styles");--> statement-breakpoint
CREATE INDEX "teacher_profiles_languages_idx" ON "teacher_profiles" USING gin ("languages");--> statement-breakpoint
CREATE UNIQUE INDEX "teacher_reviews_pair_idx" ON "teacher_reviews" USING btree ("teacher_id","user_id");--> statement-breakpoint
CREATE INDEX "teacher_reviews_teacher_idx" ON "teacher_reviews" USING btree ("teacher_id","id");--> statement-breakpoint
CREATE INDEX "teacher_reviews_user_idx" ON "teacher_reviews" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "teacher_students_pair_idx" ON "teacher_students" USING btree ("teacher_id","student_id");--> statement-breakpoint
CREATE INDEX "teacher_students_student_idx" ON "teacher_students" USING btree ("student_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "venue_reviews_pair_idx" ON "venue_reviews" USING btree ("venue_id","user_id");--> statement-breakpoint
CREATE INDEX "venue_reviews_venue_idx" ON "venue_reviews" USING btree ("venue_id","id");--> statement-breakpoint
CREATE INDEX "venue_reviews_user_idx" ON "venue_reviews" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "venues_city_idx" ON "venues" USING btree ("city","id");--> statement-breakpoint
CREATE INDEX "venues_created_by_idx" ON "venues" USING btree ("created_by");--> statement-breakpoint
CREATE INDEX "venues_geo_idx" ON "venues" USING gist ("geo");--> statement-breakpoint
CREATE INDEX "venues_search_idx" ON "venues" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "guest_bookings_home_idx" ON "guest_bookings" USING btree ("home_id","check_in");--> statement-breakpoint
CREATE INDEX "guest_bookings_guest_idx" ON "guest_bookings" USING btree ("guest_id","id");--> statement-breakpoint
CREATE INDEX "guest_bookings_checkout_idx" ON "guest_bookings" USING btree ("check_out") WHERE status = 'approved';--> statement-breakpoint
CREATE INDEX "host_home_blocked_dates_during_idx" ON "host_home_blocked_dates" USING gist ("home_id","during");--> statement-breakpoint
CREATE UNIQUE INDEX "host_home_photos_position_idx" ON "host_home_photos" USING btree ("home_id","position");--> statement-breakpoint
CREATE INDEX "host_homes_user_idx" ON "host_homes" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "host_homes_city_idx" ON "host_homes" USING btree ("city","id") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "host_homes_geo_idx" ON "host_homes" USING gist ("geo");--> statement-breakpoint
CREATE INDEX "host_homes_search_idx" ON "host_homes" USING gin ("search_vector");--> statement-breakpoint
CREATE UNIQUE INDEX "housing_reviews_booking_direction_idx" ON "housing_reviews" USING btree ("booking_id","direction");--> statement-breakpoint
CREATE INDEX "housing_reviews_home_idx" ON "housing_reviews" USING btree ("home_id","id") WHERE direction = 'guest_to_home';--> statement-breakpoint
CREATE INDEX "housing_reviews_reviewee_idx" ON "housing_reviews" USING btree ("reviewee_id","id");--> statement-breakpoint
CREATE INDEX "trips_user_idx" ON "trips" USING btree ("user_id","starts_on");--> statement-breakpoint
CREATE INDEX "trips_city_during_idx" ON "trips" USING gist ("city","during");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteer_assignments_pair_idx" ON "volunteer_assignments" USING btree ("task_id","volunteer_id");--> statement-breakpoint
CREATE INDEX "volunteer_assignments_volunteer_idx" ON "volunteer_assignments" USING btree ("volunteer_id","id");--> statement-breakpoint
CREATE INDEX "volunteer_availability_volunteer_idx" ON "volunteer_availability" USING btree ("volunteer_id","weekday");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteer_blocked_dates_day_idx" ON "volunteer_blocked_dates" USING btree ("volunteer_id","day");--> statement-breakpoint
CREATE INDEX "volunteer_experiences_volunteer_idx" ON "volunteer_experiences" USING btree ("volunteer_id","started_on");--> statement-breakpoint
CREATE INDEX "volunteer_tasks_event_idx" ON "volunteer_tasks" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "volunteer_tasks_group_idx" ON "volunteer_tasks" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "volunteer_tasks_created_by_idx" ON "volunteer_tasks" USING btree ("created_by");--> statement-breakpoint
CREATE INDEX "volunteer_tasks_open_idx" ON "volunteer_tasks" USING btree ("starts_at","id") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "volunteer_tasks_skills_idx" ON "volunteer_tasks" USING gin ("skills_needed");--> statement-breakpoint
CREATE INDEX "volunteer_tasks_geo_idx" ON "volunteer_tasks" USING gist ("geo");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteers_user_idx" ON "volunteers" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "volunteers_skills_idx" ON "volunteers" USING gin ("skills");--> statement-breakpoint
CREATE INDEX "volunteers_geo_idx" ON "volunteers" USING gist ("geo");--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_venue_idx" ON "events" USING btree ("venue_id","start_date");--> statement-breakpoint
-- Two pending or approved stays of one home never overlap, whatever order requests arrive in:
-- the database refuses the second (SQLSTATE 23P01, answered 409). Stays are '[)' ranges, so a
-- checkout day may be the next guest's check-in day. (drizzle cannot declare an exclusion
-- constraint; it lives here, and a schema test checks it is in place.)
ALTER TABLE "guest_bookings" ADD CONSTRAINT "guest_bookings_no_overlap"
  EXCLUDE USING gist ("home_id" WITH =, "stay" WITH &&) WHERE ("status" IN ('pending', 'approved'));
