import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ANSWER_DOCUMENT, SignedTransport } from "@coken/gateway";
import { createHasher, createVerifier, fromHex, type KeyScheme } from "@coken/ledger";
import { endpointsOf, signerOf } from "./bootstrap.js";
import { graphqlData, until } from "./client.js";
import { type DevnetManifest, grantKey } from "./layout.js";
import { seedRows } from "./seed.js";

const BANK = "gd.bank";
const COURTS = "gd.courts";
const ENFORCEMENT = "gd.courts/enforcement";

export interface AroundOutcome {
  ok: boolean;
  detail: string;
  receipt: string | null;
  usedBefore: number;
  usedAfter: number;
}

/** The public key of an agency as the devnet's genesis names it (public data, not a keystore). */
async function genesisKey(
  dir: string,
  agency: string,
): Promise<{ keyScheme: KeyScheme; publicKey: Uint8Array }> {
  const genesis = JSON.parse(await readFile(join(dir, "genesis.json"), "utf8")) as {
    agencies: { id: string; publicKey: string; keyScheme?: KeyScheme }[];
  };
  const a = genesis.agencies.find((x) => x.id === agency);
  const publicKey = a === undefined ? undefined : fromHex(a.publicKey);
  if (a === undefined || publicKey === undefined) throw new Error(`${agency} is not in the devnet's genesis`);
  return { keyScheme: a.keyScheme ?? "ed25519", publicKey };
}

/**
 * The bank asks the courts' `/peer/graphql` directly with its own key — a signed request envelope, outside its
 * gateway's federation client — so the call is never in its call log and the bank's gateway refuses to co-sign its
 * receipt. The courts record it anyway (`access.attest`, backed by the bank's request signature): the bank's grant
 * counts the call and the receipt is on the access log.
 */
export async function askAroundTheGateway(dir: string, m: DevnetManifest): Promise<AroundOutcome> {
  const grant = m.grants[grantKey(ENFORCEMENT, BANK)];
  if (grant === undefined) throw new Error(`no grant ${grantKey(ENFORCEMENT, BANK)} in the devnet`);
  const bank = endpointsOf(m, BANK);
  const used = async () => {
    const d = await graphqlData(
      bank.gateway,
      "{ grants(role: RECEIVED, first: 50) { edges { node { grantId used } } } }",
    );
    const edges = d.grants.edges as { node: { grantId: string; used: number } }[];
    return edges.find((e) => e.node.grantId === grant)?.node.used ?? -1;
  };
  const usedBefore = await used();
  const courtsKey = await genesisKey(dir, COURTS);
  const transport = new SignedTransport({
    self: BANK,
    signer: await signerOf(dir, m, BANK),
    hasher: createHasher("sha256"),
    verifier: createVerifier(),
    ledger: { get: ((key: string) => (key === `agency/${COURTS}` ? courtsKey : undefined)) as never },
    peerUrl: (agency) => (agency === COURTS ? endpointsOf(m, COURTS).gateway : undefined),
    now: Date.now,
  });
  const key = seedRows(ENFORCEMENT, m.size)[0]?.key ?? "p-0000001";
  const sent = await transport.send(COURTS, {
    document: ANSWER_DOCUMENT,
    variables: { dataset: ENFORCEMENT, grant, query: { kind: "membership", key } },
    grant,
    dataset: ENFORCEMENT,
  });
  const answer = sent.result.data?.answer as
    | { receiptId?: string; result?: { member?: boolean } }
    | undefined;
  const receipt = answer?.receiptId ?? null;
  if (receipt === null) {
    const code = sent.result.errors?.[0]?.extensions?.code;
    return { ok: false, detail: `not answered: ${String(code)}`, receipt, usedBefore, usedAfter: usedBefore };
  }
  const usedAfter = await until(
    "the courts to record the call without the bank's co-signature",
    used,
    (n) => n > usedBefore,
    90_000,
    500,
  ).catch(() => usedBefore);
  // The bank's own peer finds the receipt in an access.attest without a call in its call log, and disputes it.
  const recording = await until(
    "the bank's peer to dispute the receipt",
    async () => {
      const d = await graphqlData(
        bank.gateway,
        `{ accessLog(first: 50, filter: { dataset: "${ENFORCEMENT}" }) { edges { node { receiptId recording } } } }`,
      );
      const edges = d.accessLog.edges as { node: { receiptId: string; recording: string } }[];
      return edges.find((e) => e.node.receiptId === receipt)?.node.recording ?? "not recorded";
    },
    (r) => r === "DISPUTED",
    60_000,
    500,
  ).catch(() => "not disputed");
  return {
    ok: usedAfter === usedBefore + 1 && recording === "DISPUTED",
    detail:
      `answered (member: ${String(answer?.result?.member)}); the bank's gateway never saw the call and refused to co-sign; ` +
      `the courts recorded receipt ${receipt.slice(0, 16)}… on their own, backed by the bank's request signature ` +
      `(grant used ${usedBefore} → ${usedAfter}); the bank's peer, finding no such call in its log, disputed it on the ` +
      `ledger (${recording}): the quota stays used, the courts earn nothing for it`,
    receipt,
    usedBefore,
    usedAfter,
  };
}
