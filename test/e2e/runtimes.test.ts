// The same fixed computation (src/portable.ts: seeded init, three Adam steps, saliency, SmoothGrad and IG maps) under
// Node (in-process), Deno and Bun (their binaries from the `deno` and `bun` devDependencies, spawned on
// dist/portable-main.js, each reading build/augsal.wasm with its own file API): every hash must agree, and
// Node's must equal the recorded ones (EXPECTED). Deno and Bun also run it on build/augsal-mt.wasm with 3
// threads as Web Workers over one shared memory (src/web/threads.ts, as the browser page does): Node's
// hashes again.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageDir } from "../../src/node/packages.js";
import { loadCore, wasmBytes, wasmPath } from "../../src/node/wasm.js";
import { wasmMtPath } from "../../src/node/threads.js";
import { sha256Hex } from "../../src/core/sha256.js";
import { portableCheck, runPortableCheck, type PortableResult } from "../../src/portable.js";

/**
 * The portable check's results as recorded (`node dist/portable-main.js build/augsal.wasm` on main at
 * 3adc7f8): pinned so that a change that moves results the same way on every runtime fails here too.
 * A change meant to move results updates these, test/fixtures/reference.bin (see
 * test/fixtures/reference.ts) and says why, in the same commit. The wasm file's own hash is not pinned:
 * any edit of assembly/ changes the bytes without changing a result.
 */
const EXPECTED = {
  weightsSha256: "10c50afb50fe38d530a716a41db225449403c1bf8ecce8bb5cc9807439c6284e",
  mapSha256: "ee99f4a4c1cbce840e1039dd4e04583f09ecef8ad77397776416ed9631ca748c",
  // Added with the SmoothGrad and IG maps (branch methods; weights and map above unchanged).
  smoothgradSha256: "b23a2d3a11cfcfd79c1a439c10ff6f216d71bc587b2b8090bdfecba4891d3f1c",
  igSha256: "8a8af3a7e7532484ab39d9f2292937e7bd945ce17a5e0d430a4c92e17eeb8ccc",
  losses: [2.3406285731053633, 2.2358832245486733, 2.1545538395143344],
  predicted: 0,
};

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const entry = join(root, "dist", "portable-main.js");
const rt = suite("runtimes: Node, Deno and Bun give the same bytes");

/** The first existing, non-placeholder executable among the candidates (env override first). */
function findBinary(envVar: string, candidates: (() => string)[]): string | null {
  const env = process.env[envVar];
  if (env) return env;
  for (const c of candidates) {
    let p: string;
    try {
      p = c();
    } catch {
      continue;
    }
    // bun's package ships a small text placeholder until its postinstall links the real binary in.
    if (existsSync(p) && statSync(p).size > 1_000_000) return p;
  }
  return null;
}

const pkgDir = packageDir;
const DENO = findBinary("AUGSAL_DENO", [
  () => join(pkgDir("deno"), "deno"),
  () => join(pkgDir("@deno/linux-x64-glibc"), "deno"),
  () => join(pkgDir("@deno/linux-arm64-glibc"), "deno"),
]);
const BUN = findBinary("AUGSAL_BUN", [
  () => join(pkgDir("bun"), "bin", "bun.exe"),
  () => join(pkgDir("@oven/bun-linux-x64"), "bin", "bun"),
  () => join(pkgDir("@oven/bun-linux-x64-baseline"), "bin", "bun"),
  () => join(pkgDir("@oven/bun-linux-aarch64"), "bin", "bun"),
]);

interface RuntimeResult extends PortableResult {
  runtime: string;
  ms: number;
  /** The check on the threaded module (its wasmSha256 is ""), and the tasks its helpers ran. */
  threaded?: PortableResult & { threads: number; tasks: number; helperTasks: number };
}

function runEntry(cmd: string, args: string[]): Promise<RuntimeResult> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => {
      clearTimeout(timer);
      fail(new Error(`cannot start ${cmd}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return fail(new Error(`${cmd} ${args.join(" ")} exited with ${code ?? signal}:\n${err || out}`));
      try {
        ok(JSON.parse(out.trim().split("\n").pop()!));
      } catch {
        fail(new Error(`${cmd}: no JSON result in its output:\n${out}\n${err}`));
      }
    });
  });
}

const missing = (name: string, pkg: string) =>
  `the ${name} binary was not found: it comes from the '${pkg}' devDependency (run 'npm ci' without --ignore-scripts), ` +
  `or point AUGSAL_${name.toUpperCase()} at an executable`;

// Started at once, awaited by the tests: the two spawns overlap with Node's in-process run.
const wasm = wasmPath();
const mt = wasmMtPath();
const THREADS = 3;
const denoRun = DENO
  ? runEntry(DENO, [
      "run",
      "--no-config",
      "--no-lock",
      "--no-prompt",
      `--allow-read=${root},${wasm},${mt}`,
      entry,
      wasm,
      mt,
      String(THREADS),
    ])
  : null;
const bunRun = BUN ? runEntry(BUN, [entry, wasm, mt, String(THREADS)]) : null;
denoRun?.catch(() => {});
bunRun?.catch(() => {});

const seen: RuntimeResult[] = [];
// Computed in the first test, so that a failure there is reported as a failed test.
let node: PortableResult | undefined;
const nodeResult = (): PortableResult =>
  (node ??= { ...runPortableCheck(loadCore()), wasmSha256: sha256Hex(wasmBytes()) });

function assertSame(other: RuntimeResult, what: string): void {
  const node = nodeResult();
  assert.is(other.wasmSha256, node.wasmSha256, `${what} read other wasm bytes`);
  assert.is(other.weightsSha256, node.weightsSha256, `${what}: weights after three Adam steps differ from Node's`);
  assert.is(other.mapSha256, node.mapSha256, `${what}: the saliency map differs from Node's`);
  assert.is(other.smoothgradSha256, node.smoothgradSha256, `${what}: the SmoothGrad map differs from Node's`);
  assert.is(other.igSha256, node.igSha256, `${what}: the Integrated Gradients map differs from Node's`);
  assert.equal(other.losses, node.losses, `${what}: training losses`);
  assert.is(other.predicted, node.predicted, `${what}: prediction`);
  // the same check on the threaded module, its helper threads Web Workers
  const t = other.threaded;
  assert.ok(t, `${what}: no result on threads`);
  const { threads, tasks, helperTasks, ...onThreads } = t!;
  assert.is(threads, THREADS, `${what}: threads`);
  assert.equal(onThreads, { ...node, wasmSha256: "" }, `${what}, ${THREADS} threads: Node's hashes`);
  // the weight gradients were shared out as several tasks per step (how many the helpers claimed
  // depends on timing, never a value: shown below)
  assert.ok(tasks > 3, `${what}: ${tasks} tasks ran through the thread group`);
  console.log(`\n  ${what}: ${THREADS} threads, the helpers ran ${helperTasks} of ${tasks} tasks`);
}

rt(
  "Node's result is the recorded one and repeats bit for bit on a fresh core and through portableCheck(bytes)",
  async () => {
    const node = nodeResult();
    const { weightsSha256, mapSha256, smoothgradSha256, igSha256, losses, predicted } = node;
    assert.equal(
      { weightsSha256, mapSha256, smoothgradSha256, igSha256, losses, predicted },
      EXPECTED,
      "the portable check moved from its recorded result (see EXPECTED)",
    );
    assert.match(node.weightsSha256, /^[0-9a-f]{64}$/);
    assert.match(node.mapSha256, /^[0-9a-f]{64}$/);
    assert.is(node.losses.length, 3);
    assert.ok(node.losses.every(Number.isFinite), `losses ${node.losses}`);
    assert.ok(node.losses[2] < node.losses[0], `three Adam steps on one batch lower its loss: ${node.losses}`);
    assert.equal(runPortableCheck(loadCore()), { ...node, wasmSha256: "" });
    assert.equal(await portableCheck(wasmBytes()), node);
  },
);

rt("Deno gives Node's hashes", async () => {
  if (!denoRun) assert.unreachable(missing("deno", "deno"));
  const r = await denoRun!;
  assert.match(r.runtime, /^deno /);
  assertSame(r, r.runtime);
  seen.push(r);
});

rt("Bun gives Node's hashes", async () => {
  if (!bunRun) assert.unreachable(missing("bun", "bun"));
  const r = await bunRun!;
  assert.match(r.runtime, /^bun /);
  assertSame(r, r.runtime);
  seen.push(r);
});

rt("the package exports the runtime-neutral loader, the portable check and the wasm file", () => {
  // Imported as a project that installed augsal does (node_modules/augsal linked to this checkout), not by
  // self-reference: Node refuses a self-reference when the package root is a folder named node_modules.
  const dir = mkdtempSync(join(tmpdir(), "augsal-consumer-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "augsal"), "dir");
    const probe = [
      'const core = await import("augsal/core");',
      'const portable = await import("augsal/portable");',
      "console.log(JSON.stringify({",
      "  core: typeof core.instantiateCore, portable: typeof portable.portableCheck,",
      '  wasm: import.meta.resolve("augsal/augsal.wasm"), portableJs: import.meta.resolve("augsal/portable"),',
      "}));",
    ].join("\n");
    writeFileSync(join(dir, "probe.mjs"), probe);
    const got = JSON.parse(execFileSync(process.execPath, [join(dir, "probe.mjs")], { encoding: "utf8" }));
    assert.is(got.core, "function");
    assert.is(got.portable, "function");
    assert.is(realpathSync(fileURLToPath(got.wasm)), realpathSync(join(root, "build", "augsal.wasm")));
    assert.is(realpathSync(fileURLToPath(got.portableJs)), realpathSync(join(root, "dist", "portable.js")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

rt.after(() => {
  const line = (r: { runtime: string; weightsSha256: string; mapSha256: string }) =>
    `  ${r.runtime.padEnd(14)} weights ${r.weightsSha256.slice(0, 16)}…  map ${r.mapSha256.slice(0, 16)}…`;
  if (node)
    console.log("\n" + [line({ runtime: `node ${process.versions.node}`, ...node }), ...seen.map(line)].join("\n"));
});

rt.run();
