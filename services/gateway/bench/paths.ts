import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHasher, createVerifier } from "@coken/ledger";
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
function bareYoga(world: World) {
  return createYoga({
    logging: false,
    graphqlEndpoint: "/peer/graphql",
    schema: makeExecutableSchema({
      typeDefs: peerTypeDefs,
      resolvers: {
        JSON: JsonScalar,
        Query: {
          answer: async (_: unknown, args: { dataset: string; query: { key: string; fields: string[] } }) => {
            const row = await world.providerStore.localData.getRow(args.dataset, args.query.key);
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

/**
 * Both paths over one world: in process (no HTTP) and over one loopback HTTP hop (bare: yoga's own Node
 * server; Coken: the gateway server with the provider endpoint mounted at /peer/graphql).
 */
export async function buildPaths(
  world: World,
  receiptCommit: ReceiptCommit = "flush",
): Promise<{ modes: Mode[]; close(): Promise<void> }> {
  const hasher = createHasher("sha256");
  const verifier = createVerifier();
  const state = world.ledger.state;
  const repo = world.providerStore.gateway;
  const askerRepo = world.askerStore.gateway;
  if (repo === undefined || askerRepo === undefined) throw new Error("store without gateway repository");

  const bare = bareYoga(world);
  const bareCall = (send: (body: string) => Promise<Response>) => async (i: number) => {
    const body = JSON.stringify({
      query: ANSWER_DOCUMENT,
      variables: {
        dataset: DATASET,
        grant: world.grant,
        query: { kind: "lookup", key: keyOf(i), fields: ["area", "district"] },
      },
    });
    const json = (await (await send(body)).json()) as {
      data?: { answer?: { result?: { found?: boolean } } };
    };
    if (json.data?.answer?.result?.found !== true) throw new Error("bare answer missing");
  };
  const init = (body: string): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

  const peer = createPeerEndpoint(
    {
      self: PROVIDER,
      signer: signerOf(PROVIDER),
      hasher,
      verifier,
      ledger: state,
      rows: world.providerStore.localData,
      issuer: await ReceiptIssuer.open(hasher, repo, receiptCommit),
      repo,
      now: Date.now,
    },
    // Rate limits off: the bench measures the path, not the limiter's refusals.
    { ...DEFAULT_PEER_ENDPOINT_OPTIONS, rateLimit: { perSecond: 1e9, burst: 1e9 } },
  );
  const client = (peerUrl: string, fetchFn: typeof fetch): FederationClient =>
    createFederationClient({
      self: ASKER,
      signer: signerOf(ASKER),
      hasher,
      verifier,
      ledger: state,
      peerUrl: () => peerUrl,
      now: Date.now,
      fetch: fetchFn,
      calls: askerRepo,
    });
  const cokenCall = (c: FederationClient) => async (i: number) => {
    const answer = await c.call({
      provider: PROVIDER,
      dataset: DATASET,
      grant: world.grant,
      query: { kind: "lookup", key: keyOf(i), fields: ["area", "district"] },
    });
    if (answer.result.kind !== "lookup" || !answer.result.found) throw new Error("coken answer missing");
  };

  const bareServer = createServer(bare);
  const bareUrl = await listen(bareServer);
  const gateway = createGatewayServer({ officialRateLimit: null })({
    official: {
      self: PROVIDER,
      ledger: state,
      chain: world.providerStore.ledger,
      federation: { call: () => Promise.reject(new Error("not used by the bench")) },
    },
    peerEndpoint: peer,
    metrics: createGatewayMetrics(),
  });
  const gatewayUrl = await gateway.listen();
  const inProcess = ((u: string | URL | Request, i?: RequestInit) =>
    peer.fetch(String(u), i ?? {})) as typeof fetch;

  return {
    modes: [
      {
        name: "local (in process)",
        bare: bareCall(async (body) => bare.fetch("http://bench/peer/graphql", init(body))),
        coken: cokenCall(client("http://provider", inProcess)),
      },
      {
        name: "remote (one HTTP hop)",
        bare: bareCall((body) => fetch(`${bareUrl}/peer/graphql`, init(body))),
        coken: cokenCall(client(gatewayUrl, fetch)),
      },
    ],
    close: async () => {
      await gateway.close();
      await new Promise((r) => bareServer.close(r));
    },
  };
}
