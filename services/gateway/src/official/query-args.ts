import type { Dataset, FieldSpec } from "@coken/ledger";
import type { FieldValue, Predicate } from "@coken/zk";
import { GatewayError } from "../errors.js";

const FORMATS: Record<FieldSpec["type"], RegExp> = {
  string: /^[\s\S]{0,1024}$/,
  int: /^-?(?:0|[1-9][0-9]{0,18})$/,
  decimal: /^-?(?:0|[1-9][0-9]{0,30})(?:\.[0-9]{1,18})?$/,
  date: /^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$/,
  bool: /^(?:true|false)$/,
  bytes: /^(?:[0-9a-f]{2}){0,512}$/,
};

/** The field named, or BAD_USER_INPUT. */
export function fieldOf(dataset: Dataset, name: string): FieldSpec {
  const field = dataset.fields.find((f) => f.name === name);
  if (field === undefined)
    throw new GatewayError("BAD_USER_INPUT", "no such field in the dataset", { field: name });
  return field;
}

/** A field an aggregate ranges over must be indexed in the dataset's commitment. */
export function indexedFieldOf(dataset: Dataset, name: string): FieldSpec {
  const field = fieldOf(dataset, name);
  if (!field.indexed) throw new GatewayError("BAD_USER_INPUT", "field is not indexed", { field: name });
  return field;
}

/** A constant for `field`, in the form the provers take (booleans as booleans, everything else as text). */
export function fieldValue(field: FieldSpec, text: string): FieldValue {
  if (!FORMATS[field.type].test(text)) {
    throw new GatewayError("BAD_USER_INPUT", `value is not a valid ${field.type}`, { field: field.name });
  }
  return field.type === "bool" ? text === "true" : text;
}

/** Checks and converts one predicate of a threshold or filter query. */
export function predicate(
  dataset: Dataset,
  input: { field: string; op: Predicate["op"]; value: string; upper?: string | null },
): Predicate {
  const field = fieldOf(dataset, input.field);
  const value = fieldValue(field, input.value);
  if (input.op === "range") {
    if (input.upper == null) throw new GatewayError("BAD_USER_INPUT", "range needs an upper bound");
    return { field: field.name, op: "range", value, upper: fieldValue(field, input.upper) };
  }
  if (input.upper != null) throw new GatewayError("BAD_USER_INPUT", "upper is only for range");
  return { field: field.name, op: input.op, value };
}

/** Fields a lookup may read: existing, not personal, and within the grant's fields when it names any. */
export function lookupFields(dataset: Dataset, names: string[], grantFields: string[]): string[] {
  if (names.length === 0) throw new GatewayError("BAD_USER_INPUT", "name at least one field");
  for (const name of names) {
    const field = fieldOf(dataset, name);
    if (field.personal)
      throw new GatewayError("FORBIDDEN", "personal fields are not readable", { field: name });
    if (grantFields.length > 0 && !grantFields.includes(name)) {
      throw new GatewayError("FORBIDDEN", "field is outside the grant", { field: name });
    }
  }
  return [...new Set(names)];
}
