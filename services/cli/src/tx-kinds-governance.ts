import {
  DEFAULT_PARAMS,
  derivedId,
  type GovernanceAction,
  KEY_SCHEMES,
  type Params,
  ROLES,
  type Role,
} from "@coken/ledger";
import { flag, type OptionValues, str } from "./command.js";
import { UsageError } from "./commands.js";
import { exclusive, hex, jsonFile, list, many, oneOf, required, uint } from "./tx-flags.js";
import { actionFromJson } from "./tx-json.js";
import type { TxSpec } from "./tx-spec.js";

const ACTIONS = ["validators.set", "params.set", "agency.admit", "agency.roles"] as const;
const ACTION_FLAGS = [
  "action",
  "validator",
  "param",
  "agency",
  "name",
  "region",
  "public-key",
  "key-scheme",
  "roles",
];
const PARAM_NAMES = Object.keys(DEFAULT_PARAMS) as (keyof Params)[];

function roles(v: OptionValues): Role[] {
  const given = list(required(v, "roles", `some of ${ROLES.join(", ")}`));
  if (given.length === 0) throw new UsageError(`--roles needs at least one of ${ROLES.join(", ")}`);
  return given.map((r) => oneOf(r, "roles", ROLES));
}

function actionFromFlags(v: OptionValues): GovernanceAction {
  const type = oneOf(required(v, "action", ACTIONS.join(", ")), "action", ACTIONS);
  switch (type) {
    case "validators.set": {
      const validators = many(v, "validator").map((text) => {
        const m = /^([^:]+):(\d{1,7})$/.exec(text);
        if (!m) throw new UsageError(`--validator ${text}: expected AGENCY:POWER, e.g. sh.land-registry:10`);
        return { agency: m[1] as string, power: Number(m[2]) };
      });
      if (validators.length === 0)
        throw new UsageError("validators.set needs the whole new set: --validator AGENCY:POWER (repeatable)");
      return { type, validators };
    }
    case "params.set": {
      const params: Partial<Params> = {};
      for (const text of many(v, "param")) {
        const m = /^([A-Za-z]+)=(.*)$/.exec(text);
        const name = m?.[1] as keyof Params | undefined;
        if (!m || name === undefined || !PARAM_NAMES.includes(name))
          throw new UsageError(
            `--param ${text}: expected NAME=VALUE with NAME one of ${PARAM_NAMES.join(", ")}`,
          );
        params[name] = uint(m[2] as string, `param ${name}`);
      }
      if (Object.keys(params).length === 0)
        throw new UsageError("params.set needs --param NAME=VALUE (repeatable)");
      return { type, params };
    }
    case "agency.admit":
      return {
        type,
        agency: {
          id: required(v, "agency", "the admitted agency's id"),
          name: required(v, "name", "the agency's name"),
          region: required(v, "region", "its region, e.g. CN-SH"),
          publicKey: hex(required(v, "public-key", "its key, hex (coken keys show)"), "--public-key"),
          keyScheme: oneOf(str(v, "key-scheme") ?? "ed25519", "key-scheme", KEY_SCHEMES),
          roles: roles(v),
        },
      };
    case "agency.roles":
      return { type, agency: required(v, "agency", "the agency whose roles change"), roles: roles(v) };
  }
}

/** agency.register, governance.propose and governance.vote. */
export const governanceSpecs: TxSpec[] = [
  {
    name: "register",
    kind: "agency.register",
    summary: "register this agency once governance has admitted it (agency.register)",
    details:
      "Signed with the key the admission names (proof of possession); its sequence number is always 0.",
    options: {},
    build: () => ({ kind: "agency.register", payload: {} }),
  },
  {
    name: "propose",
    kind: "governance.propose",
    summary:
      "propose a governance action for the validators to vote on (governance.propose; validators only)",
    details:
      'The action comes from flags or from --file ACTION.json, e.g. {"type": "params.set", "params":\n' +
      '{"proposalTtl": 500}} or {"type": "agency.admit", "agency": {"id", "name", "region", "publicKey" (hex),\n' +
      '"keyScheme", "roles"}}. Prints the proposal id; the proposer\'s own approval is counted at once.\n' +
      "  validators.set  --validator AGENCY:POWER (repeatable: the whole new set; it decides blocks from the\n" +
      "                  second after the one that passes it)\n" +
      `  params.set      --param NAME=VALUE (repeatable; ${PARAM_NAMES.join(", ")})\n` +
      "  agency.admit    --agency ID --name TEXT --region R --public-key HEX [--key-scheme S] --roles LIST\n" +
      "  agency.roles    --agency ID --roles LIST",
    options: {
      file: { type: "string", value: "ACTION.json", description: "the action as JSON" },
      action: { type: "string", value: "TYPE", description: ACTIONS.join(", ") },
      validator: {
        type: "string",
        value: "AGENCY:POWER",
        description: "validators.set: a member",
        multiple: true,
      },
      param: {
        type: "string",
        value: "NAME=VALUE",
        description: "params.set: one parameter",
        multiple: true,
      },
      agency: { type: "string", value: "ID", description: "agency.admit, agency.roles: the agency" },
      name: { type: "string", value: "TEXT", description: "agency.admit: its name" },
      region: { type: "string", value: "REGION", description: "agency.admit: its region" },
      "public-key": { type: "string", value: "HEX", description: "agency.admit: its public key" },
      "key-scheme": { type: "string", value: "S", description: "agency.admit: ed25519 (default) or sm2" },
      roles: { type: "string", value: "LIST", description: `agency.admit, agency.roles: ${ROLES.join(",")}` },
    },
    async build(v) {
      exclusive(v, "file", ACTION_FLAGS);
      const file = str(v, "file");
      const action =
        file !== undefined ? actionFromJson(await jsonFile(file, "file"), file) : actionFromFlags(v);
      return {
        kind: "governance.propose",
        payload: { action },
        derived: (t, seq) => ({ proposal: derivedId(t.hasher, "proposal", t.agency, seq) }),
      };
    },
  },
  {
    name: "vote",
    kind: "governance.vote",
    summary: "vote on an open proposal (governance.vote; validators only)",
    options: {
      proposal: {
        type: "string",
        value: "ID",
        description: "the proposal id (32 hex characters)",
        required: true,
      },
      approve: { type: "boolean", description: "vote yes" },
      reject: { type: "boolean", description: "vote no" },
    },
    build(v) {
      if (flag(v, "approve") === flag(v, "reject"))
        throw new UsageError("vote with exactly one of --approve or --reject");
      return {
        kind: "governance.vote",
        payload: { proposal: required(v, "proposal", "the proposal id"), approve: flag(v, "approve") },
      };
    },
  },
];
