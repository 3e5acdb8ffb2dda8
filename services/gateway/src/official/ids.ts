import { GatewayError } from "../errors.js";

export type NodeType = "Agency" | "Dataset" | "Grant" | "AccessReceipt" | "Block" | "Tx";
const NODE_TYPES: readonly NodeType[] = ["Agency", "Dataset", "Grant", "AccessReceipt", "Block", "Tx"];

/** Relay global id: base64url of "<type>:<key>". */
export function toGlobalId(type: NodeType, key: string): string {
  return Buffer.from(`${type}:${key}`).toString("base64url");
}

/** Splits a global id; BAD_USER_INPUT for anything `toGlobalId` could not have made. */
export function fromGlobalId(id: string): { type: NodeType; key: string } {
  const text = Buffer.from(id, "base64url").toString("utf8");
  const colon = text.indexOf(":");
  const type = text.slice(0, colon) as NodeType;
  if (colon <= 0 || !NODE_TYPES.includes(type)) throw new GatewayError("BAD_USER_INPUT", "not a node id");
  return { type, key: text.slice(colon + 1) };
}
