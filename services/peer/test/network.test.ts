import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createHasher, encodeTx, signTx, type TxBody } from "@coken/ledger";
import {
  api,
  type ClusterNode,
  prepareCluster,
  type Status,
  startNode,
  stopNode,
  waitFor,
} from "./cluster.js";

const VALIDATORS = ["sh.land-registry", "bj.housing", "gz.tax", "sz.courts"];
const OBSERVER = "hz.auditor";

describe("four validator processes and an observer over libp2p", () => {
  let dir = "";
  let nodes: ClusterNode[] = [];

  after(async () => {
    await Promise.all(nodes.map((n) => stopNode(n, "SIGKILL")));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const heights = () => Promise.all(nodes.map((n) => api<Status>(n, "/v1/status")));

  it("commit blocks, survive kill -9 of one validator, and let it catch up to the same app hash", async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-cluster-"));
    nodes = await prepareCluster(dir, [...VALIDATORS, OBSERVER], [OBSERVER]);
    for (const n of nodes) startNode(n);
    const dump = () => nodes.map((n) => `--- ${n.agency}\n${n.log.slice(-5).join("")}`).join("\n");
    try {
      await waitFor(
        "all five, the observer too, to reach height 3",
        heights,
        (s) => s.every((x) => x !== null && x.height >= 3),
        90_000,
      );

      // Transfers submitted to one peer are gossiped and committed.
      const h = createHasher("sha256");
      const sender = nodes[0] as ClusterNode;
      for (let seq = 0; seq < 5; seq++) {
        const body = {
          chain: "coken-cluster",
          kind: "credit.transfer",
          sender: sender.agency,
          seq,
          payload: { to: "bj.housing", amount: 1n, memo: "" },
        } as TxBody;
        const accepted = await api<{ id?: string }>(
          sender,
          "/v1/txs",
          encodeTx(signTx(h, sender.signer, body)),
        );
        assert.ok(accepted?.id, JSON.stringify(accepted));
      }

      const victim = nodes[3] as ClusterNode;
      await stopNode(victim, "SIGKILL");
      const before = Math.max(...(await heights()).flatMap((s) => (s ? [s.height] : [])));
      const alive = nodes.filter((n) => n !== victim);
      await waitFor(
        "the other three to commit three more heights",
        () => Promise.all(alive.map((n) => api<Status>(n, "/v1/status"))),
        (s) => s.every((x) => x !== null && x.height >= before + 3),
        90_000,
      );

      startNode(victim);
      const target = Math.max(...(await heights()).flatMap((s) => (s ? [s.height] : [])));
      await waitFor(
        "the restarted peer to catch up",
        () => api<Status>(victim, "/v1/status"),
        (s) => s !== null && s.height >= target,
        90_000,
      );
      const blocks = await Promise.all(
        nodes.map((n) => api<{ appHash: string; hash: string }>(n, `/v1/blocks/${target}`)),
      );
      assert.ok(
        blocks.every((b) => b !== null && b.appHash === blocks[0]?.appHash && b.hash === blocks[0]?.hash),
        JSON.stringify(blocks),
      );
      const statuses = await heights();
      assert.ok(statuses.every((s) => s !== null && !s.halted));
      // The five transfers are in the chain, once each.
      let txs = 0;
      for (let height = 1; height <= target; height++)
        txs += (await api<{ txs: number }>(sender, `/v1/blocks/${height}`))?.txs ?? 0;
      assert.equal(txs, 5);
      assert.ok(
        victim.log.join("").includes("caught up by block sync"),
        "the restarted peer used block sync",
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${dump()}`);
    }
    for (const n of nodes) await stopNode(n);
  });
});
