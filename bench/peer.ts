// `npm run bench:peer`: augsal against PyTorch on this machine, in one run, side by side: the three
// whole-step figures (train step b110, inference b1000, saliency b100) at 1 and 2 threads, for augsal
// (build/augsal.wasm at 1 thread, build/augsal-mt.wasm at 2) and for PyTorch
// (/work/shared/peers/torch_bench.py, or $AUGSAL_PEER), with the ratios augsal / PyTorch.
// Skips PyTorch with the reason when /usr/bin/python3 cannot import torch (apt-get install
// python3-torch). Both sides are timed the same way: torch_bench.py's `timed` (warm-up, then the
// MEDIAN of 7 blocks of several runs). The order is interleaved, R rounds (default 3) of (augsal 1t,
// PyTorch 1t, augsal 2t, PyTorch 2t), so a change in the machine's load hits both sides; every figure
// in the table is the median over the rounds, every ratio the median of the rounds' ratios with their
// min-max range beside it (one round is not quotable: two single rounds minutes apart disagreed by up
// to 2x here, a process that lands on a slower vCPU being slow). Which CPUs each side ran on is
// sampled from /proc (the CPU a thread last ran on; Linux only, "?" elsewhere). Timing only: no test
// checks these numbers.
//   npm run bench:peer [-- --threads 1,2] [--rounds 3] [--json]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
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
function timed(run: () => void, iters: number, warmup: number, repeats = 7, cpus?: Map<number, number>): number {
  for (let i = 0; i < warmup; i++) run();
  const ts: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) run();
    ts.push((performance.now() - t0) / 1e3 / iters);
    if (cpus) sampleCpus("self", cpus);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

/** Count, for every thread of process `pid` ("self" for this one), the CPU it last ran on (field 39 of
 *  /proc/PID/task/TID/stat). Cheap, and enough to see a run that sat on one vCPU; nothing off Linux. */
export function sampleCpus(pid: number | "self", into: Map<number, number>): void {
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      // fields after the command name, which sits in parentheses and may hold spaces
      const cpu = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[36]);
      if (Number.isInteger(cpu)) into.set(cpu, (into.get(cpu) ?? 0) + 1);
    }
  } catch {
    // not Linux, or the process ended between the listing and the read: no sample
  }
}

/** "cpu0 30%, cpu1 70%" of the samples, or "?" without any. */
export function cpuShares(cpus: Map<number, number>): string {
  const total = [...cpus.values()].reduce((a, b) => a + b, 0);
  if (!total) return "?";
  return [...cpus.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([c, k]) => `cpu${c} ${Math.round((100 * k) / total)}%`)
    .join(", ");
}

function augsal(threads: number, cpus: Map<number, number>): Figures {
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
      train_b110_img_s: 110 / timed(cases.get("train_b110")!.run, 20, 30, 7, cpus),
      infer_b1000_img_s: 1000 / timed(cases.get("infer_b1000")!.run, 5, 8, 7, cpus),
      saliency_b100_maps_s: 100 / timed(cases.get("saliency_b100")!.run, 20, 20, 7, cpus),
    };
  } finally {
    for (const c of cores) c.parallel.close();
  }
}

/** One run of the peer script, its threads' CPUs sampled every 100 ms while it runs. */
function torch(threads: number, script: string, cpus: Map<number, number>): Promise<Figures | string> {
  return new Promise((done) => {
    const child = spawn("/usr/bin/python3", [script, "--threads", String(threads)]);
    let out = "",
      err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setInterval(() => child.pid && sampleCpus(child.pid, cpus), 100);
    child.on("close", (code) => {
      clearInterval(timer);
      if (code !== 0) done(`torch_bench.py failed (exit ${code}): ${err.trim().split("\n").pop()}`);
      else done(JSON.parse(out.trim().split("\n").pop()!) as Figures);
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export interface PeerRound {
  round: number;
  threads: number;
  augsal: Figures;
  torch: Figures | string;
  augsalCpus: string;
  torchCpus: string;
  loadavg: number;
}

export interface PeerRow {
  threads: number;
  /** Medians over the rounds. */
  augsal: Figures;
  torch: Figures | string;
  /** Per figure, the median of the rounds' ratios augsal / PyTorch and their range. */
  ratios?: Record<string, { median: number; min: number; max: number }>;
  augsalCpus: string;
  torchCpus: string;
}

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf("--threads");
  const threads = at >= 0 ? (argv[at + 1] ?? "").split(",").map(Number) : [1, 2];
  if (threads.some((t) => !Number.isInteger(t) || t < 1)) {
    console.error(`bench:peer: --threads takes a comma list of positive integers, got ${argv[at + 1]}`);
    process.exit(2);
  }
  const ar = argv.indexOf("--rounds");
  const rounds = ar >= 0 ? Number(argv[ar + 1]) : 3;
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(`bench:peer: --rounds takes a positive integer, got ${argv[ar + 1]}`);
    process.exit(2);
  }
  const script = resolve(process.env.AUGSAL_PEER ?? "/work/shared/peers/torch_bench.py");
  let skip = "";
  if (!existsSync(script)) skip = `no peer script at ${script} (set AUGSAL_PEER)`;
  else if (spawnSync("/usr/bin/python3", ["-c", "import torch"]).status !== 0) {
    skip = "/usr/bin/python3 cannot import torch (apt-get install -y python3-torch)";
  }
  const started = new Date().toISOString();
  const log: PeerRound[] = [];
  const aCpus = new Map(threads.map((t) => [t, new Map<number, number>()]));
  const pCpus = new Map(threads.map((t) => [t, new Map<number, number>()]));
  for (let r = 1; r <= rounds; r++) {
    for (const t of threads) {
      const ac = new Map<number, number>(),
        pc = new Map<number, number>();
      const a = augsal(t, ac);
      const p = skip || (await torch(t, script, pc));
      for (const [m, into] of [
        [ac, aCpus.get(t)!],
        [pc, pCpus.get(t)!],
      ])
        for (const [c, k] of m) into.set(c, (into.get(c) ?? 0) + k);
      log.push({
        round: r,
        threads: t,
        augsal: a,
        torch: p,
        augsalCpus: cpuShares(ac),
        torchCpus: cpuShares(pc),
        loadavg: +loadavg()[0].toFixed(2),
      });
    }
  }
  const rows: PeerRow[] = threads.map((t) => {
    const mine = log.filter((x) => x.threads === t);
    const keys = KEYS.map(([k]) => k);
    const med = (side: "augsal" | "torch") =>
      Object.fromEntries(keys.map((k) => [k, median(mine.map((x) => (x[side] as Figures)[k]))])) as Figures;
    const failed = mine.find((x) => typeof x.torch === "string");
    const row: PeerRow = {
      threads: t,
      augsal: med("augsal"),
      torch: failed ? (failed.torch as string) : { ...(mine[0].torch as Figures), ...med("torch") },
      augsalCpus: cpuShares(aCpus.get(t)!),
      torchCpus: cpuShares(pCpus.get(t)!),
    };
    if (!failed) {
      row.ratios = Object.fromEntries(
        keys.map((k) => {
          const rs = mine.map((x) => x.augsal[k] / (x.torch as Figures)[k]);
          return [k, { median: median(rs), min: Math.min(...rs), max: Math.max(...rs) }];
        }),
      );
    }
    return row;
  });
  if (argv.includes("--json")) {
    console.log(JSON.stringify({ skip: skip || undefined, started, rounds, rows, log }, null, 2));
    return;
  }
  const cols = rows.flatMap((r) => [`augsal ${r.threads}t`, `PyTorch ${r.threads}t`, `ratio ${r.threads}t`]);
  console.log(`| measure | ${cols.join(" | ")} |`);
  console.log(`|---|${cols.map(() => "---:").join("|")}|`);
  for (const [key, label] of KEYS) {
    const cells = rows.flatMap((r) => {
      const a = r.augsal[key];
      if (typeof r.torch === "string" || !r.ratios) return [a.toFixed(0), "–", "–"];
      const q = r.ratios[key];
      const range = rounds > 1 ? ` (${q.min.toFixed(2)}–${q.max.toFixed(2)})` : "";
      return [a.toFixed(0), r.torch[key].toFixed(0), `${q.median.toFixed(2)}x${range}`];
    });
    console.log(`| ${label} | ${cells.join(" | ")} |`);
  }
  const order = threads.map((t) => `augsal ${t}t, PyTorch ${t}t`).join(", ");
  console.log(
    `\nmedians over ${rounds} interleaved round(s) of (${order}), ` +
      `each figure the median of 7 timed blocks; ratio: median of the rounds' ratios (min–max); ` +
      `${started}, loadavg ${log.map((x) => x.loadavg).join(" ")}`,
  );
  for (const r of rows) console.log(`CPUs at ${r.threads}t: augsal ${r.augsalCpus}; PyTorch ${r.torchCpus}`);
  if (skip) console.log(`\nPyTorch skipped: ${skip}`);
  else console.log(`PyTorch ${(rows[0].torch as Figures).torch}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`bench:peer: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
