CREATE TABLE "live_presence" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"connections" integer DEFAULT 0 NOT NULL,
	"connected_at" timestamp DEFAULT now() NOT NULL,
	"expires_at" timestamp NOT NULL
);
--> statement-breakpoint
-- Messages written before rooms numbered them get their numbers in time order.
ALTER TABLE "chat_messages" ADD COLUMN "room_seq" integer;--> statement-breakpoint
UPDATE "chat_messages" m SET "room_seq" = n.seq
FROM (SELECT id, row_number() OVER (PARTITION BY chat_room_id ORDER BY created_at NULLS FIRST, id)::int AS seq FROM "chat_messages") n
WHERE n.id = m.id;--> statement-breakpoint
ALTER TABLE "chat_messages" ALTER COLUMN "room_seq" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "client_id" varchar(64);--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "reply_to_seq" integer;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "edited_at" timestamp;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "deleted_at" timestamp;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, mt_unaccent(coalesce("message", '')))) STORED;--> statement-breakpoint
ALTER TABLE "chat_room_users" ADD COLUMN "role" varchar(16) DEFAULT 'member' NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_room_users" ADD COLUMN "last_read_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_room_users" ADD COLUMN "last_delivered_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_room_users" ADD COLUMN "pinned_at" timestamp;--> statement-breakpoint
ALTER TABLE "chat_room_users" ADD COLUMN "muted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD COLUMN "direct_key" varchar(32);--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD COLUMN "event_id" integer;--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD COLUMN "created_by" integer;--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD COLUMN "last_message_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD COLUMN "last_message_preview" text;--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD COLUMN "last_message_user_id" integer;--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD COLUMN "member_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD COLUMN "updated_at" timestamp DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "live_presence" ADD CONSTRAINT "live_presence_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "live_presence_expires_idx" ON "live_presence" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD CONSTRAINT "chat_rooms_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD CONSTRAINT "chat_rooms_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD CONSTRAINT "chat_rooms_last_message_user_id_users_id_fk" FOREIGN KEY ("last_message_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Rooms from before: a direct room of two dancers takes their pair as its key (the oldest room
-- of a pair keeps the plain key, which get-or-create finds; a later duplicate, or a direct room
-- that does not have two members, gets a key of its own no pair can ask for); a group room's
-- earliest member becomes its admin; counts and the last message are computed.
UPDATE "chat_rooms" r SET "direct_key" = keyed.key
FROM (
  SELECT p.id, CASE WHEN p.pair IS NULL THEN 'legacy:' || p.id
    WHEN row_number() OVER (PARTITION BY p.pair ORDER BY p.id) = 1 THEN p.pair ELSE p.pair || '#' || p.id END AS key
  FROM (
    SELECT d.id, (SELECT CASE WHEN count(*) = 2 THEN min(u.user_id) || ':' || max(u.user_id) END
                  FROM "chat_room_users" u WHERE u.chat_room_id = d.id) AS pair
    FROM "chat_rooms" d WHERE d.type = 'direct'
  ) p
) keyed
WHERE keyed.id = r.id;--> statement-breakpoint
UPDATE "chat_room_users" cu SET "role" = 'admin'
FROM (SELECT DISTINCT ON (u.chat_room_id) u.id FROM "chat_room_users" u JOIN "chat_rooms" r ON r.id = u.chat_room_id
      WHERE r.type = 'group' ORDER BY u.chat_room_id, u.joined_at NULLS LAST, u.id) first_member
WHERE cu.id = first_member.id;--> statement-breakpoint
UPDATE "chat_rooms" r SET "member_count" = (SELECT count(*) FROM "chat_room_users" u WHERE u.chat_room_id = r.id);--> statement-breakpoint
UPDATE "chat_rooms" r SET "last_message_seq" = last.room_seq, "last_message_preview" = left(last.message, 140),
  "last_message_user_id" = last.user_id, "last_message_at" = coalesce(r.last_message_at, last.created_at)
FROM (SELECT DISTINCT ON (chat_room_id) chat_room_id, room_seq, message, user_id, created_at
      FROM "chat_messages" ORDER BY chat_room_id, room_seq DESC) last
WHERE last.chat_room_id = r.id;--> statement-breakpoint
UPDATE "chat_room_users" u SET "last_read_seq" = coalesce((
  SELECT max(m.room_seq) FROM "chat_messages" m WHERE m.chat_room_id = u.chat_room_id AND m.created_at <= u.last_read_at), 0)
WHERE u.last_read_at IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_messages_room_seq_idx" ON "chat_messages" USING btree ("chat_room_id","room_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_messages_client_idx" ON "chat_messages" USING btree ("chat_room_id","user_id","client_id") WHERE client_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "chat_messages_search_idx" ON "chat_messages" USING gin ("search_vector");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_rooms_direct_key_idx" ON "chat_rooms" USING btree ("direct_key") WHERE direct_key IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_rooms_event_idx" ON "chat_rooms" USING btree ("event_id") WHERE event_id IS NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_room_seq_check" CHECK ("chat_messages"."room_seq" > 0);--> statement-breakpoint
ALTER TABLE "chat_room_users" ADD CONSTRAINT "chat_room_users_role_check" CHECK ("chat_room_users"."role" IN ('member', 'admin'));--> statement-breakpoint
ALTER TABLE "chat_room_users" ADD CONSTRAINT "chat_room_users_receipts_check" CHECK ("chat_room_users"."last_read_seq" >= 0 AND "chat_room_users"."last_delivered_seq" >= 0);--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD CONSTRAINT "chat_rooms_type_check" CHECK ("chat_rooms"."type" IN ('direct', 'group', 'event'));--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD CONSTRAINT "chat_rooms_direct_check" CHECK (("chat_rooms"."type" = 'direct') = ("chat_rooms"."direct_key" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD CONSTRAINT "chat_rooms_event_check" CHECK (("chat_rooms"."type" = 'event') = ("chat_rooms"."event_id" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "chat_rooms" ADD CONSTRAINT "chat_rooms_member_count_check" CHECK ("chat_rooms"."member_count" >= 0);