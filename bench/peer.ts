// `npm run bench:peer`: augsal against PyTorch on this machine, in one run, side by side: the three
// whole-step figures (train step b110, inference b1000, saliency b100) at 1 and 2 threads, for augsal
// (build/augsal.wasm at 1 thread, build/augsal-mt.wasm at 2) and for PyTorch
// (/work/shared/peers/torch_bench.py, or $AUGSAL_PEER), with the ratios augsal / PyTorch.
// Skips PyTorch with the reason when /usr/bin/python3 cannot import torch (apt-get install
// python3-torch). Both sides are timed the same way: torch_bench.py's `timed` (warm-up, then the
// MEDIAN of 7 blocks of several runs); the order is interleaved (augsal 1, PyTorch 1, augsal 2,
// PyTorch 2) so a change in the machine's load hits both. Timing only: no test checks these numbers.
//   npm run bench:peer [-- --threads 1,2] [--json]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Core } from "../src/core/load.js";
import { loadCore } from "../src/node/wasm.js";
import { loadThreadedCore } from "../src/node/threads.js";
import { stepCases } from "../src/bench/steps.js";
import type { BenchCase } from "../src/bench/timing.js";

const KEYS = [
  ["train_b110_img_s", "train step, batch 110 (img/s)"],
  ["infer_b1000_img_s", "inference, batch 1000 (img/s)"],
  ["saliency_b100_maps_s", "saliency, batch 100 (maps/s)"],
] as const;
type Figures = Record<string, number>;

/** torch_bench.py's timed(): `warmup` runs, then the median over `repeats` blocks of `iters` runs. */
function timed(run: () => void, iters: number, warmup: number, repeats = 7): number {
  for (let i = 0; i < warmup; i++) run();
  const ts: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) run();
    ts.push((performance.now() - t0) / 1e3 / iters);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

function augsal(threads: number): Figures {
  const cores: Core[] = [];
  const newCore = () => {
    if (threads === 1) return loadCore();
    const c = loadThreadedCore({ maxThreads: threads });
    cores.push(c);
    return c;
  };
  try {
    const cases = new Map<string, BenchCase>(stepCases(newCore).map((c) => [c.key, c]));
    // the same iterations and warm-ups as torch_bench.py (plus a longer warm-up: V8 tiers up wasm)
    return {
      train_b110_img_s: 110 / timed(cases.get("train_b110")!.run, 20, 30),
      infer_b1000_img_s: 1000 / timed(cases.get("infer_b1000")!.run, 5, 8),
      saliency_b100_maps_s: 100 / timed(cases.get("saliency_b100")!.run, 20, 20),
    };
  } finally {
    for (const c of cores) c.parallel.close();
  }
}

function torch(threads: number, script: string): Figures | string {
  const r = spawnSync("/usr/bin/python3", [script, "--threads", String(threads)], { encoding: "utf8" });
  if (r.status !== 0) return `torch_bench.py failed (exit ${r.status}): ${(r.stderr || "").trim().split("\n").pop()}`;
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Figures;
}

function main(argv: string[]): void {
  const at = argv.indexOf("--threads");
  const threads = at >= 0 ? argv[at + 1].split(",").map(Number) : [1, 2];
  if (threads.some((t) => !Number.isInteger(t) || t < 1)) {
    console.error(`bench:peer: --threads takes a comma list of positive integers, got ${argv[at + 1]}`);
    process.exit(2);
  }
  const script = resolve(process.env.AUGSAL_PEER ?? "/work/shared/peers/torch_bench.py");
  let skip = "";
  if (!existsSync(script)) skip = `no peer script at ${script} (set AUGSAL_PEER)`;
  else if (spawnSync("/usr/bin/python3", ["-c", "import torch"]).status !== 0) {
    skip = "/usr/bin/python3 cannot import torch (apt-get install -y python3-torch)";
  }
  const rows: { threads: number; augsal: Figures; torch: Figures | string }[] = [];
  for (const t of threads) {
    const a = augsal(t);
    const p = skip || torch(t, script);
    rows.push({ threads: t, augsal: a, torch: p });
  }
  if (argv.includes("--json")) {
    console.log(JSON.stringify({ skip: skip || undefined, rows }, null, 2));
    return;
  }
  const cols = rows.flatMap((r) => [`augsal ${r.threads}t`, `PyTorch ${r.threads}t`, `ratio ${r.threads}t`]);
  console.log(`| measure | ${cols.join(" | ")} |`);
  console.log(`|---|${cols.map(() => "---:").join("|")}|`);
  for (const [key, label] of KEYS) {
    const cells = rows.flatMap((r) => {
      const a = r.augsal[key];
      if (typeof r.torch === "string") return [a.toFixed(0), "–", "–"];
      const p = r.torch[key];
      return [a.toFixed(0), p.toFixed(0), `${(a / p).toFixed(2)}x`];
    });
    console.log(`| ${label} | ${cells.join(" | ")} |`);
  }
  if (skip) console.log(`\nPyTorch skipped: ${skip}`);
  else
    console.log(
      `\nPyTorch ${(rows[0].torch as Figures).torch}; medians of 7 timed blocks on both sides; ${new Date().toISOString()}`,
    );
}

main(process.argv.slice(2));
