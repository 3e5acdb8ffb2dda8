import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createDashboardFiles, fileFor } from "../src/server/static.js";

describe("dashboard files", () => {
  let dir = "";
  let serve: (r: Request) => Promise<Response>;
  const get = (path: string, method = "GET") => serve(new Request(`http://peer${path}`, { method }));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-dashboard-"));
    await mkdir(join(dir, "assets"));
    await writeFile(join(dir, "index.html"), "<!doctype html><title>dashboard</title>");
    await writeFile(join(dir, "assets", "index-abc.js"), "export {};");
    await writeFile(join(dir, ".secret"), "no");
    serve = createDashboardFiles({ dir });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("serves the bundle's files with their type, hashed assets cached for good", async () => {
    const js = await get("/dashboard/assets/index-abc.js");
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.match(js.headers.get("cache-control") ?? "", /immutable/);
    assert.equal(await js.text(), "export {};");
    const index = await get("/dashboard/");
    assert.equal(index.headers.get("cache-control"), "no-cache");
    assert.match(index.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.match(await index.text(), /<title>dashboard/);
  });

  it("answers client-side routes with index.html, missing files with 404", async () => {
    assert.match(await (await get("/dashboard/grants")).text(), /<title>dashboard/);
    assert.equal((await get("/dashboard/assets/missing.js")).status, 404);
    const bare = await get("/dashboard");
    assert.deepEqual([bare.status, bare.headers.get("location")], [308, "/dashboard/"]);
  });

  it("never leaves the bundle folder and serves no hidden files", async () => {
    assert.equal((await get("/dashboard/..%2f..%2fetc%2fpasswd")).status, 400);
    assert.equal((await get("/dashboard/.secret")).status, 400);
    assert.equal((await get("/dashboard/%E0%A4%A")).status, 400);
    assert.equal(fileFor(dir, "a/../../x"), null);
    assert.equal(fileFor(dir, "assets/index-abc.js"), join(dir, "assets", "index-abc.js"));
  });

  it("allows GET and HEAD only, and says so when the bundle is not built", async () => {
    assert.equal((await get("/dashboard/", "POST")).status, 405);
    const head = await get("/dashboard/assets/index-abc.js", "HEAD");
    assert.deepEqual([head.status, await head.text()], [200, ""]);
    const unbuilt = createDashboardFiles({ dir: join(dir, "nothing") });
    const res = await unbuilt(new Request("http://peer/dashboard/"));
    assert.deepEqual([res.status, await res.text()], [503, "the dashboard is not built: run npm run build"]);
  });
});
