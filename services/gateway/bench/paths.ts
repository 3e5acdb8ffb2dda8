import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHasher, createVerifier, type Ledger } from "@coken/ledger";
import type { Store } from "@coken/store";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { createYoga } from "graphql-yoga";
import { ANSWER_DOCUMENT, createFederationClient } from "../src/federation/client.js";
import type { FederationClient } from "../src/federation/types.js";
import { createGatewayMetrics } from "../src/observability/metrics.js";
import { createPeerEndpoint, DEFAULT_PEER_ENDPOINT_OPTIONS } from "../src/provider/endpoint.js";
import { JsonScalar, peerTypeDefs } from "../src/provider/schema.js";
import { type ReceiptCommit, ReceiptIssuer } from "../src/receipts/issuer.js";
import { createGatewayServer } from "../src/server.js";
import { ASKER, type benchWorld, DATASET, PROVIDER, ROWS, signerOf } from "./world.js";

type World = Awaited<ReturnType<typeof benchWorld>>;

export interface Mode {
  name: string;
  bare: (i: number) => Promise<void>;
  coken: (i: number) => Promise<void>;
}

const keyOf = (i: number) => `p-${(i * 7919) % ROWS}`;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A bare graphql-yoga with the peer schema answering lookups from the same rows, and nothing else. */
function bareYoga(store: Store) {
  return createYoga({
    logging: false,
    graphqlEndpoint: "/peer/graphql",
    schema: makeExecutableSchema({
      typeDefs: peerTypeDefs,
      resolvers: {
        JSON: JsonScalar,
        Query: {
          answer: async (_: unknown, args: { dataset: string; query: { key: string; fields: string[] } }) => {
            const row = await store.localData.getRow(args.dataset, args.query.key);
            const fields: Record<string, unknown> = {};
            for (const f of args.query.fields) fields[f] = row?.fields[f] ?? null;
            return {
              result: { kind: "lookup", found: row !== null, fields },
              proof: null,
              receiptId: "",
              providerTime: Date.now(),
            };
          },
        },
      },
    }),
  });
}

type FetchHandler = { fetch(url: string, init: RequestInit): Response | Promise<Response> };

export interface ProviderServers {
  bare: FetchHandler;
  peer: FetchHandler;
  bareUrl: string;
  gatewayUrl: string;
  close(): Promise<void>;
}

/**
 * The provider's side over its store: a bare yoga (in process and on its own Node server) and the Coken
 * provider endpoint (in process and mounted at /peer/graphql of the gateway's HTTP server).
 */
export async function providerServers(
  ledger: Ledger,
  store: Store,
  receiptCommit: ReceiptCommit = "flush",
): Promise<ProviderServers> {
  const hasher = createHasher("sha256");
  const repo = store.gateway;
  if (repo === undefined) throw new Error("store without gateway repository");
  const bare = bareYoga(store);
  const peer = createPeerEndpoint(
    {
      self: PROVIDER,
      signer: signerOf(PROVIDER),
      hasher,
      verifier: createVerifier(),
      ledger: ledger.state,
      rows: store.localData,
      issuer: await ReceiptIssuer.open(hasher, repo, receiptCommit),
      repo,
      now: Date.now,
    },
    // Rate limits off: the bench measures the path, not the limiter's refusals.
    { ...DEFAULT_PEER_ENDPOINT_OPTIONS, rateLimit: { perSecond: 1e9, burst: 1e9 } },
  );
  const bareServer = createServer(bare);
  const bareUrl = await listen(bareServer);
  const gateway = createGatewayServer({ officialRateLimit: null })({
    official: {
      self: PROVIDER,
      ledger: ledger.state,
      chain: store.ledger,
      federation: { call: () => Promise.reject(new Error("not used by the bench")) },
    },
    peerEndpoint: peer,
    metrics: createGatewayMetrics(),
  });
  const gatewayUrl = await gateway.listen();
  return {
    bare,
    peer,
    bareUrl,
    gatewayUrl,
    close: async () => {
      await gateway.close();
      await new Promise((r) => bareServer.close(r));
    },
  };
}

/** The asker's side: a bare GraphQL call and a Coken federation client call, both checking the answer. */
export function askerCalls(ledger: Ledger, grant: string, askerStore: Store) {
  const calls = askerStore.gateway;
  if (calls === undefined) throw new Error("store without gateway repository");
  const init = (body: string): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const bare = (send: (init: RequestInit) => Promise<Response>) => async (i: number) => {
    const body = JSON.stringify({
      query: ANSWER_DOCUMENT,
      variables: {
        dataset: DATASET,
        grant,
        query: { kind: "lookup", key: keyOf(i), fields: ["area", "district"] },
      },
    });
    const json = (await (await send(init(body))).json()) as {
      data?: { answer?: { result?: { found?: boolean } } };
    };
    if (json.data?.answer?.result?.found !== true) throw new Error("bare answer missing");
  };
  const coken = (peerUrl: string, fetchFn: typeof fetch) => {
    const client: FederationClient = createFederationClient({
      self: ASKER,
      signer: signerOf(ASKER),
      hasher: createHasher("sha256"),
      verifier: createVerifier(),
      ledger: ledger.state,
      peerUrl: () => peerUrl,
      now: Date.now,
      fetch: fetchFn,
      calls,
    });
    return async (i: number) => {
      const answer = await client.call({
        provider: PROVIDER,
        dataset: DATASET,
        grant,
        query: { kind: "lookup", key: keyOf(i), fields: ["area", "district"] },
      });
      if (answer.result.kind !== "lookup" || !answer.result.found) throw new Error("coken answer missing");
    };
  };
  return { bare, coken };
}

/**
 * Both paths over one world: in process (no HTTP) and over one loopback HTTP hop (bare: yoga's own Node
 * server; Coken: the gateway server with the provider endpoint mounted at /peer/graphql).
 */
export async function buildPaths(
  world: World,
  receiptCommit: ReceiptCommit = "flush",
): Promise<{ modes: Mode[]; close(): Promise<void> }> {
  const provider = await providerServers(world.ledger, world.providerStore, receiptCommit);
  const asker = askerCalls(world.ledger, world.grant, world.askerStore);
  const inProcess = ((u: string | URL | Request, i?: RequestInit) =>
    provider.peer.fetch(String(u), i ?? {})) as typeof fetch;
  return {
    modes: [
      {
        name: "local (in process)",
        bare: asker.bare((init) => Promise.resolve(provider.bare.fetch("http://bench/peer/graphql", init))),
        coken: asker.coken("http://provider", inProcess),
      },
      {
        name: "remote (one HTTP hop)",
        bare: asker.bare((init) => fetch(`${provider.bareUrl}/peer/graphql`, init)),
        coken: asker.coken(provider.gatewayUrl, fetch),
      },
    ],
    close: provider.close,
  };
}
