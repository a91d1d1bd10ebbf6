CREATE TABLE "queue_receipts" (
	"queue" text NOT NULL,
	"message_id" text NOT NULL,
	"expires_at" timestamp NOT NULL,
	CONSTRAINT "queue_receipts_queue_message_id_pk" PRIMARY KEY("queue","message_id")
);
--> statement-breakpoint
CREATE INDEX "queue_receipts_expires_idx" ON "queue_receipts" USING btree ("expires_at");