// Builds the dashboard bundle with Vite into dist/app, unless it is newer than every source it comes from
// (`npm start` runs the build each time; an unchanged dashboard costs nothing then).
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { build } from "vite";

const root = import.meta.dirname;
const output = join(root, "dist/app/index.html");

async function newest(path) {
  const s = await stat(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let latest = s.mtimeMs;
  for (const entry of await readdir(path)) latest = Math.max(latest, await newest(join(path, entry)));
  return latest;
}

const sources = ["src/app", "index.html", "vite.config.ts", "package.json"].map((p) => join(root, p));
const built = await stat(output).then(
  (s) => s.mtimeMs,
  () => 0,
);
const changed = Math.max(...(await Promise.all(sources.map(newest))));
if (process.argv.includes("--force") || changed > built) {
  await build({ configFile: join(root, "vite.config.ts"), logLevel: "warn" });
}
