CREATE TABLE "gateway_calls" (
	"receipt_id" "bytea" PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"time_ms" bigint NOT NULL,
	"receipt" "bytea" NOT NULL,
	"cosigned" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gateway_issued_receipts" (
	"id" "bytea" PRIMARY KEY NOT NULL,
	"requester" text NOT NULL,
	"grant_id" text NOT NULL,
	"time_ms" bigint NOT NULL,
	"receipt" "bytea" NOT NULL,
	"status" text NOT NULL,
	"batch_id" "bytea",
	"position" integer,
	"committed_height" bigint
);
--> statement-breakpoint
CREATE TABLE "gateway_nonces" (
	"requester" text NOT NULL,
	"nonce" "bytea" NOT NULL,
	"expires_ms" bigint NOT NULL,
	CONSTRAINT "gateway_nonces_pk" PRIMARY KEY("requester","nonce")
);
--> statement-breakpoint
CREATE TABLE "gateway_receipt_batches" (
	"id" "bytea" PRIMARY KEY NOT NULL,
	"requester" text NOT NULL,
	"count" integer NOT NULL,
	"status" text NOT NULL,
	"requester_sig" "bytea",
	"provider_sig" "bytea",
	"tx_hash" "bytea",
	"attempts" integer NOT NULL,
	"next_attempt_ms" bigint NOT NULL,
	"created_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "gateway_calls_provider_time_idx" ON "gateway_calls" USING btree ("provider","time_ms");--> statement-breakpoint
CREATE INDEX "gateway_issued_receipts_status_idx" ON "gateway_issued_receipts" USING btree ("status","requester","time_ms");--> statement-breakpoint
CREATE INDEX "gateway_issued_receipts_batch_idx" ON "gateway_issued_receipts" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "gateway_issued_receipts_grant_idx" ON "gateway_issued_receipts" USING btree ("grant_id","status");--> statement-breakpoint
CREATE INDEX "gateway_nonces_expires_idx" ON "gateway_nonces" USING btree ("expires_ms");--> statement-breakpoint
CREATE INDEX "gateway_receipt_batches_status_idx" ON "gateway_receipt_batches" USING btree ("status","next_attempt_ms");