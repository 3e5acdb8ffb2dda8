import { derivedId, FREEZE_KINDS } from "@coken/ledger";
import { str } from "./command.js";
import { UsageError } from "./commands.js";
import { hex, list, many, oneOf, required, u64 } from "./tx-flags.js";
import { REASON, type TxSpec } from "./tx-spec.js";

const AMOUNT = {
  type: "string",
  value: "N",
  description: "credits, a whole number",
  required: true,
} as const;

/** A whole number of units. */
function count(value: string, name: string): number {
  if (!/^(0|[1-9][0-9]{0,14})$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

/** credit.transfer, credit.redeem and credit.offer. */
export const creditSpecs: TxSpec[] = [
  {
    name: "credit-transfer",
    kind: "credit.transfer",
    summary: "move credits from this agency's account to another's (credit.transfer)",
    options: {
      to: { type: "string", value: "AGENCY", description: "the receiving agency", required: true },
      amount: AMOUNT,
      memo: { type: "string", value: "TEXT", description: "a note kept on the ledger (default empty)" },
    },
    build: (v) => ({
      kind: "credit.transfer",
      payload: {
        to: required(v, "to", "the receiving agency"),
        amount: u64(required(v, "amount", "credits"), "amount"),
        memo: str(v, "memo") ?? "",
      },
    }),
  },
  {
    name: "credit-redeem",
    kind: "credit.redeem",
    summary: "redeem units of a catalog offer: burns their price and writes a voucher (credit.redeem)",
    options: {
      offer: { type: "string", value: "ID", description: "the catalog offer", required: true },
      quantity: { type: "string", value: "N", description: "units (default 1)" },
      reference: {
        type: "string",
        value: "TEXT",
        description: "this agency's order reference (default empty)",
      },
    },
    build: (v) => ({
      kind: "credit.redeem",
      payload: {
        offer: required(v, "offer", "the catalog offer"),
        quantity: count(str(v, "quantity") ?? "1", "quantity"),
        reference: str(v, "reference") ?? "",
      },
      // The voucher's id comes from the sender and seq (ledger spec §7.5), as a grant's does.
      derived: (target, seq) => ({ voucher: derivedId(target.hasher, "voucher", target.agency, seq) }),
    }),
  },
  {
    name: "credit-offer",
    kind: "credit.offer",
    summary: "publish or update an item of the redemption catalog (credit.offer)",
    options: {
      id: { type: "string", value: "ID", description: "the offer id", required: true },
      title: { type: "string", value: "TEXT", description: "what is offered", required: true },
      description: { type: "string", value: "TEXT", description: "details (default empty)" },
      price: { ...AMOUNT, description: "credits per unit, a whole number" },
      stock: { type: "string", value: "N", description: "units available from now on", required: true },
    },
    build: (v) => ({
      kind: "credit.offer",
      payload: {
        id: required(v, "id", "the offer id"),
        title: required(v, "title", "what is offered"),
        description: str(v, "description") ?? "",
        price: u64(required(v, "price", "credits per unit"), "price"),
        stock: count(required(v, "stock", "units"), "stock"),
      },
    }),
  },
];

/** access.dispute: a requester contests attested receipts (the provider recorded them without its co-signature). */
export const accessSpecs: TxSpec[] = [
  {
    name: "access-dispute",
    kind: "access.dispute",
    summary: "contest receipts a provider recorded without this agency's co-signature (access.dispute)",
    details:
      "A provider records the receipts of answers its requester did not co-sign (access.attest), each backed by the\n" +
      "requester's own request signature. If this agency got no answer for such a receipt, it says so here, with a\n" +
      "reason, within the receipt window after the recording block. A dispute is final and public; the quota stays used.",
    options: {
      provider: {
        type: "string",
        value: "AGENCY",
        description: "the agency that recorded them",
        required: true,
      },
      receipt: {
        type: "string",
        value: "ID",
        description: "a receipt id in hex (repeat, or comma-separate, for several)",
        multiple: true,
        required: true,
      },
      reason: REASON,
    },
    build: (v) => {
      const receipts = many(v, "receipt")
        .flatMap(list)
        .map((id) => hex(id, "--receipt"));
      if (receipts.some((r) => r.length !== 32))
        throw new UsageError("--receipt must be a 32-byte id in hex");
      return {
        kind: "access.dispute",
        payload: {
          provider: required(v, "provider", "the agency that recorded them"),
          receipts,
          reason: required(v, "reason", "why"),
        },
      };
    },
  },
];

/** regulator.freeze and regulator.unfreeze (senders need the regulator role). */
export const regulatorSpecs: TxSpec[] = (["freeze", "unfreeze"] as const).map((name) => ({
  name,
  kind: name === "freeze" ? "regulator.freeze" : "regulator.unfreeze",
  summary:
    name === "freeze"
      ? "stop an agency, dataset, grant or credit account until unfrozen (regulator.freeze)"
      : "lift a freeze (regulator.unfreeze)",
  details:
    name === "freeze"
      ? "Only an agency with the regulator role may send it. A frozen agency's txs are refused; a frozen dataset\n" +
        "takes no commitment or grant; a frozen grant or dataset records no more receipts; a frozen account\n" +
        "neither sends nor receives credits."
      : "Only an agency with the regulator role may send it.",
  options: {
    target: {
      type: "string",
      value: "KIND",
      description: `what is ${name}d: ${FREEZE_KINDS.join(", ")}`,
      required: true,
    },
    id: {
      type: "string",
      value: "ID",
      description: "its id (an agency, dataset or grant id)",
      required: true,
    },
    reason: REASON,
  },
  build(v) {
    const payload = {
      target: {
        kind: oneOf(required(v, "target", FREEZE_KINDS.join(", ")), "target", FREEZE_KINDS),
        id: required(v, "id", "the target's id"),
      },
      reason: required(v, "reason", "why"),
    };
    return name === "freeze"
      ? { kind: "regulator.freeze", payload }
      : { kind: "regulator.unfreeze", payload };
  },
}));
