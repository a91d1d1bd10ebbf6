CREATE TABLE "ai_usage_daily" (
	"user_id" integer NOT NULL,
	"day" date NOT NULL,
	"tokens" integer DEFAULT 0 NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ai_usage_daily_user_id_day_pk" PRIMARY KEY("user_id","day"),
	CONSTRAINT "ai_usage_daily_tokens_check" CHECK ("ai_usage_daily"."tokens" >= 0)
);
--> statement-breakpoint
CREATE TABLE "life_ceo_chat_messages" (
	"id" serial PRIMARY KEY NOT NULL,
	"conversation_id" integer NOT NULL,
	"role" varchar NOT NULL,
	"content" text NOT NULL,
	"metadata" jsonb,
	"created_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "life_ceo_chat_messages_role_check" CHECK ("life_ceo_chat_messages"."role" IN ('user', 'assistant', 'system', 'tool'))
);
--> statement-breakpoint
CREATE TABLE "life_ceo_conversations" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"domain_id" integer NOT NULL,
	"title" text,
	"last_message_at" timestamp DEFAULT now() NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "life_ceo_milestones" (
	"id" serial PRIMARY KEY NOT NULL,
	"goal_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"title" text NOT NULL,
	"due_date" date,
	"position" integer DEFAULT 0 NOT NULL,
	"completed_at" timestamp,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "life_ceo_recommendations" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"goal_id" integer NOT NULL,
	"domain_id" integer,
	"week" date NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"status" varchar DEFAULT 'pending' NOT NULL,
	"source" varchar NOT NULL,
	"task_id" integer,
	"metadata" jsonb,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"responded_at" timestamp,
	CONSTRAINT "life_ceo_recommendations_status_check" CHECK ("life_ceo_recommendations"."status" IN ('pending', 'accepted', 'dismissed')),
	CONSTRAINT "life_ceo_recommendations_source_check" CHECK ("life_ceo_recommendations"."source" IN ('on_demand', 'weekly')),
	CONSTRAINT "life_ceo_recommendations_week_check" CHECK (extract(isodow FROM "life_ceo_recommendations"."week") = 1)
);
--> statement-breakpoint
CREATE TABLE "life_ceo_tasks" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"domain_id" integer,
	"goal_id" integer,
	"title" text NOT NULL,
	"notes" text,
	"due_date" date,
	"priority" varchar DEFAULT 'medium' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"completed_at" timestamp,
	"recommendation_id" integer,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "life_ceo_tasks_recommendation_id_unique" UNIQUE("recommendation_id"),
	CONSTRAINT "life_ceo_tasks_owner_check" CHECK ("life_ceo_tasks"."domain_id" IS NOT NULL OR "life_ceo_tasks"."goal_id" IS NOT NULL),
	CONSTRAINT "life_ceo_tasks_priority_check" CHECK ("life_ceo_tasks"."priority" IN ('low', 'medium', 'high'))
);
--> statement-breakpoint
ALTER TABLE "mr_blue_conversations" ALTER COLUMN "last_message_at" SET DEFAULT now();--> statement-breakpoint
UPDATE "mr_blue_conversations" SET "last_message_at" = coalesce("created_at", now()) WHERE "last_message_at" IS NULL;--> statement-breakpoint
ALTER TABLE "mr_blue_conversations" ALTER COLUMN "last_message_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "life_ceo_domains" ADD COLUMN "persona" text;--> statement-breakpoint
ALTER TABLE "ai_usage_daily" ADD CONSTRAINT "ai_usage_daily_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_chat_messages" ADD CONSTRAINT "life_ceo_chat_messages_conversation_id_life_ceo_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."life_ceo_conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_conversations" ADD CONSTRAINT "life_ceo_conversations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_conversations" ADD CONSTRAINT "life_ceo_conversations_domain_id_life_ceo_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."life_ceo_domains"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_milestones" ADD CONSTRAINT "life_ceo_milestones_goal_id_life_ceo_goals_id_fk" FOREIGN KEY ("goal_id") REFERENCES "public"."life_ceo_goals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_milestones" ADD CONSTRAINT "life_ceo_milestones_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_recommendations" ADD CONSTRAINT "life_ceo_recommendations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_recommendations" ADD CONSTRAINT "life_ceo_recommendations_goal_id_life_ceo_goals_id_fk" FOREIGN KEY ("goal_id") REFERENCES "public"."life_ceo_goals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_recommendations" ADD CONSTRAINT "life_ceo_recommendations_domain_id_life_ceo_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."life_ceo_domains"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_recommendations" ADD CONSTRAINT "life_ceo_recommendations_task_id_life_ceo_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."life_ceo_tasks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_tasks" ADD CONSTRAINT "life_ceo_tasks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_tasks" ADD CONSTRAINT "life_ceo_tasks_domain_id_life_ceo_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."life_ceo_domains"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "life_ceo_tasks" ADD CONSTRAINT "life_ceo_tasks_goal_id_life_ceo_goals_id_fk" FOREIGN KEY ("goal_id") REFERENCES "public"."life_ceo_goals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "life_ceo_chat_messages_history_idx" ON "life_ceo_chat_messages" USING btree ("conversation_id","id");--> statement-breakpoint
CREATE INDEX "life_ceo_conversations_activity_idx" ON "life_ceo_conversations" USING btree ("user_id","last_message_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "life_ceo_milestones_goal_idx" ON "life_ceo_milestones" USING btree ("goal_id","position","id");--> statement-breakpoint
CREATE INDEX "life_ceo_milestones_due_idx" ON "life_ceo_milestones" USING btree ("user_id","due_date") WHERE "life_ceo_milestones"."completed_at" IS NULL AND "life_ceo_milestones"."due_date" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "life_ceo_recommendations_goal_week_idx" ON "life_ceo_recommendations" USING btree ("goal_id","week");--> statement-breakpoint
CREATE INDEX "life_ceo_recommendations_user_idx" ON "life_ceo_recommendations" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "life_ceo_tasks_goal_idx" ON "life_ceo_tasks" USING btree ("goal_id","position","id");--> statement-breakpoint
CREATE INDEX "life_ceo_tasks_domain_idx" ON "life_ceo_tasks" USING btree ("user_id","domain_id","position","id");--> statement-breakpoint
CREATE INDEX "life_ceo_tasks_due_idx" ON "life_ceo_tasks" USING btree ("user_id","due_date") WHERE "life_ceo_tasks"."completed_at" IS NULL AND "life_ceo_tasks"."due_date" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "life_ceo_goals_owner_idx" ON "life_ceo_goals" USING btree ("user_id","status","id");--> statement-breakpoint
CREATE INDEX "mr_blue_conversations_activity_idx" ON "mr_blue_conversations" USING btree ("user_id","last_message_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "mr_blue_messages_history_idx" ON "mr_blue_messages" USING btree ("conversation_id","id");--> statement-breakpoint
UPDATE "life_ceo_goals" SET "status" = 'active' WHERE "status" NOT IN ('active', 'paused', 'completed', 'abandoned');--> statement-breakpoint
UPDATE "life_ceo_goals" SET "priority" = 'medium' WHERE "priority" IS NULL OR "priority" NOT IN ('low', 'medium', 'high');--> statement-breakpoint
UPDATE "life_ceo_goals" SET "progress" = least(100, greatest(0, coalesce("progress", 0))) WHERE "progress" IS NULL OR "progress" NOT BETWEEN 0 AND 100;--> statement-breakpoint
UPDATE "life_ceo_goals" SET "completed_at" = CASE WHEN "status" = 'completed' THEN coalesce("completed_at", "updated_at", now()) END
  WHERE ("status" = 'completed') <> ("completed_at" IS NOT NULL);--> statement-breakpoint
UPDATE "mr_blue_messages" SET "role" = 'system' WHERE "role" NOT IN ('user', 'assistant', 'system', 'tool');--> statement-breakpoint
ALTER TABLE "life_ceo_goals" ADD CONSTRAINT "life_ceo_goals_status_check" CHECK ("life_ceo_goals"."status" IN ('active', 'paused', 'completed', 'abandoned'));--> statement-breakpoint
ALTER TABLE "life_ceo_goals" ADD CONSTRAINT "life_ceo_goals_priority_check" CHECK ("life_ceo_goals"."priority" IN ('low', 'medium', 'high'));--> statement-breakpoint
ALTER TABLE "life_ceo_goals" ADD CONSTRAINT "life_ceo_goals_progress_check" CHECK ("life_ceo_goals"."progress" BETWEEN 0 AND 100);--> statement-breakpoint
ALTER TABLE "life_ceo_goals" ADD CONSTRAINT "life_ceo_goals_completed_check" CHECK (("life_ceo_goals"."status" = 'completed') = ("life_ceo_goals"."completed_at" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "mr_blue_messages" ADD CONSTRAINT "mr_blue_messages_role_check" CHECK ("mr_blue_messages"."role" IN ('user', 'assistant', 'system', 'tool'));--> statement-breakpoint
-- The 16 Life CEO domains are reference data (drizzle/ai.ts LIFE_CEO_DOMAINS; a test checks they agree).
-- Rows the seed script made before this migration keep their ids and gain the description and persona.
INSERT INTO "life_ceo_domains" ("name", "agent_id", "description", "persona") VALUES
  ('Health & Wellness', 'P66', 'Body and energy: check-ups, injuries, the stamina a long milonga asks for.', 'a calm, practical health coach who keeps advice general and points to a doctor for anything medical'),
  ('Finance Management', 'P67', 'Money: budgets for festivals and travel, shoes, classes, savings.', 'a plain-spoken money coach who helps plan budgets and never gives investment advice'),
  ('Career Development', 'P68', 'Work and vocation, including teaching, DJing or organizing tango professionally.', 'a career mentor who turns ambitions into concrete next steps'),
  ('Productivity', 'P69', 'Time and focus: routines, planning the week, finishing what matters.', 'a productivity coach who favours small, finishable steps'),
  ('Travel Planning', 'P70', 'Trips: festivals, marathons, encuentros and the milongas of the cities on the way.', 'a well-travelled tango friend who plans trips around festivals and milongas'),
  ('Home Management', 'P71', 'Home: chores, repairs, hosting travelling dancers.', 'an organised home manager who keeps things simple'),
  ('Learning & Education', 'P72', 'Learning: tango technique, music, languages, courses.', 'a patient teacher who breaks learning into practice sessions'),
  ('Social Connections', 'P73', 'Friends and community: dancing with new people, keeping in touch, belonging.', 'a warm community host who encourages dancers to meet and dance with new people'),
  ('Wellness & Mindfulness', 'P74', 'Presence and calm: breathing, mindfulness, enjoying the embrace.', 'a gentle mindfulness guide'),
  ('Entertainment', 'P75', 'Fun: milongas, concerts, films and music worth the night.', 'an enthusiastic friend who knows where the good nights are'),
  ('Creativity', 'P76', 'Creative work: musicality, choreography, writing, photography.', 'an encouraging creative mentor'),
  ('Fitness & Exercise', 'P77', 'Fitness: strength, balance, flexibility and posture for dancing.', 'a supportive fitness coach focused on balance, posture and injury prevention'),
  ('Nutrition', 'P78', 'Food: eating well around late nights and long festivals.', 'a sensible nutrition coach who keeps advice general'),
  ('Sleep Optimization', 'P79', 'Sleep: recovering from late milongas and jet lag.', 'a sleep coach who respects that milongas end late'),
  ('Stress Management', 'P80', 'Stress: nerves before a performance, busy weeks, rest.', 'a calm stress coach with practical techniques'),
  ('Relationship Management', 'P81', 'Relationships: partners, family, dance partners and friendships.', 'a kind, discreet relationship coach')
ON CONFLICT ("name") DO UPDATE SET "agent_id" = EXCLUDED."agent_id",
  "description" = coalesce("life_ceo_domains"."description", EXCLUDED."description"), "persona" = EXCLUDED."persona";
