CREATE TABLE "access_receipts" (
	"id" "bytea" PRIMARY KEY NOT NULL,
	"height" bigint NOT NULL,
	"tx_hash" "bytea" NOT NULL,
	"index" integer NOT NULL,
	"provider" text NOT NULL,
	"requester" text NOT NULL,
	"dataset" text NOT NULL,
	"grant_id" text NOT NULL,
	"time_ms" bigint NOT NULL,
	"request_hash" "bytea" NOT NULL,
	"result_hash" "bytea" NOT NULL,
	"proof_hash" "bytea" NOT NULL,
	"nonce" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocks" (
	"height" bigint PRIMARY KEY NOT NULL,
	"hash" "bytea" NOT NULL,
	"prev_hash" "bytea" NOT NULL,
	"time_ms" bigint NOT NULL,
	"proposer" text NOT NULL,
	"app_hash" "bytea" NOT NULL,
	"result_app_hash" "bytea" NOT NULL,
	"tx_count" integer NOT NULL,
	"header" "bytea" NOT NULL,
	"commit" "bytea",
	CONSTRAINT "blocks_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "chain_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "state_entries" (
	"key" text PRIMARY KEY NOT NULL,
	"value" "bytea" NOT NULL,
	"height" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "state_meta" (
	"id" integer PRIMARY KEY NOT NULL,
	"height" bigint NOT NULL,
	CONSTRAINT "state_meta_singleton" CHECK ("state_meta"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "transactions" (
	"hash" "bytea" NOT NULL,
	"height" bigint NOT NULL,
	"index" integer NOT NULL,
	"kind" text NOT NULL,
	"sender" text NOT NULL,
	"seq" bigint NOT NULL,
	"result_code" text,
	"raw" "bytea" NOT NULL,
	CONSTRAINT "transactions_pkey" PRIMARY KEY("height","index")
);
--> statement-breakpoint
CREATE TABLE "consensus_sign_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"height" bigint NOT NULL,
	"round" integer NOT NULL,
	"step" integer NOT NULL,
	"sign_bytes" "bytea",
	CONSTRAINT "consensus_sign_state_singleton" CHECK ("consensus_sign_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "consensus_wal" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"height" bigint NOT NULL,
	"round" integer NOT NULL,
	"kind" text NOT NULL,
	"payload" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "local_dataset_rows" (
	"dataset" text NOT NULL,
	"row_key" text NOT NULL,
	"fields" jsonb NOT NULL,
	"updated_ms" bigint NOT NULL,
	CONSTRAINT "local_dataset_rows_pk" PRIMARY KEY("dataset","row_key")
);
--> statement-breakpoint
ALTER TABLE "access_receipts" ADD CONSTRAINT "access_receipts_height_blocks_height_fk" FOREIGN KEY ("height") REFERENCES "public"."blocks"("height") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_height_blocks_height_fk" FOREIGN KEY ("height") REFERENCES "public"."blocks"("height") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_receipts_provider_time_idx" ON "access_receipts" USING btree ("provider","time_ms");--> statement-breakpoint
CREATE INDEX "access_receipts_requester_time_idx" ON "access_receipts" USING btree ("requester","time_ms");--> statement-breakpoint
CREATE INDEX "access_receipts_dataset_time_idx" ON "access_receipts" USING btree ("dataset","time_ms");--> statement-breakpoint
CREATE INDEX "access_receipts_grant_idx" ON "access_receipts" USING btree ("grant_id");--> statement-breakpoint
CREATE INDEX "access_receipts_time_id_idx" ON "access_receipts" USING btree ("time_ms","id");--> statement-breakpoint
CREATE INDEX "transactions_hash_idx" ON "transactions" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "transactions_sender_seq_idx" ON "transactions" USING btree ("sender","seq");--> statement-breakpoint
CREATE INDEX "consensus_wal_height_seq_idx" ON "consensus_wal" USING btree ("height","seq");