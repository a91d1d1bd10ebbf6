-- In-room message search: a GIN index on (room, document) needs btree_gin for the integer
-- column (a trusted contrib extension, on Neon and in PGlite as 0000's are).
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
DROP INDEX "chat_messages_search_idx";--> statement-breakpoint
CREATE INDEX "chat_messages_room_search_idx" ON "chat_messages" USING gin ("chat_room_id","search_vector");
