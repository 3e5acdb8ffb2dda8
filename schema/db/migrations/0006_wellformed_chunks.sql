CREATE TABLE "local_wellformed_chunks" (
	"dataset" text NOT NULL,
	"root" "bytea" NOT NULL,
	"circuit" text NOT NULL,
	"verifying_key_hash" text NOT NULL,
	"chunk" integer NOT NULL,
	"value" jsonb NOT NULL,
	"created_ms" bigint NOT NULL,
	CONSTRAINT "local_wellformed_chunks_pk" PRIMARY KEY("dataset","root","circuit","verifying_key_hash","chunk")
);
