import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, posix } from "node:path";
import type { PeerConfig } from "@coken/peer";
import { Ajv, type ValidateFunction } from "ajv";
import {
  checkPeerLists,
  type DeployedPeer,
  filesNamed,
  parseConfig,
  parseGenesisText,
  tcpAddress,
} from "./peer-files.js";
import { fields, list, memoryBytes, type ReadFile, yamlDocuments } from "./repo.js";

const require = createRequire(import.meta.url);

/** Where the schema comes from: the Compose Specification schema that the dclint package ships. */
export const COMPOSE_SCHEMA_FILE = join(
  dirname(require.resolve("dclint/package.json")),
  "schemas/compose.schema.json",
);

let validator: ValidateFunction | undefined;

function composeValidator(): ValidateFunction {
  if (validator) return validator;
  const schema = JSON.parse(readFileSync(COMPOSE_SCHEMA_FILE, "utf8")) as Record<string, unknown>;
  // The schema is draft-07, Ajv's default; its $schema spells the draft-07 URI with https, which Ajv does not
  // know by that name. strictTypes off: the schema leaves some `type`s implicit, which is legal JSON Schema.
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
  validator = ajv.compile(schema);
  return validator;
}

/** Schema errors of a Compose document, one line each. */
export function composeSchemaErrors(doc: unknown): string[] {
  const validate = composeValidator();
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(
    (e) => `compose schema: ${e.instancePath || "/"} ${e.message ?? e.keyword}`,
  );
}

/** A file put into a service's container: its path there and, for configs and secrets, the file on the host. */
interface Mount {
  target: string;
  hostFile: string | undefined;
}

function mounts(service: Record<string, unknown>, top: Record<string, unknown>, base: string): Mount[] {
  const out: Mount[] = [];
  for (const [kind, dir] of [
    ["configs", "/"],
    ["secrets", "/run/secrets/"],
  ] as const) {
    const defs = fields(top[kind]);
    for (const entry of list(service[kind])) {
      const e = typeof entry === "string" ? { source: entry } : fields(entry);
      const source = String(e.source);
      const target = e.target === undefined ? `${dir}${source}` : String(e.target);
      const file = fields(defs[source]).file;
      out.push({
        target: target.startsWith("/") ? target : `${dir}${target}`,
        hostFile: typeof file === "string" ? posix.join(base, file) : undefined,
      });
    }
  }
  for (const v of list(service.volumes)) {
    const target = typeof v === "string" ? v.split(":")[1] : fields(v).target;
    if (typeof target === "string") out.push({ target, hostFile: undefined });
  }
  return out;
}

function covered(path: string, all: Mount[]): Mount | undefined {
  return all.find((m) => m.target === path || path.startsWith(`${m.target.replace(/\/$/, "")}/`));
}

/** The config file a peer service runs with: after --config in its command, else the image's default. */
function configPath(service: Record<string, unknown>): string {
  const command = list(service.command).map(String);
  const at = command.indexOf("--config");
  return at >= 0 && command[at + 1] ? (command[at + 1] as string) : "/etc/coken/peer.json";
}

function isPeer(service: Record<string, unknown>): boolean {
  const build = fields(service.build);
  return (
    String(build.dockerfile ?? "").endsWith("deploy/Dockerfile") || /coken-peer/.test(String(service.image))
  );
}

function checkHealthcheck(name: string, service: Record<string, unknown>, config: PeerConfig): string[] {
  const test = list(fields(service.healthcheck).test).map(String).join(" ");
  const urls = [...test.matchAll(/http:\/\/(127\.0\.0\.1|localhost):(\d+)(\/[\w/]*)/g)];
  if (urls.length === 0) return [`${name}: healthcheck asks no http://127.0.0.1:<port>/ endpoint`];
  return urls.flatMap(([url, , port, path]) => [
    ...(Number(port) === config.api.port
      ? []
      : [`${name}: healthcheck ${url} is not on api.port ${config.api.port}`]),
    ...(path === "/readyz" || path === "/healthz"
      ? []
      : [`${name}: healthcheck ${url} is neither /readyz nor /healthz`]),
  ]);
}

/**
 * Problems of a Compose file of Coken peers (schema, then what the schema cannot know): each peer's config
 * parses with the peer's parser, every file it names is mounted, the genesis parses, healthchecks ask the
 * operator API's /readyz or /healthz on its port, the operator API is published on loopback only, each peer
 * waits for its own healthy PostgreSQL, and the peers' addresses reach each other.
 */
export function checkCompose(file: string, read: ReadFile): string[] {
  const [doc] = yamlDocuments(read(file), file);
  const problems = composeSchemaErrors(doc);
  const top = fields(doc);
  const services = fields(top.services);
  const base = posix.dirname(file);
  const peers: (DeployedPeer & { service: Record<string, unknown> })[] = [];
  for (const [name, value] of Object.entries(services)) {
    const service = fields(value);
    const image = String(service.image ?? "");
    if (!/:[\w.-]+$/.test(image) || /:latest$/.test(image))
      problems.push(`${name}: image ${image} has no fixed tag`);
    if (!isPeer(service)) continue;
    const all = mounts(service, top, base);
    const path = configPath(service);
    const mounted = covered(path, all);
    if (!mounted?.hostFile) {
      problems.push(`${name}: its config ${path} is not mounted from a file`);
      continue;
    }
    let config: PeerConfig;
    try {
      config = parseConfig(read(mounted.hostFile), path);
    } catch (e) {
      problems.push(`${name}: ${mounted.hostFile}: ${(e as Error).message}`);
      continue;
    }
    peers.push({ name, config, service });
    for (const f of filesNamed(config)) {
      const m = covered(f.path, all);
      if (!m) problems.push(`${name}: ${f.field} ${f.path} is not mounted`);
      else if (f.field === "genesis" && m.hostFile) {
        try {
          parseGenesisText(read(m.hostFile));
        } catch (e) {
          problems.push(`${name}: genesis ${m.hostFile}: ${(e as Error).message}`);
        }
      }
    }
    problems.push(...checkHealthcheck(name, service, config));
    for (const p of list(service.ports).map(String)) {
      const parts = p.split(":");
      const host = parts.length === 3 ? parts[0] : undefined;
      if (Number(parts.at(-1)) === config.api.port && host !== "127.0.0.1")
        problems.push(`${name}: the operator API is published beyond loopback (${p})`);
    }
    const limit = memoryBytes(fields(fields(fields(service.deploy).resources).limits).memory);
    if (!(limit >= 300 * 2 ** 20 && limit <= 400 * 2 ** 20))
      problems.push(`${name}: memory limit is not near the peer's 300 MiB budget`);
    problems.push(...checkStore(name, service, services, config));
  }
  const genesisFiles = new Set(
    peers.map((p) => covered(p.config.genesis, mounts(p.service, top, base))?.hostFile),
  );
  if (genesisFiles.size > 1)
    problems.push(`the peers mount different genesis files: ${[...genesisFiles].join(", ")}`);
  const [genesisFile] = genesisFiles;
  if (genesisFile) {
    const genesis = parseGenesisText(read(genesisFile));
    problems.push(...checkPeerLists(peers, genesis, (host, port) => reachService(peers, host, port)));
  }
  return problems;
}

function reachService(peers: DeployedPeer[], host: string, port: number) {
  const p = peers.find((x) => x.name === host);
  if (!p) return null;
  if (tcpAddress(p.config.p2p.listen)?.port === port) return { name: p.name, port: "p2p" as const };
  if (p.config.gateway?.port === port) return { name: p.name, port: "gateway" as const };
  return { name: p.name, port: "other" as const };
}

function checkStore(
  name: string,
  service: Record<string, unknown>,
  services: Record<string, unknown>,
  config: PeerConfig,
): string[] {
  if (config.store.kind !== "postgres") return [`${name}: the store is not PostgreSQL`];
  const host = new URL(config.store.url).hostname;
  const db = fields(services[host]);
  if (Object.keys(db).length === 0) return [`${name}: store host ${host} is no service of this file`];
  const problems: string[] = [];
  if (!list(fields(db.healthcheck).test).map(String).includes("pg_isready"))
    problems.push(`${host}: its healthcheck does not run pg_isready`);
  if (fields(fields(service.depends_on)[host]).condition !== "service_healthy")
    problems.push(`${name}: does not wait for ${host} to be healthy`);
  const shared = list(db.networks).filter((n) => list(service.networks).includes(n));
  if (shared.length === 0) problems.push(`${name}: shares no network with ${host}`);
  return problems;
}
