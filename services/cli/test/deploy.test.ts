import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { ed25519Signer, toHex } from "@coken/ledger";
import { DCLinter } from "dclint";
import { checkCompose } from "./deploy/compose.js";
import { checkKustomize, k8sSchemaErrors } from "./deploy/k8s.js";
import { parseGenesisText } from "./deploy/peer-files.js";
import { editedFile, fields, list, REPO, readRepoFile, yamlDocuments } from "./deploy/repo.js";
import { checkInstance, checkUnit, parseUnit } from "./deploy/systemd.js";

const COMPOSE = "deploy/compose.yaml";
const K8S = "deploy/k8s";
const UNIT = "deploy/systemd/coken-peer@.service";
const UNIT_CONFIG = "deploy/systemd/example/peer.json";

/** Asserts that some problem matches `pattern` (a broken file must be caught, and for the right reason). */
function assertCaught(problems: string[], pattern: RegExp): void {
  assert.ok(
    problems.some((p) => pattern.test(p)),
    `expected a problem matching ${pattern}, got:\n${problems.join("\n")}`,
  );
}

describe("deploy/compose.yaml", () => {
  it("matches the Compose Specification and wires each peer to its config, genesis, store and probes", () => {
    assert.deepEqual(checkCompose(COMPOSE, readRepoFile), []);
  });

  it("passes dclint's rules on image tags, project name, published ports and container names", () => {
    // dclint turns on every rule the config leaves out; its ordering and quoting rules are style, off here.
    // No build-and-image rule either: the peer services build the image and name it with a fixed tag.
    const off = [
      "no-build-and-image",
      "no-quotes-in-volumes",
      "require-quotes-in-ports",
      "service-keys-order",
    ];
    off.push("service-dependencies-alphabetical-order", "service-ports-alphabetical-order");
    off.push("services-alphabetical-order", "top-level-properties-order");
    const on = [
      "service-image-require-explicit-tag",
      "no-duplicate-exported-ports",
      "no-unbound-port-interfaces",
    ];
    on.push("no-duplicate-container-names", "no-version-field", "require-project-name-field");
    on.push("service-container-name-regex");
    const rules = Object.fromEntries([...off.map((r) => [r, 0]), ...on.map((r) => [r, 2])]);
    const linter = new DCLinter({ rules, quiet: true, debug: false, exclude: [] });
    const [result] = linter.lintFiles([join(REPO, COMPOSE)], false);
    assert.deepEqual(
      result?.messages.map((m: { rule: string; message: string }) => `${m.rule}: ${m.message}`),
      [],
    );
  });

  it("refuses a key that the specification does not have", () => {
    const read = editedFile(readRepoFile, COMPOSE, (t) =>
      t.replace("stop_grace_period:", "stop_grace_periode:"),
    );
    assertCaught(checkCompose(COMPOSE, read), /compose schema: .* must NOT have additional properties/);
  });

  it("refuses a healthcheck on a misspelt path", () => {
    const read = editedFile(readRepoFile, COMPOSE, (t) => t.replace("7001/readyz", "7001/readz"));
    assertCaught(checkCompose(COMPOSE, read), /healthcheck .*\/readz is neither \/readyz nor \/healthz/);
  });

  it("refuses a healthcheck on another port than api.port", () => {
    const read = editedFile(readRepoFile, COMPOSE, (t) =>
      t.replace("127.0.0.1:7001/readyz", "127.0.0.1:8443/readyz"),
    );
    assertCaught(checkCompose(COMPOSE, read), /healthcheck .* is not on api\.port 7001/);
  });

  it("refuses a peer whose genesis is not mounted", () => {
    const read = editedFile(readRepoFile, COMPOSE, (t) =>
      t.replace("      - source: genesis\n        target: /etc/coken/genesis.json\n", ""),
    );
    assertCaught(checkCompose(COMPOSE, read), /genesis \/etc\/coken\/genesis\.json is not mounted/);
  });

  it("refuses a config the peer would refuse", () => {
    const file = "deploy/config/hn.land-registry.json";
    const read = editedFile(readRepoFile, file, (t) => t.replace('"api": {', '"apii": {'));
    assertCaught(checkCompose(COMPOSE, read), /hn\.land-registry\.json: .*apii.*unknown field/);
  });

  it("refuses a peer address with another agency's peer id", () => {
    const file = "deploy/config/hn.tax-bureau.json";
    const regulator = "12D3KooWHzUchvFWtsCdXzRDZNvjou9Wz3o96R4WvTKVB3CVU8M8";
    const read = editedFile(readRepoFile, file, (t) =>
      t.replace(/(hn-land-registry\/tcp\/4001\/p2p\/)\w+/, `$1${regulator}`),
    );
    assertCaught(checkCompose(COMPOSE, read), /gives hn-land-registry another peer id/);
  });

  it("refuses an operator API published beyond loopback", () => {
    const read = editedFile(readRepoFile, COMPOSE, (t) => t.replace("127.0.0.1:7101:7001", "7101:7001"));
    assertCaught(checkCompose(COMPOSE, read), /operator API is published beyond loopback/);
  });

  it("has a collector whose pipelines use only components it defines", () => {
    const [doc] = yamlDocuments(readRepoFile("deploy/config/otel-collector.yaml"), "otel-collector.yaml");
    const c = fields(doc);
    const pipelines = Object.entries(fields(fields(c.service).pipelines));
    assert.ok(pipelines.length > 0);
    for (const [name, p] of pipelines)
      for (const kind of ["receivers", "processors", "exporters"])
        for (const id of list(fields(p)[kind]))
          assert.ok(
            String(id) in fields(c[kind]),
            `pipeline ${name} uses ${kind} ${String(id)}, not defined`,
          );
  });
});

describe("deploy/k8s", () => {
  const peerFile = `${K8S}/hn.land-registry.yaml`;

  it("matches the Kubernetes schemas and wires each peer to its config, genesis, store, probes and Services", () => {
    assert.deepEqual(checkKustomize(K8S, readRepoFile), []);
  });

  it("refuses a container without its required name", () => {
    const read = editedFile(readRepoFile, peerFile, (t) =>
      t.replace("        - name: peer\n          image:", "        - image:"),
    );
    assertCaught(checkKustomize(K8S, read), /containers\/0 must have required property name/);
  });

  it("refuses a readiness probe on a misspelt path", () => {
    const read = editedFile(readRepoFile, peerFile, (t) => t.replace("path: /readyz", "path: /ready"));
    assertCaught(checkKustomize(K8S, read), /hn-land-registry: readinessProbe asks \/ready, not \/readyz/);
  });

  it("refuses a liveness probe on another port than the operator API's", () => {
    const read = editedFile(readRepoFile, peerFile, (t) =>
      t.replace(
        "livenessProbe:\n            httpGet:\n              path: /healthz\n              port: api",
        "livenessProbe:\n            httpGet:\n              path: /healthz\n              port: gateway",
      ),
    );
    assertCaught(checkKustomize(K8S, read), /livenessProbe port gateway is not api\.port/);
  });

  it("refuses a file the config names that the volume leaves out", () => {
    const read = editedFile(readRepoFile, peerFile, (t) =>
      t.replace(
        "              - key: trusted-documents.json\n                path: trusted-documents.json\n",
        "",
      ),
    );
    assertCaught(checkKustomize(K8S, read), /gateway\.trustedDocuments .* is not in the volume config/);
  });

  it("refuses a libp2p Service that hides peers until they are ready", () => {
    const read = editedFile(readRepoFile, peerFile, (t) =>
      t.replace("publishNotReadyAddresses: true", "publishNotReadyAddresses: false"),
    );
    assertCaught(
      checkKustomize(K8S, read),
      /hn-land-registry-p2p: a libp2p Service must publish not-ready addresses/,
    );
  });

  it("refuses a Service whose port is not a number", () => {
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "x" },
      spec: { ports: [{ port: "p2p" }] },
    };
    assertCaught(k8sSchemaErrors(service, "x"), /must be integer/);
  });

  it("mounts the same genesis as compose.yaml", () => {
    assert.equal(readRepoFile(`${K8S}/config/genesis.json`), readRepoFile("deploy/config/genesis.json"));
  });
});

describe("deploy/systemd", () => {
  const unit = () => parseUnit(readRepoFile(UNIT), UNIT);

  it("has the sections, keys and hardening a peer's unit needs", () => {
    assert.deepEqual(checkUnit(unit()), []);
  });

  it("runs the example config as an instance: data under ReadWritePaths, secrets beside the config", () => {
    assert.deepEqual(checkInstance(unit(), "hn.land-registry", UNIT_CONFIG, readRepoFile), []);
  });

  it("refuses a unit without NoNewPrivileges", () => {
    const text = readRepoFile(UNIT).replace("NoNewPrivileges=yes\n", "");
    assertCaught(checkUnit(parseUnit(text, UNIT)), /\[Service\] NoNewPrivileges/);
  });

  it("refuses a data folder outside ReadWritePaths", () => {
    const read = editedFile(readRepoFile, UNIT_CONFIG, (t) =>
      t.replace("/var/lib/coken/hn.land-registry/db", "/srv/coken/db"),
    );
    assertCaught(
      checkInstance(unit(), "hn.land-registry", UNIT_CONFIG, read),
      /store\.dataDir \/srv\/coken\/db is not in ReadWritePaths/,
    );
  });
});

describe("deploy example network", () => {
  it("has example keys (public seeds in scripts/example-secrets.mjs) that are the genesis keys", async () => {
    const script = (await import(pathToFileURL(join(REPO, "deploy/scripts/example-secrets.mjs")).href)) as {
      EXAMPLE_AGENCIES: string[];
      exampleSeed(agency: string): Uint8Array;
    };
    const genesis = parseGenesisText(readRepoFile("deploy/config/genesis.json"));
    assert.deepEqual(
      genesis.agencies.map((a) => [a.id, toHex(a.publicKey)]),
      script.EXAMPLE_AGENCIES.map((a) => [a, toHex(ed25519Signer(script.exampleSeed(a)).publicKey)]),
    );
  });

  it("builds an image that runs the peer with its heap caps as a non-root user", () => {
    const dockerfile = readRepoFile("deploy/Dockerfile");
    const stages = dockerfile.split(/^FROM /m).slice(1);
    assert.ok(stages.length >= 2, "multi-stage");
    const runtime = stages.at(-1) ?? "";
    assert.match(runtime, /^USER (?!root)\w+/m);
    assert.match(
      runtime,
      /CMD \["node", "--max-old-space-size=192", "--max-semi-space-size=8", "services\/cli\/dist\/src\/main\.js", "peer", "start", "--config", /,
    );
  });
});
