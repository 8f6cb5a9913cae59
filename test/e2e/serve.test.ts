// The page's server: what it serves, what it refuses (paths outside its folders, other hosts, other
// methods), and the `serve` command's usage errors.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { request } from "node:http";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readFileSync, rmSync, symlinkSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wasmBytes } from "../../src/node/wasm.js";
import { wasmMtPath } from "../../src/node/threads.js";
import { readRunInfo, safeJoin, serveMain, serveRun, type RunInfo, type RunningServer } from "../../src/cli/serve.js";
import { makeTinyRun, type TinyRun } from "../web/fixture.js";

const sv = suite("serve");
let run: TinyRun;
let server: RunningServer;

/** A raw request (the path is sent as written, not normalised by a URL parser). */
function get(
  path: string,
  opts: { method?: string; host?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: server.port,
        path,
        method: opts.method ?? "GET",
        headers: opts.host ? { host: opts.host } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", fail);
    req.end();
  });
}

sv.before(async () => {
  run = makeTinyRun({ missing: ["blur"] });
  writeFileSync(join(run.dir, "..", "augsal-outside-secret.txt"), "secret");
  symlinkSync("/etc/hostname", join(run.dir, "link-out"));
  server = await serveRun(run.dir, { port: 0 });
});

sv.after(async () => {
  await server.close();
  rmSync(run.dir, { recursive: true, force: true });
  rmSync(join(run.dir, "..", "augsal-outside-secret.txt"), { force: true });
});

sv("listens on 127.0.0.1 only and serves the page with a same-origin Content-Security-Policy", async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const r = await get("/");
  assert.is(r.status, 200);
  assert.match(String(r.headers["content-type"]), /text\/html/);
  assert.match(r.body.toString(), /<canvas id="pad"/);
  assert.match(String(r.headers["content-security-policy"]), /default-src 'none'.*connect-src 'self'/);
  assert.is((await get("/web/style.css")).status, 200);
  const js = await get("/dist/web/app.js");
  assert.is(js.status, 200);
  assert.match(String(js.headers["content-type"]), /text\/javascript/);
});

sv("serves the wasm core, the run's description, its weights and its query images", async () => {
  const w = await get("/augsal.wasm");
  assert.is(w.headers["content-type"], "application/wasm");
  assert.ok(w.body.equals(Buffer.from(wasmBytes())));
  const info = JSON.parse((await get("/api/run.json")).body.toString()) as RunInfo;
  assert.equal(
    info.models.map((m) => m.set),
    ["orig", "scaling", "crop", "erasing", "distortion", "blur"],
  );
  assert.is(info.models[0].url, "/run/weights/orig-seed3.bin");
  assert.is(info.models[5].url, null, "a missing weights file is listed without a URL");
  assert.equal(
    info.queries.map((q) => q.label),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  const bin = await get(info.models[0].url!);
  assert.ok(bin.body.equals(readFileSync(join(run.dir, "weights", "orig-seed3.bin"))));
  const q = await get("/api/queries.f32");
  assert.is(q.body.length, 10 * 784 * 4);
  assert.equal(new Float32Array(q.body.buffer, q.body.byteOffset, 10 * 784), run.images);
  assert.is((await get("/run/config.json")).status, 200);
  assert.is((await get("/api/run.json", { method: "HEAD" })).body.length, 0);
});

sv("every response makes the page cross-origin isolated (COOP, COEP, CORP); the threaded core is served", async () => {
  // COEP require-corp on the page and on what it loads (its workers' scripts included), COOP on the
  // page: crossOriginIsolated, so SharedArrayBuffer and a shared wasm memory are allowed (src/web/live.ts)
  for (const p of [
    "/",
    "/web/style.css",
    "/dist/web/app.js",
    "/dist/web/engine-worker.js",
    "/augsal.wasm",
    "/augsal-mt.wasm",
    "/api/run.json",
    "/api/queries.f32",
    "/run/weights/orig-seed3.bin",
    "/nothing",
  ]) {
    const r = await get(p);
    assert.is(r.headers["cross-origin-opener-policy"], "same-origin", `${p}: COOP`);
    assert.is(r.headers["cross-origin-embedder-policy"], "require-corp", `${p}: COEP`);
    assert.is(r.headers["cross-origin-resource-policy"], "same-origin", `${p}: CORP`);
  }
  const mt = await get("/augsal-mt.wasm");
  assert.is(mt.status, 200);
  assert.is(mt.headers["content-type"], "application/wasm");
  assert.ok(mt.body.equals(readFileSync(wasmMtPath())));
  // without isolation (the browser test's fallback page) no COEP, all else alike
  const plain = await serveRun(run.dir, { port: 0, isolation: false });
  try {
    const r = await fetch(plain.url);
    assert.is(r.status, 200);
    assert.is(r.headers.get("cross-origin-embedder-policy"), null);
    assert.is(r.headers.get("cross-origin-opener-policy"), "same-origin");
  } finally {
    await plain.close();
  }
});

sv(
  "refuses every path outside its folders: .., encoded .., symbolic links, absolute paths, non-JS in dist/",
  async () => {
    for (const p of [
      "/run/../augsal-outside-secret.txt",
      "/run/..%2faugsal-outside-secret.txt",
      "/run/%2e%2e/augsal-outside-secret.txt",
      "/run/..%2f..%2f..%2fetc%2fhostname",
      "/run/link-out",
      "/run//etc/hostname",
      "/run/%2fetc%2fhostname",
      "/web/..%2f..%2fpackage.json",
      "/dist/..%2fpackage.json",
      "/dist/web/app.d.ts",
      "/run/weights",
      "/run/%00",
      "/run/..\\..\\x",
      "/nothing",
    ]) {
      const r = await get(p);
      assert.is(r.status, 404, `${p} gave ${r.status}: ${r.body.toString().slice(0, 80)}`);
      assert.not.match(r.body.toString(), /secret/);
    }
    assert.is(safeJoin(run.dir, "../x"), null);
    assert.is(safeJoin(run.dir, "weights/orig-seed3.bin"), join(run.dir, "weights", "orig-seed3.bin"));
  },
);

sv("refuses other methods and other Host headers (DNS rebinding)", async () => {
  assert.is((await get("/", { method: "POST" })).status, 405);
  assert.is((await get("/", { method: "DELETE" })).status, 405);
  assert.is((await get("/api/run.json", { host: "attacker.example" })).status, 421);
  assert.is((await get("/", { host: `localhost:${server.port}` })).status, 200);
});

sv("a folder that is not a run is a clear error, before listening", async () => {
  const empty = mkdtempSync(join(tmpdir(), "augsal-notrun-"));
  try {
    assert.throws(() => readRunInfo(empty), /not an augsal run \(config\.json missing\)/);
    await serveRun(empty).then(
      () => assert.unreachable("served a folder without a run"),
      (e) => assert.match(e.message, /config\.json missing/),
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

sv("the serve command's usage errors exit with 2 and say why", async () => {
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  assert.is(await serveMain([], log), 2);
  assert.match(lines.pop()!, /name one run folder/);
  assert.is(await serveMain([run.dir, "--port", "http"], log), 2);
  assert.match(lines.pop()!, /--port must be an integer/);
  assert.is(await serveMain(["/nonexistent/run"], log), 2);
  assert.match(lines.pop()!, /\/nonexistent\/run: no such run folder/);
  assert.is(await serveMain([run.dir, "--port", String(server.port)], log), 2);
  assert.match(lines.pop()!, /port \d+ is in use/);
});

sv(
  "`node dist/cli.js serve RUN_DIR` prints the loopback URL, serves the page and stops cleanly on SIGTERM",
  async () => {
    const cli = join(fileURLToPath(new URL("../../../../", import.meta.url)), "dist", "cli.js");
    const child = spawn(process.execPath, [cli, "serve", run.dir, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no URL within 10 s; stderr: ${err}`)), 10_000);
      child.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/open (http:\/\/127\.0\.0\.1:\d+\/)/);
        if (m) {
          clearTimeout(timer);
          ok(m[1]);
        }
      });
      child.on("exit", (code) => fail(new Error(`serve exited with ${code}: ${err}`)));
    });
    const page = await fetch(url);
    assert.is(page.status, 200);
    assert.match(await page.text(), /augsal/);
    const code = await new Promise<number | null>((ok) => {
      child.removeAllListeners("exit");
      child.on("exit", (c) => ok(c));
      child.kill("SIGTERM");
    });
    assert.is(code, 0, err);
  },
);

sv.run();
