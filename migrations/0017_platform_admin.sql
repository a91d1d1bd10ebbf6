CREATE TABLE "agent_communications" (
	"id" serial PRIMARY KEY NOT NULL,
	"thread_id" integer,
	"from_agent_id" integer NOT NULL,
	"to_agent_id" integer,
	"message_type" varchar(30) DEFAULT 'message' NOT NULL,
	"subject" varchar(200),
	"body" text NOT NULL,
	"metadata" jsonb,
	"sent_by" integer,
	"read_at" timestamp,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_health_daily" (
	"agent_code" varchar(50) NOT NULL,
	"day" date NOT NULL,
	"reports" integer NOT NULL,
	"healthy" integer DEFAULT 0 NOT NULL,
	"degraded" integer DEFAULT 0 NOT NULL,
	"failing" integer DEFAULT 0 NOT NULL,
	"offline" integer DEFAULT 0 NOT NULL,
	"unknown" integer DEFAULT 0 NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"avg_response_time" integer,
	"p50_response_time" integer,
	"p95_response_time" integer,
	"max_response_time" integer,
	CONSTRAINT "agent_health_daily_agent_code_day_pk" PRIMARY KEY("agent_code","day")
);
--> statement-breakpoint
CREATE TABLE "agent_health_reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agent_code" varchar(50) NOT NULL,
	"status" varchar(20) NOT NULL,
	"response_time" integer,
	"error_count" integer DEFAULT 0 NOT NULL,
	"error_details" jsonb,
	"reported_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "agent_health_reports_status_check" CHECK ("agent_health_reports"."status" IN ('healthy', 'degraded', 'failing', 'offline', 'unknown'))
);
--> statement-breakpoint
CREATE TABLE "agent_tasks" (
	"id" serial PRIMARY KEY NOT NULL,
	"agent_id" integer NOT NULL,
	"title" varchar(200) NOT NULL,
	"description" text,
	"priority" varchar(10) DEFAULT 'medium' NOT NULL,
	"status" varchar(20) DEFAULT 'assigned' NOT NULL,
	"input" jsonb,
	"result" jsonb,
	"error_message" text,
	"assigned_by" integer,
	"assigned_at" timestamp DEFAULT now() NOT NULL,
	"started_at" timestamp,
	"completed_at" timestamp,
	"duration_seconds" integer,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "agent_tasks_status_check" CHECK ("agent_tasks"."status" IN ('assigned', 'in_progress', 'completed', 'failed')),
	CONSTRAINT "agent_tasks_priority_check" CHECK ("agent_tasks"."priority" IN ('low', 'medium', 'high', 'critical'))
);
--> statement-breakpoint
CREATE TABLE "analytics_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" integer,
	"name" varchar(64) NOT NULL,
	"properties" jsonb,
	"occurred_at" timestamp NOT NULL,
	"received_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor_id" integer,
	"action" varchar(64) NOT NULL,
	"object_type" varchar(40) NOT NULL,
	"object_id" varchar(100),
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feature_flags" (
	"id" serial PRIMARY KEY NOT NULL,
	"key" varchar(64) NOT NULL,
	"description" text,
	"enabled" boolean DEFAULT false NOT NULL,
	"rollout_percentage" smallint DEFAULT 100 NOT NULL,
	"allow_user_ids" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"deny_user_ids" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"min_level" smallint,
	"cities" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" integer,
	"updated_by" integer,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "feature_flags_key_unique" UNIQUE("key"),
	CONSTRAINT "feature_flags_key_check" CHECK ("feature_flags"."key" ~ '^[a-z0-9][a-z0-9_.-]*$'),
	CONSTRAINT "feature_flags_rollout_check" CHECK ("feature_flags"."rollout_percentage" BETWEEN 0 AND 100),
	CONSTRAINT "feature_flags_min_level_check" CHECK ("feature_flags"."min_level" BETWEEN 1 AND 8)
);
--> statement-breakpoint
CREATE TABLE "platform_daily_stats" (
	"day" date NOT NULL,
	"city" text DEFAULT '' NOT NULL,
	"active_dancers" integer DEFAULT 0 NOT NULL,
	"new_registrations" integer DEFAULT 0 NOT NULL,
	"posts" integer DEFAULT 0 NOT NULL,
	"rsvps" integer DEFAULT 0 NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	"client_events" integer DEFAULT 0 NOT NULL,
	"computed_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "platform_daily_stats_day_city_pk" PRIMARY KEY("day","city")
);
--> statement-breakpoint
CREATE TABLE "validation_checks" (
	"id" serial PRIMARY KEY NOT NULL,
	"agent_id" integer NOT NULL,
	"check_name" varchar(100) NOT NULL,
	"result" varchar(10) NOT NULL,
	"details" jsonb,
	"checked_by" integer,
	"checked_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "validation_checks_result_check" CHECK ("validation_checks"."result" IN ('passed', 'failed', 'warning'))
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"signature_hash" text PRIMARY KEY NOT NULL,
	"source" varchar(30) NOT NULL,
	"received_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "agent_health_agent_code_idx";--> statement-breakpoint
ALTER TABLE "deployments" ALTER COLUMN "user_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "external_id" varchar(100);--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "triggered_by" varchar(100);--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "version_id" varchar(100);--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "url" text;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "rollback_of_id" integer;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "building_at" timestamp;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "deploying_at" timestamp;--> statement-breakpoint
ALTER TABLE "esa_agents" ADD COLUMN "suspended_from" varchar(20);--> statement-breakpoint
ALTER TABLE "esa_agents" ADD COLUMN "api_key_hash" text;--> statement-breakpoint
ALTER TABLE "esa_agents" ADD COLUMN "api_key_prefix" varchar(24);--> statement-breakpoint
ALTER TABLE "esa_agents" ADD COLUMN "api_key_rotated_at" timestamp;--> statement-breakpoint
-- agent_health becomes one row per agent (its latest report): older duplicates go first.
DELETE FROM "agent_health" a USING "agent_health" b
WHERE a."agent_code" = b."agent_code" AND (a."last_check_at", a."id") < (b."last_check_at", b."id");--> statement-breakpoint
-- An agent suspended before this migration returns to "inactive" when the suspension is lifted.
UPDATE "esa_agents" SET "suspended_from" = 'inactive' WHERE "status" = 'suspended';--> statement-breakpoint
ALTER TABLE "agent_communications" ADD CONSTRAINT "agent_communications_thread_id_agent_communications_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."agent_communications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_communications" ADD CONSTRAINT "agent_communications_from_agent_id_esa_agents_id_fk" FOREIGN KEY ("from_agent_id") REFERENCES "public"."esa_agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_communications" ADD CONSTRAINT "agent_communications_to_agent_id_esa_agents_id_fk" FOREIGN KEY ("to_agent_id") REFERENCES "public"."esa_agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_communications" ADD CONSTRAINT "agent_communications_sent_by_users_id_fk" FOREIGN KEY ("sent_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_tasks" ADD CONSTRAINT "agent_tasks_agent_id_esa_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."esa_agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_tasks" ADD CONSTRAINT "agent_tasks_assigned_by_users_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_events" ADD CONSTRAINT "analytics_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_flags" ADD CONSTRAINT "feature_flags_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_flags" ADD CONSTRAINT "feature_flags_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "validation_checks" ADD CONSTRAINT "validation_checks_agent_id_esa_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."esa_agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "validation_checks" ADD CONSTRAINT "validation_checks_checked_by_users_id_fk" FOREIGN KEY ("checked_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_communications_thread_idx" ON "agent_communications" USING btree ("thread_id","id");--> statement-breakpoint
CREATE INDEX "agent_communications_from_idx" ON "agent_communications" USING btree ("from_agent_id","id");--> statement-breakpoint
CREATE INDEX "agent_communications_to_idx" ON "agent_communications" USING btree ("to_agent_id","id");--> statement-breakpoint
CREATE INDEX "agent_health_reports_agent_time_idx" ON "agent_health_reports" USING btree ("agent_code","reported_at");--> statement-breakpoint
CREATE INDEX "agent_health_reports_time_idx" ON "agent_health_reports" USING btree ("reported_at");--> statement-breakpoint
CREATE INDEX "agent_tasks_agent_status_idx" ON "agent_tasks" USING btree ("agent_id","status","id");--> statement-breakpoint
CREATE INDEX "agent_tasks_status_idx" ON "agent_tasks" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "analytics_events_time_idx" ON "analytics_events" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "analytics_events_user_time_idx" ON "analytics_events" USING btree ("user_id","occurred_at");--> statement-breakpoint
CREATE INDEX "analytics_events_name_time_idx" ON "analytics_events" USING btree ("name","occurred_at");--> statement-breakpoint
CREATE INDEX "audit_log_time_idx" ON "audit_log" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","created_at","id");--> statement-breakpoint
CREATE INDEX "audit_log_object_idx" ON "audit_log" USING btree ("object_type","object_id","created_at","id");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "audit_log" USING btree ("action","created_at","id");--> statement-breakpoint
CREATE INDEX "platform_daily_stats_city_day_idx" ON "platform_daily_stats" USING btree ("city","day");--> statement-breakpoint
CREATE INDEX "validation_checks_agent_idx" ON "validation_checks" USING btree ("agent_id","checked_at","id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_idx" ON "webhook_deliveries" USING btree ("received_at");--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_rollback_of_id_deployments_id_fk" FOREIGN KEY ("rollback_of_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_external_id_idx" ON "deployments" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "deployments_branch_time_idx" ON "deployments" USING btree ("git_branch","created_at");--> statement-breakpoint
CREATE INDEX "deployments_time_idx" ON "deployments" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "esa_agents_parent_idx" ON "esa_agents" USING btree ("parent_agent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "esa_agents_api_key_hash_idx" ON "esa_agents" USING btree ("api_key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "agent_health_agent_code_idx" ON "agent_health" USING btree ("agent_code");--> statement-breakpoint
ALTER TABLE "agent_health" ADD CONSTRAINT "agent_health_status_check" CHECK ("agent_health"."status" IN ('healthy', 'degraded', 'failing', 'offline', 'unknown'));--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_type_check" CHECK ("deployments"."type" IN ('production', 'preview', 'rollback'));--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_status_check" CHECK ("deployments"."status" IN ('pending', 'building', 'deploying', 'success', 'failed', 'cancelled'));--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_duration_check" CHECK ("deployments"."duration_seconds" >= 0);--> statement-breakpoint
ALTER TABLE "esa_agents" ADD CONSTRAINT "esa_agents_type_check" CHECK ("esa_agents"."agent_type" IN ('page', 'component', 'algorithm', 'layer', 'division', 'board', 'journey', 'dataflow', 'mr_blue', 'life_ceo'));--> statement-breakpoint
ALTER TABLE "esa_agents" ADD CONSTRAINT "esa_agents_status_check" CHECK ("esa_agents"."status" IN ('inactive', 'training', 'certified', 'active', 'suspended'));--> statement-breakpoint
ALTER TABLE "esa_agents" ADD CONSTRAINT "esa_agents_suspended_from_check" CHECK (("esa_agents"."status" = 'suspended') = ("esa_agents"."suspended_from" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "esa_agents" ADD CONSTRAINT "esa_agents_layer_check" CHECK ("esa_agents"."layer_number" BETWEEN 1 AND 61);--> statement-breakpoint
ALTER TABLE "esa_agents" ADD CONSTRAINT "esa_agents_tier_check" CHECK ("esa_agents"."tier" BETWEEN 1 AND 6);--> statement-breakpoint
ALTER TABLE "esa_agents" ADD CONSTRAINT "esa_agents_certification_check" CHECK ("esa_agents"."certification_level" BETWEEN 0 AND 3);