import { createHash } from "node:crypto";
import {
  type AgencyId,
  createVerifier,
  derivedId,
  ed25519Signer,
  Ledger,
  parseGenesis,
  type Signer,
  type TxBody,
  toHex,
} from "@coken/ledger";
import type { Store } from "@coken/store";

export const PROVIDER = "sh.land-registry";
export const ASKER = "bj.housing";
export const DATASET = "sh/parcels";
export const ROWS = 1000;

export const signerOf = (id: AgencyId): Signer =>
  ed25519Signer(new Uint8Array(createHash("sha256").update(`gateway-bench:${id}`).digest()));

/**
 * A real ledger (genesis plus one block) in which PROVIDER publishes DATASET and grants ASKER lookups of two
 * non-personal fields with a quota no bench run can exhaust. The same `now` gives the same ledger, in any process.
 */
export function benchLedger(now: number) {
  const genesisTime = now - 3_600_000;
  const agencies = [
    { id: PROVIDER, region: "CN-SH" },
    { id: ASKER, region: "CN-BJ" },
  ];
  const ledger = Ledger.fromGenesis(
    parseGenesis({
      chainId: "coken-gateway-bench",
      genesisTime: new Date(genesisTime).toISOString(),
      agencies: agencies.map((a) => ({
        id: a.id,
        name: a.id,
        region: a.region,
        publicKey: toHex(signerOf(a.id).publicKey),
        roles: ["validator", "member"],
        balance: "1000",
      })),
      validators: agencies.map((a) => ({ agency: a.id, power: 1 })),
    }),
    createVerifier(),
  );
  const tx = (sender: string, seq: number, kind: TxBody["kind"], payload: unknown) =>
    ledger.signTx(signerOf(sender), { chain: ledger.head.chain, kind, sender, seq, payload } as TxBody);
  const block = ledger.buildBlock({
    txs: [
      tx(PROVIDER, 0, "dataset.publish", {
        id: DATASET,
        title: "Parcels",
        description: "Land parcels",
        fields: [
          { name: "ownerId", type: "string", indexed: true, personal: true },
          { name: "area", type: "decimal", indexed: true, personal: false },
          { name: "district", type: "string", indexed: false, personal: false },
        ],
        region: "CN-SH",
        tags: [],
        updateFrequency: "daily",
        licence: "gov",
        queryKinds: ["lookup", "count"],
        price: 1n,
        commitment: null,
      }),
      tx(PROVIDER, 1, "grant.issue", {
        dataset: DATASET,
        grantee: ASKER,
        queryKinds: ["lookup"],
        fields: ["area", "district"],
        purpose: "bench",
        quota: 1_000_000_000,
        expiresAt: now + 365 * 86_400_000,
      }),
    ],
    time: genesisTime + 1000,
    proposer: PROVIDER,
    lastCommit: null,
  });
  const codes = ledger.apply(block).outcome.txs.map((t) => t.code);
  if (codes.some((c) => c !== null)) throw new Error(`bench world refused: ${codes.join(",")}`);
  return { ledger, grant: derivedId(ledger.hasher, "grant", PROVIDER, 1) };
}

/** The provider's ROWS rows of DATASET. */
export function seedRows(store: Store, now: number): Promise<void> {
  return store.localData.upsertRows(
    DATASET,
    Array.from({ length: ROWS }, (_, i) => ({
      key: `p-${i}`,
      fields: { ownerId: `owner-${i}`, area: String(50 + (i % 200)), district: `district-${i % 16}` },
    })),
    now,
  );
}

/** The ledger of `benchLedger` with both agencies' stores, the provider's holding its rows. */
export async function benchWorld(now: number, openStores: () => Promise<[Store, Store]>) {
  const { ledger, grant } = benchLedger(now);
  const [providerStore, askerStore] = await openStores();
  await seedRows(providerStore, now);
  return {
    now,
    ledger,
    grant,
    providerStore,
    askerStore,
    close: async () => {
      await providerStore.close();
      await askerStore.close();
    },
  };
}
