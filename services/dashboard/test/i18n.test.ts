import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { en } from "../src/app/i18n/en.js";
import { zh } from "../src/app/i18n/zh.js";

type Tree = { [key: string]: string | Tree };

/** Every leaf of a message tree as [dotted key, text]. */
function leaves(tree: Tree, prefix = ""): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === "string" ? [[`${prefix}${k}`, v] as [string, string]] : leaves(v, `${prefix}${k}.`),
  );
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe("dashboard labels", () => {
  const english = new Map(leaves(en));
  const chinese = new Map(leaves(zh as Tree));

  it("has every key in both languages and no other", () => {
    assert.deepEqual([...chinese.keys()].sort(), [...english.keys()].sort());
  });

  it("has no empty label and the same placeholders in both languages", () => {
    for (const [key, text] of english) {
      const other = chinese.get(key) ?? "";
      assert.notEqual(text.trim(), "", `en ${key} is empty`);
      assert.notEqual(other.trim(), "", `zh ${key} is empty`);
      assert.deepEqual(placeholders(other), placeholders(text), `placeholders of ${key}`);
    }
  });

  it("translates: Chinese labels of the pages are not the English ones", () => {
    for (const key of Object.keys(en.nav))
      assert.notEqual(chinese.get(`nav.${key}`), english.get(`nav.${key}`), key);
  });
});
