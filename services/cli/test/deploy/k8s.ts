import { posix } from "node:path";
import type { PeerConfig } from "@coken/peer";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { ConfigMap, Namespace, Secret, Service } from "kubernetes-models/v1";
import {
  checkPeerLists,
  checkTrustedDocuments,
  type DeployedPeer,
  filesNamed,
  parseConfig,
  parseGenesisText,
  tcpAddress,
} from "./peer-files.js";
import { fields, list, memoryBytes, type ReadFile, yamlDocuments } from "./repo.js";

type Json = Record<string, unknown>;
type Model = new (data: never) => { validate(): void };

/** The kubernetes-models class (Kubernetes OpenAPI schema and validator) of each kind the manifests use. */
const MODELS: Record<string, Model> = {
  "v1/Namespace": Namespace,
  "v1/Service": Service,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "apps/v1/StatefulSet": StatefulSet,
  "apps/v1/Deployment": Deployment,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

/** Schema errors of one Kubernetes object, checked against its kind's OpenAPI schema. */
export function k8sSchemaErrors(obj: Json, where: string): string[] {
  const kind = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const model = MODELS[kind];
  if (!model) return [`${where}: no schema for ${kind}`];
  try {
    new model(obj as never).validate();
    return [];
  } catch (e) {
    return [`${where}: ${(e as Error).message}`];
  }
}

interface Manifests {
  dir: string;
  read: ReadFile;
  objects: { where: string; obj: Json }[];
  /** Generated ConfigMaps and Secrets: name → key → file (from `dir`). */
  generated: Map<string, Map<string, string>>;
}

function generators(k: Json, kind: string, problems: string[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const g of list(k[kind]).map(fields)) {
    const keys = new Map<string, string>();
    for (const entry of list(g.files).map(String)) {
      const [key, file] = entry.includes("=") ? entry.split("=", 2) : [posix.basename(entry), entry];
      keys.set(key as string, file as string);
      if (kind === "secretGenerator" && !String(file).startsWith("secrets/"))
        problems.push(`kustomization: secret file ${file} lies outside the uncommitted secrets/ folder`);
    }
    out.set(String(g.name), keys);
  }
  return out;
}

/** The file behind `path` inside `container`, through its volume mounts, or why there is none. */
function mountedFile(
  m: Manifests,
  pod: Json,
  container: Json,
  path: string,
): { file: string } | { problem: string } {
  const mount = list(container.volumeMounts)
    .map(fields)
    .find((v) => path.startsWith(`${String(v.mountPath).replace(/\/$/, "")}/`));
  if (!mount) return { problem: `${path} is under no volume mount` };
  const volume = list(pod.volumes)
    .map(fields)
    .find((v) => v.name === mount.name);
  const source = fields(volume?.configMap ?? volume?.secret);
  const name = String(source.name ?? source.secretName);
  const rel = path.slice(String(mount.mountPath).replace(/\/$/, "").length + 1);
  const items = list(source.items).map(fields);
  const key = items.length === 0 ? rel : items.find((i) => i.path === rel)?.key;
  const file = key === undefined ? undefined : m.generated.get(name)?.get(String(key));
  return file === undefined ? { problem: `${path} is not in the volume ${String(mount.name)}` } : { file };
}

function containerPort(container: Json, port: unknown): number | undefined {
  if (typeof port === "number") return port;
  const p = list(container.ports)
    .map(fields)
    .find((x) => x.name === port);
  return typeof p?.containerPort === "number" ? p.containerPort : undefined;
}

function podOf(obj: Json): { pod: Json; labels: Json } {
  const template = fields(fields(obj.spec).template);
  return { pod: fields(template.spec), labels: fields(fields(template.metadata).labels) };
}

function selects(service: Json, labels: Json): boolean {
  const selector = Object.entries(fields(fields(service.spec).selector));
  return selector.length > 0 && selector.every(([k, v]) => labels[k] === v);
}

function checkProbes(name: string, container: Json, config: PeerConfig): string[] {
  const problems: string[] = [];
  const want = {
    livenessProbe: ["/healthz"],
    readinessProbe: ["/readyz"],
    startupProbe: ["/healthz", "/readyz"],
  };
  for (const [probe, paths] of Object.entries(want)) {
    const get = fields(fields(container[probe]).httpGet);
    if (container[probe] === undefined && probe === "startupProbe") continue;
    if (!paths.includes(String(get.path)))
      problems.push(`${name}: ${probe} asks ${String(get.path)}, not ${paths[0]}`);
    const port = containerPort(container, get.port);
    if (port !== config.api.port) problems.push(`${name}: ${probe} port ${String(get.port)} is not api.port`);
  }
  return problems;
}

function checkResources(name: string, container: Json): string[] {
  const r = fields(container.resources);
  const request = memoryBytes(fields(r.requests).memory);
  const limit = memoryBytes(fields(r.limits).memory);
  const problems: string[] = [];
  if (!(request >= 256 * 2 ** 20)) problems.push(`${name}: memory request below 256Mi`);
  if (!(limit >= 300 * 2 ** 20 && limit <= 400 * 2 ** 20))
    problems.push(`${name}: memory limit is not near the peer's 300 MiB budget`);
  return problems;
}

/** Reads kustomization.yaml of `dir` and every resource it lists. */
function load(dir: string, read: ReadFile, problems: string[]): { k: Json; m: Manifests } {
  const k = fields(yamlDocuments(read(`${dir}/kustomization.yaml`), `${dir}/kustomization.yaml`)[0]);
  const generated = generators(k, "configMapGenerator", problems);
  for (const [name, keys] of generators(k, "secretGenerator", problems)) generated.set(name, keys);
  const objects = list(k.resources).flatMap((r) => {
    const file = `${dir}/${String(r)}`;
    return yamlDocuments(read(file), file).map((obj, i) => ({ where: `${file}#${i + 1}`, obj: fields(obj) }));
  });
  return { k, m: { dir, read, objects, generated } };
}

/**
 * Problems of a kustomization of Coken peers: every object against its Kubernetes schema; namespaced; fixed
 * image tags; per peer one replica, probes on the config's api port (/healthz live, /readyz ready), the memory
 * budget, a config that parses, every file it names mounted, a genesis that parses, a PostgreSQL with pg_isready
 * probes behind its store URL; and peers whose addresses reach each other through the Services.
 */
export function checkKustomize(dir: string, read: ReadFile): string[] {
  const problems: string[] = [];
  const { k, m } = load(dir, read, problems);
  if (k.kind !== "Kustomization") problems.push("kustomization: not a Kustomization");
  const namespace = typeof k.namespace === "string" ? k.namespace : "";
  if (!m.objects.some((o) => o.obj.kind === "Namespace" && fields(o.obj.metadata).name === namespace))
    problems.push(`kustomization: namespace "${namespace}" is not among the resources`);
  for (const [, keys] of m.generated)
    for (const file of keys.values()) {
      if (file.startsWith("secrets/")) continue;
      try {
        read(`${dir}/${file}`);
      } catch {
        problems.push(`kustomization: ${file} is missing`);
      }
    }
  const peers: (DeployedPeer & { pod: Json; labels: Json; container: Json })[] = [];
  const genesisFiles = new Set<string>();
  for (const { where, obj } of m.objects) {
    problems.push(...k8sSchemaErrors(obj, where));
    const { pod, labels } = podOf(obj);
    for (const c of [...list(pod.containers), ...list(pod.initContainers)].map(fields)) {
      const image = String(c.image);
      if (!/:[\w.-]+$/.test(image) || /:latest$/.test(image))
        problems.push(`${where}: image ${image} has no fixed tag`);
    }
    const container = list(pod.containers)
      .map(fields)
      .find((c) => String(c.image).startsWith("coken-peer"));
    if (obj.kind !== "StatefulSet" || !container) continue;
    const name = String(fields(obj.metadata).name);
    if (fields(obj.spec).replicas !== 1) problems.push(`${name}: a peer runs exactly one replica`);
    const args = [...list(container.command), ...list(container.args)].map(String);
    const configPath = args[args.indexOf("--config") + 1] ?? "";
    const at = mountedFile(m, pod, container, configPath);
    if ("problem" in at) {
      problems.push(`${name}: its config ${at.problem}`);
      continue;
    }
    let config: PeerConfig;
    try {
      config = parseConfig(read(`${dir}/${at.file}`), configPath);
    } catch (e) {
      problems.push(`${name}: ${at.file}: ${(e as Error).message}`);
      continue;
    }
    peers.push({ name, config, pod, labels, container });
    const env = list(container.env).map(fields);
    const named = [
      ...filesNamed(config),
      ...env
        .filter((e) => String(e.name).endsWith("_FILE"))
        .map((e) => ({ field: String(e.name), path: String(e.value) })),
    ];
    for (const f of named) {
      const file = mountedFile(m, pod, container, f.path);
      if ("problem" in file) problems.push(`${name}: ${f.field} ${file.problem}`);
      else if (f.field === "genesis") {
        genesisFiles.add(file.file);
        try {
          parseGenesisText(read(`${dir}/${file.file}`));
        } catch (e) {
          problems.push(`${name}: genesis ${file.file}: ${(e as Error).message}`);
        }
      } else if (f.field === "gateway.trustedDocuments")
        problems.push(...checkTrustedDocuments(read(`${dir}/${file.file}`), file.file));
    }
    problems.push(...checkProbes(name, container, config), ...checkResources(name, container));
    problems.push(...checkStore(name, config, m));
    for (const port of [tcpAddress(config.p2p.listen)?.port, config.api.port, config.gateway?.port])
      if (port !== undefined && !list(container.ports).some((p) => fields(p).containerPort === port))
        problems.push(`${name}: the container does not declare port ${port}`);
  }
  if (genesisFiles.size !== 1) problems.push(`the peers mount ${genesisFiles.size} genesis files, not one`);
  const [genesisFile] = genesisFiles;
  if (genesisFile) {
    const genesis = parseGenesisText(read(`${dir}/${genesisFile}`));
    const reach = (host: string, port: number) => reachService(m, peers, host, port, problems);
    problems.push(...checkPeerLists(peers, genesis, reach));
  }
  return [...new Set(problems)];
}

function services(m: Manifests): Json[] {
  return m.objects.filter((o) => o.obj.kind === "Service").map((o) => o.obj);
}

function reachService(
  m: Manifests,
  peers: (DeployedPeer & { labels: Json; container: Json })[],
  host: string,
  port: number,
  problems: string[],
) {
  const service = services(m).find((s) => fields(s.metadata).name === host.split(".")[0]);
  const peer = service && peers.find((p) => selects(service, p.labels));
  const entry = list(fields(service?.spec).ports)
    .map(fields)
    .find((p) => p.port === port);
  if (!service || !peer || !entry) return null;
  const target = containerPort(peer.container, entry.targetPort ?? entry.port);
  if (target === tcpAddress(peer.config.p2p.listen)?.port) {
    // A peer is ready only once it reaches others: an address that hides unready pods would never let them meet.
    if (fields(service.spec).publishNotReadyAddresses !== true)
      problems.push(`${host}: a libp2p Service must publish not-ready addresses`);
    return { name: peer.name, port: "p2p" as const };
  }
  if (target === peer.config.gateway?.port) return { name: peer.name, port: "gateway" as const };
  return { name: peer.name, port: "other" as const };
}

function checkStore(name: string, config: PeerConfig, m: Manifests): string[] {
  if (config.store.kind !== "postgres") return [`${name}: the store is not PostgreSQL`];
  const url = new URL(config.store.url);
  const service = services(m).find((s) => fields(s.metadata).name === url.hostname.split(".")[0]);
  if (!service) return [`${name}: store host ${url.hostname} is no Service here`];
  const db = m.objects
    .map((o) => o.obj)
    .find((o) => o.kind === "StatefulSet" && selects(service, podOf(o).labels));
  const postgres = list(podOf(db ?? {}).pod.containers)
    .map(fields)
    .find((c) => String(c.image).startsWith("postgres:"));
  if (!postgres) return [`${name}: Service ${url.hostname} selects no PostgreSQL StatefulSet`];
  const probe = list(fields(fields(postgres.readinessProbe).exec).command).map(String);
  return probe.includes("pg_isready") ? [] : [`${url.hostname}: readiness does not run pg_isready`];
}
