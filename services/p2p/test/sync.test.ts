import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isNetworkError, type Network, type NetworkErrorCode } from "../src/index.js";
import { peerIds, startCluster, stopAll } from "./helpers.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const code = (c: NetworkErrorCode, remote?: boolean) => (e: unknown) =>
  isNetworkError(e, c) && (remote === undefined || e.remote === remote);

describe("sync request/response", () => {
  let nodes: Network[] = [];
  let client: Network;
  let server: Network;
  let never: () => void = () => {};

  before(async () => {
    // The server takes frames of up to 1 KiB and gives a read 300 ms; the client takes frames of up to 64 KiB.
    ({ nodes } = await startCluster(2, (i) =>
      i === 0 ? { maxFrameBytes: 1024 } : { maxFrameBytes: 64 * 1024 },
    ));
    [server, client] = nodes as [Network, Network];
    const hung = new Promise<Uint8Array>((resolve) => {
      never = () => resolve(new Uint8Array());
    });
    server.handle(async (req, from) => {
      if (Object.getPrototypeOf(req) !== Uint8Array.prototype)
        throw new Error("request is not a plain Uint8Array");
      const ask = text(req);
      if (ask === "boom") throw new Error("no block at height 7");
      if (ask === "hang") return hung;
      if (ask === "huge") return new Uint8Array(2048);
      if (ask === "slow") await new Promise((resolve) => setTimeout(resolve, 600));
      return bytes(`${ask}:${from.toString()}`);
    });
    client.handle(async () => new Uint8Array(50 * 1024));
  });
  after(async () => {
    never();
    await stopAll(nodes);
  });

  it("answers a request with the handler's bytes", async () => {
    const answer = await client.request(server.peerId, bytes("height 1"));
    assert.equal(Object.getPrototypeOf(answer), Uint8Array.prototype, "a plain Uint8Array, not a Buffer");
    assert.equal(text(answer), `height 1:${client.peerId}`);
    const many = await Promise.all([1, 2, 3, 4, 5].map((n) => client.request(server.peerId, bytes(`h${n}`))));
    assert.deepEqual(
      many.map(text),
      [1, 2, 3, 4, 5].map((n) => `h${n}:${client.peerId}`),
    );
    assert.equal((await client.request(server.peerId, new Uint8Array())).length, `:${client.peerId}`.length);
  });

  it("turns a throwing handler into REMOTE_ERROR with its message", async () => {
    await assert.rejects(client.request(server.peerId, bytes("boom")), (e) => {
      return code("REMOTE_ERROR", true)(e) && /no block at height 7/.test((e as Error).message);
    });
  });

  it("times out a request the handler never answers, and honours the caller's signal", async () => {
    await assert.rejects(client.request(server.peerId, bytes("hang"), { timeoutMs: 200 }), code("TIMEOUT"));
    const ctrl = new AbortController();
    const pending = client.request(server.peerId, bytes("hang"), { signal: ctrl.signal });
    ctrl.abort();
    await assert.rejects(pending, code("ABORTED"));
    // The connection is still good afterwards.
    assert.equal(text(await client.request(server.peerId, bytes("ok"))), `ok:${client.peerId}`);
  });

  it("lets a handler take longer than the serving side's read allowance", async () => {
    const answer = await client.request(server.peerId, bytes("slow"), { timeoutMs: 10_000 });
    assert.equal(text(answer), `slow:${client.peerId}`);
  });

  it("refuses frames over the bound on either side", async () => {
    await assert.rejects(
      client.request(server.peerId, new Uint8Array(64 * 1024 + 1)),
      code("FRAME_TOO_LARGE", false),
    );
    await assert.rejects(client.request(server.peerId, new Uint8Array(4096)), code("FRAME_TOO_LARGE", true));
    await assert.rejects(
      client.request(server.peerId, new Uint8Array(60 * 1024)),
      code("FRAME_TOO_LARGE", true),
    );
    await assert.rejects(client.request(server.peerId, bytes("huge")), code("FRAME_TOO_LARGE", true));
    await assert.rejects(server.request(client.peerId, bytes("x")), code("FRAME_TOO_LARGE", false));
    assert.equal(text(await client.request(server.peerId, bytes("still"))), `still:${client.peerId}`);
  });

  it("fails fast with NOT_CONNECTED for a peer it has no connection to", async () => {
    const [, , stranger] = await peerIds(3);
    await assert.rejects(client.request(stranger!, bytes("x")), code("NOT_CONNECTED"));
  });

  it("fails requests in flight with CLOSED when the network stops, and refuses new ones", async () => {
    const failed = assert.rejects(
      client.request(server.peerId, bytes("hang"), { timeoutMs: 30_000 }),
      code("CLOSED"),
    );
    await client.stop();
    await failed;
    await assert.rejects(client.request(server.peerId, bytes("x")), code("CLOSED"));
    await assert.rejects(client.publish("txs", bytes("x")), code("CLOSED"));
  });
});
