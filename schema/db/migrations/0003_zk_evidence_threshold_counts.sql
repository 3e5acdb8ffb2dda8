CREATE TABLE "local_wellformed_evidence" (
	"dataset" text NOT NULL,
	"root" "bytea" NOT NULL,
	"evidence" jsonb NOT NULL,
	"created_ms" bigint NOT NULL,
	CONSTRAINT "local_wellformed_evidence_pk" PRIMARY KEY("dataset","root")
);
--> statement-breakpoint
CREATE TABLE "gateway_threshold_counts" (
	"grant_id" text NOT NULL,
	"dataset" text NOT NULL,
	"record_key" text NOT NULL,
	"used" integer NOT NULL,
	CONSTRAINT "gateway_threshold_counts_pk" PRIMARY KEY("grant_id","dataset","record_key")
);
