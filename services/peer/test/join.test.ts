import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generateKeystore } from "@coken/keystore";
import { createHasher, derivedId, encodeTx, type Signer, signTx, type TxBody } from "@coken/ledger";
import { peerIdFromPublicKey } from "@coken/p2p";
import { openStore } from "@coken/store";
import type { TxView } from "../src/api-reads.js";
import {
  api,
  type ClusterNode,
  freePort,
  PASSPHRASE,
  prepareCluster,
  type Status,
  startNode,
  stopNode,
  waitFor,
} from "./cluster.js";

const VALIDATORS = ["hn.land-registry", "hn.tax-bureau", "gd.housing-authority"];
const NEWCOMER = "gd.bank";
const CHAIN = "coken-cluster";
const WAIT_MS = 90_000;

const hasher = createHasher("sha256");
const tx = (signer: Signer, sender: string, seq: number, kind: string, payload: unknown) =>
  encodeTx(signTx(hasher, signer, { chain: CHAIN, kind, sender, seq, payload } as TxBody));
const addrOf = (listen: string, signer: Signer) =>
  `${listen}/p2p/${peerIdFromPublicKey(signer.publicKey).toString()}`;

type P2pConfig = { p2p: { listen: string; peers: string[] } } & Record<string, unknown>;
const readConfig = async (file: string) => JSON.parse(await readFile(file, "utf8")) as P2pConfig;

/** Keystore and config of an agency that is not in the genesis, dialling the validators. */
async function prepareNewcomer(dir: string, validators: ClusterNode[]): Promise<ClusterNode> {
  const { signer } = await generateKeystore(join(dir, `${NEWCOMER}.key.json`), {
    agency: NEWCOMER,
    passphrase: PASSPHRASE,
    kdf: { N: 1 << 14, r: 8, p: 1 },
  });
  const peers = await Promise.all(
    validators.map(async (v) => addrOf((await readConfig(v.config)).p2p.listen, v.signer)),
  );
  const apiPort = await freePort();
  const config = join(dir, `${NEWCOMER}.config.json`);
  await mkdir(join(dir, NEWCOMER), { recursive: true });
  const template = await readConfig(validators[0]?.config as string);
  await writeFile(
    config,
    JSON.stringify({
      ...template,
      keystore: `${NEWCOMER}.key.json`,
      // Its fresh store starts at the genesis, which does not know it: it starts as an observer (it is a member
      // anyway, which never votes).
      observer: true,
      store: { kind: "pglite", dataDir: `${NEWCOMER}/db` },
      p2p: { listen: `/ip4/127.0.0.1/tcp/${await freePort()}`, peers },
      api: { host: "127.0.0.1", port: apiPort },
    }),
  );
  return { agency: NEWCOMER, signer, config, apiPort, process: null, log: [] };
}

/** One migrated PGlite folder copied to every peer: initdb runs once, not once a peer (slow on a busy machine). */
async function seedStores(dir: string, agencies: readonly string[]): Promise<void> {
  const template = join(dir, "template-db");
  await (await openStore({ kind: "pglite", dataDir: template })).close();
  for (const agency of agencies) await cp(template, join(dir, agency, "db"), { recursive: true });
}

async function submit(node: ClusterNode, raw: Uint8Array): Promise<string> {
  const accepted = await api<{ id?: string; error?: { code: string } }>(node, "/v1/txs", raw);
  assert.ok(accepted?.id, `refused by ${node.agency}: ${JSON.stringify(accepted)}`);
  return accepted.id;
}

/** Waits for tx `id` to commit at `node` and checks that the ledger applied it. */
async function applied(node: ClusterNode, id: string): Promise<void> {
  const view = await waitFor(
    `tx ${id.slice(0, 12)} to commit at ${node.agency}`,
    () => api<TxView>(node, `/v1/txs/${id}`),
    (t) => t?.status === "committed",
    WAIT_MS,
  );
  assert.deepEqual(view?.status === "committed" ? view.resultCode : view, null, JSON.stringify(view));
}

describe("an agency admitted after genesis runs its own peer", () => {
  let dir = "";
  let nodes: ClusterNode[] = [];

  after(async () => {
    await Promise.all(nodes.map((n) => stopNode(n, "SIGKILL")));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("is refused until admitted, then connects, syncs, registers and follows the chain", {
    timeout: 300_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-join-"));
    const validators = await prepareCluster(dir, VALIDATORS);
    const newcomer = await prepareNewcomer(dir, validators);
    nodes = [...validators, newcomer];
    await seedStores(
      dir,
      nodes.map((n) => n.agency),
    );
    // As operations.md §2 has it, the validators list the newcomer's peer too: they dial it once they allow it.
    const newcomerAddr = addrOf((await readConfig(newcomer.config)).p2p.listen, newcomer.signer);
    for (const v of validators) {
      const config = await readConfig(v.config);
      config.p2p.peers.push(newcomerAddr);
      await writeFile(v.config, JSON.stringify(config));
    }
    const status = (n: ClusterNode) => api<Status>(n, "/v1/status");
    const validatorStatus = () => Promise.all(validators.map(status));
    const top = async () => Math.max(...(await validatorStatus()).map((s) => s?.height ?? 0));
    const dump = () => nodes.map((n) => `--- ${n.agency}\n${n.log.slice(-8).join("")}`).join("\n");
    for (const n of nodes) startNode(n);
    try {
      const start = await waitFor(
        "the validators to commit two blocks",
        validatorStatus,
        (s) => s.every((x) => x !== null && x.height >= 2),
        WAIT_MS,
      );
      const before = Math.max(...start.map((s) => s?.height ?? 0));
      await waitFor("two more blocks", top, (h) => h >= before + 2, WAIT_MS);
      const refused = await status(newcomer);
      assert.equal(refused?.height, 0, "a peer the chain does not know gets no blocks");
      assert.equal(refused?.peers, 0);

      // Admission: all three validators approve (two of three is not more than two thirds).
      const [proposer, ...voters] = validators as [ClusterNode, ...ClusterNode[]];
      const action = {
        type: "agency.admit",
        agency: {
          id: NEWCOMER,
          name: "Guangdong bank (mandated)",
          region: "CN-GD",
          publicKey: newcomer.signer.publicKey,
          keyScheme: "ed25519",
          roles: ["member"],
        },
      };
      await applied(
        proposer,
        await submit(proposer, tx(proposer.signer, proposer.agency, 0, "governance.propose", { action })),
      );
      const proposal = derivedId(hasher, "proposal", proposer.agency, 0);
      const votes = await Promise.all(
        voters.map((v) =>
          submit(v, tx(v.signer, v.agency, 0, "governance.vote", { proposal, approve: true })),
        ),
      );
      for (const id of votes) await applied(proposer, id);

      // The validators now let the newcomer in; it catches up by block sync.
      const admittedAt = await top();
      await waitFor(
        "the admitted agency's peer to connect and catch up",
        () => status(newcomer),
        (s) => s !== null && s.peers >= 1 && s.height >= admittedAt,
        WAIT_MS,
      );
      // Signed with the admitted key and sent through its own peer, which gossips it to the validators.
      await applied(
        newcomer,
        await submit(newcomer, tx(newcomer.signer, NEWCOMER, 0, "agency.register", {})),
      );
      await waitFor(
        "the validators to hold the newcomer's account",
        () => api<{ seq?: number }>(proposer, `/v1/accounts/${NEWCOMER}`),
        (a) => a?.seq === 1,
        WAIT_MS,
      );

      // It follows the chain as it grows, on the same blocks.
      const target = (await top()) + 2;
      const followed = await waitFor(
        "the newcomer to follow two more blocks",
        () => status(newcomer),
        (s) => s !== null && s.height >= target,
        WAIT_MS,
      );
      assert.equal(followed?.halted, false);
      const blocks = await Promise.all(
        nodes.map((n) => api<{ hash: string; appHash: string }>(n, `/v1/blocks/${target}`)),
      );
      const first = blocks[0];
      assert.ok(first);
      assert.ok(
        blocks.every((b) => b !== null && b.hash === first.hash && b.appHash === first.appHash),
        JSON.stringify(blocks),
      );
      const connected = await validatorStatus();
      assert.ok(
        connected.every((s) => s !== null && s.peers === 3),
        `each validator is connected to the two others and the newcomer: ${JSON.stringify(connected)}`,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${dump()}`);
    }
    for (const n of nodes) await stopNode(n);
  });
});
