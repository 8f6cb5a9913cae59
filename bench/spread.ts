// `npm run bench:spread`: the process-to-process spread of the train-step throughput (issue 15: "across
// 10 fresh processes, the train-step throughput's max/min must be <= 1.10"). Starts fresh Node
// processes one after another (never side by side: they would compete for the cores), each of which
// times the train step at batch 110 on one thread (src/bench/steps.ts train_b110, the step
// `npm run bench:peer` times) and the peak probe, and prints every process's figures and max/min.
//
// Variants, for A/B experiments on what makes a process slow, run INTERLEAVED (A B A B ...) so a change
// in the machine's load hits every variant alike:
//   default      Node's defaults (Liftoff, then dynamic tier-up to TurboFan)
//   no-liftoff   every function compiled by TurboFan up front (--no-liftoff): different compile order
//   no-dyn       --no-wasm-dynamic-tiering: tier-up of every function in the background right away
//   shift:B      B bytes allocated in the arena before the models: every buffer moves by B (the
//                buffers' placement relative to 4K pages changes, not their distances to each other)
//   cpu:N        the child pinned to CPU N (taskset -c N): does a slow process follow the CPU it ran on?
//   build:DIR    the child of another checkout's build (DIR/build/ts/bench/spread.js, with its own
//                build/augsal.wasm): two versions of the engine, interleaved
//   peer         the control: PyTorch's train step b110 on one thread in a fresh process
//                (bench/torch_step.py, the network of ../shared/peers/torch_bench.py, same blocks). If
//                augsal's slow processes come from the host, the PyTorch processes run between them are
//                slow at the same moments; if they come from augsal's code or layout, they are not.
//                No peak probe there (its column reads "-").
// --inproc: the in-process A/B, which the machine's load cannot bias: every fresh process builds three
// engines — A and B two instances of ONE compiled module (same machine code, each its own memory and
// arena), C an instance of a SECOND compilation of the same bytes (its own machine code) — and times
// their train steps in interleaved blocks (A B C A B C ...). If slowness follows the memory (4K
// aliasing, page placement), B/A strays from 1; if it follows the compilation (code alignment,
// tiering), C/A does; if neither does while whole processes differ, it follows the process or the
// machine, not the engine.
// The peak probe (f32x4 mul + add on registers, assembly/gemm.ts) depends on nothing but the core the
// process got, so train / peak separates a slow process (code, layout) from a slow machine (load):
// both are printed, with max/min of each. The machine may be shared: absolute figures are noisy.
// Each child also reports the CPU it ran on at the end of every train block (/proc/thread-self/stat
// field 39), so a slow process can be matched with its vCPU (on the 2-vCPU VM, slow processes followed
// vCPU 0 at times: cpu:0 gave ~1,540 img/s in 3 of 5 processes, cpu:1 ~2,400 in all 5).
//   npm run bench:spread [-- --procs 10] [--variants default,no-liftoff] [--blocks 7] [--iters 10] [--json]
//   npm run bench:spread -- --variants default,peer      (needs python3-torch)
//   npm run bench:spread -- --inproc [--procs 10]
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCore, wasmBytes } from "../src/node/wasm.js";
import { stepCases } from "../src/bench/steps.js";
import { peakCase } from "../src/bench/kernels.js";

interface Figures {
  /** By the wall clock (what a user sees; on a quiet machine the figure that counts). */
  train_img_s: number;
  peak_gflops: number;
  /** By the process's CPU time (user + system: leaves out the waits for a core on a loaded machine). */
  train_cpu_img_s: number;
  peak_cpu_gflops: number;
  /** Wall and CPU seconds per step of each timed block, for the record (a slow process is slow in
   *  every block; a slow moment of the machine in some). */
  blocks: number[];
  cpuBlocks: number[];
  /** The CPU the timing thread last ran on at the end of each train block (-1 where unknown): a slow
   *  process can then be matched with its vCPU. */
  cpus: number[];
}

/** The CPU the calling thread last ran on: field 39 ("processor") of /proc/thread-self/stat, -1 where
 *  there is none (not Linux). The fields are counted after the command name's closing parenthesis
 *  (the name may hold spaces): field 3 is the first after it. */
function lastCpu(): number {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    const v = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[39 - 3]);
    return Number.isInteger(v) ? v : -1;
  } catch {
    return -1;
  }
}

const VARIANTS: Record<string, string[]> = {
  default: [],
  "no-liftoff": ["--no-liftoff"],
  "no-dyn": ["--no-wasm-dynamic-tiering"],
};

function usage(msg: string): never {
  console.error(
    `bench:spread: ${msg}\nusage: npm run bench:spread -- [--procs N] [--variants default,no-liftoff,no-dyn,shift:B,cpu:N,build:DIR] ` +
      `[--blocks N] [--iters N] [--json] [--inproc]`,
  );
  process.exit(2);
}

/** The child: one process's figures (train step b110 at 1 thread: `iters` steps per block, the median
 *  block of `blocks` after 30 warm-up steps, as torch_bench.py times; the peak probe likewise). */
function child(shift: number, blocks: number, iters: number): Figures {
  const newCore = () => {
    const core = loadCore();
    if (shift) core.arena.alloc(shift); // the arena rounds to 64 bytes
    return core;
  };
  const train = stepCases(newCore).find((c) => c.key === "train_b110")!;
  const peak = peakCase(loadCore(), 1_000_000);
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const median = (run: () => void, n: number, warm: number) => {
    for (let i = 0; i < warm; i++) run();
    const ts: number[] = [],
      cs: number[] = [],
      cpus: number[] = [];
    for (let b = 0; b < blocks; b++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) run();
      ts.push((performance.now() - t0) / 1e3 / n);
      const c = process.cpuUsage(c0);
      cs.push((c.user + c.system) / 1e6 / n);
      cpus.push(lastCpu());
    }
    return { sec: mid(ts), cpu: mid(cs), ts, cs, cpus };
  };
  const p = median(peak.run, 20, 20);
  const t = median(train.run, iters, 30);
  return {
    train_img_s: 110 / t.sec,
    peak_gflops: peak.flops / p.sec / 1e9,
    train_cpu_img_s: 110 / t.cpu,
    peak_cpu_gflops: peak.flops / p.cpu / 1e9,
    blocks: t.ts,
    cpuBlocks: t.cs,
    cpus: t.cpus,
  };
}

/** The in-process child: CPU seconds per train step of engines A, B (one module) and C (a second
 *  compilation), in interleaved blocks; medians and every block. */
function inprocChild(blocks: number, iters: number): { engines: string[]; cpu: number[]; cpuBlocks: number[][] } {
  const engines = ["A", "B", "C"];
  const cores = [loadCore(), loadCore(), loadCore(new WebAssembly.Module(wasmBytes()))];
  const runs = cores.map((core) => stepCases(() => core).find((c) => c.key === "train_b110")!.run);
  for (const run of runs) for (let i = 0; i < 30; i++) run(); // each module tiers up on its own
  const cs: number[][] = runs.map(() => []);
  for (let b = 0; b < blocks; b++) {
    // the order rotates from block to block, so no engine always runs first or last
    for (let k = 0; k < runs.length; k++) {
      const e = (b + k) % runs.length;
      const c0 = process.cpuUsage();
      for (let i = 0; i < iters; i++) runs[e]();
      const c = process.cpuUsage(c0);
      cs[e].push((c.user + c.system) / 1e6 / iters);
    }
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { engines, cpu: cs.map(mid), cpuBlocks: cs };
}

function inproc(argv: string[], procs: number, blocks: number, iters: number): void {
  const self = fileURLToPath(import.meta.url);
  const load0 = loadavg();
  const rows: ReturnType<typeof inprocChild>[] = [];
  for (let p = 0; p < procs; p++) {
    const args = [self, "--child", "--inproc", "--blocks", String(blocks), "--iters", String(iters)];
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    if (r.status !== 0) {
      console.error(`bench:spread: process ${p} failed (exit ${r.status}): ${r.stderr.trim()}`);
      process.exit(1);
    }
    rows.push(JSON.parse(r.stdout.trim().split("\n").pop()!) as ReturnType<typeof inprocChild>);
  }
  const command = `node build/ts/bench/spread.js ${argv.join(" ")}`.trim();
  if (argv.includes("--json")) {
    console.log(JSON.stringify({ command, loadavg: [load0, loadavg()], rows }, null, 2));
    return;
  }
  console.log(`${command}  (${new Date().toISOString()}, loadavg ${load0} -> ${loadavg()})`);
  console.log(
    `train step b110, 1 thread, CPU time, median of ${blocks} interleaved blocks of ${iters} steps per engine`,
  );
  console.log(`A, B: two instances of one compiled module; C: a second compilation of the same bytes\n`);
  console.log(`| process | A (img/s) | B (img/s) | C (img/s) | B/A | C/A |`);
  console.log(`|---:|---:|---:|---:|---:|---:|`);
  rows.forEach((r, p) => {
    const [a, b, c] = r.cpu.map((t) => 110 / t);
    console.log(
      `| ${p + 1} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${c.toFixed(0)} | ${(b / a).toFixed(3)} | ${(c / a).toFixed(3)} |`,
    );
  });
  const all = rows.flatMap((r) => r.cpu.map((t) => 110 / t));
  const s = stats(all);
  console.log(`
all engines of all processes: min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}, max/min ${s.ratio.toFixed(3)}`);
}

interface Variant {
  name: string;
  flags: string[];
  shift: number;
  script?: string;
  cpu?: number;
  /** The PyTorch control (bench/torch_step.py). */
  peer?: string;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", ".."); // build/ts/bench -> repo

function parseVariant(v: string): Variant {
  if (v === "peer") {
    const script = resolve(ROOT, "bench", "torch_step.py");
    if (spawnSync("/usr/bin/python3", ["-c", "import torch"]).status !== 0) {
      usage("variant peer: /usr/bin/python3 cannot import torch (apt-get install -y python3-torch)");
    }
    return { name: v, flags: [], shift: 0, peer: script };
  }
  const m = v.match(/^shift:(\d+)$/);
  if (m) return { name: v, flags: [], shift: Number(m[1]) };
  const c = v.match(/^cpu:(\d+)$/);
  if (c) return { name: v, flags: [], shift: 0, cpu: Number(c[1]) };
  if (v.startsWith("build:")) {
    const script = resolve(v.slice(6), "build/ts/bench/spread.js");
    if (!existsSync(script)) usage(`variant ${v}: no ${script} (copy bench/spread.js's build there)`);
    return { name: v, flags: [], shift: 0, script };
  }
  if (!(v in VARIANTS)) usage(`unknown variant ${v} (default, no-liftoff, no-dyn, shift:B, cpu:N, build:DIR, peer)`);
  return { name: v, flags: VARIANTS[v], shift: 0 };
}

function int(argv: string[], flag: string, def: number): number {
  const at = argv.indexOf(flag);
  if (at < 0) return def;
  const v = Number(argv[at + 1]);
  if (!Number.isInteger(v) || v < 1) usage(`${flag} takes a positive integer, got ${argv[at + 1]}`);
  return v;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], max: s[s.length - 1], median: s[Math.floor(s.length / 2)], ratio: s[s.length - 1] / s[0] };
};

function main(argv: string[]): void {
  const known = ["--procs", "--variants", "--blocks", "--iters", "--json", "--child", "--shift", "--inproc"];
  for (const a of argv) if (a.startsWith("-") && !known.includes(a)) usage(`unknown flag ${a}`);
  const blocks = int(argv, "--blocks", 7),
    iters = int(argv, "--iters", 10);
  if (argv.includes("--child") && argv.includes("--inproc")) {
    console.log(JSON.stringify(inprocChild(blocks, iters)));
    return;
  }
  if (argv.includes("--child")) {
    const at = argv.indexOf("--shift");
    console.log(JSON.stringify(child(at >= 0 ? Number(argv[at + 1]) : 0, blocks, iters)));
    return;
  }
  const procs = int(argv, "--procs", 10);
  if (argv.includes("--inproc")) return inproc(argv, procs, blocks, iters);
  const at = argv.indexOf("--variants");
  const variants = (at >= 0 ? argv[at + 1] : "default").split(",").map(parseVariant);
  const self = fileURLToPath(import.meta.url);
  const load0 = loadavg();
  const rows: { variant: string; proc: number; at: number; f: Figures }[] = [];
  const start = performance.now();
  for (let p = 0; p < procs; p++) {
    for (const v of variants) {
      const at = (performance.now() - start) / 1e3;
      const args = [...v.flags, v.script ?? self, "--child", "--blocks", String(blocks), "--iters", String(iters)];
      if (v.shift) args.push("--shift", String(v.shift));
      const r = v.peer
        ? // one thread for PyTorch as for augsal's child: with torch.set_num_threads(1) alone OpenMP still
          // starts a second thread (idle in most runs here, but one run used 2 CPU-seconds per wall second)
          spawnSync("/usr/bin/python3", [v.peer, "--blocks", String(blocks), "--iters", String(iters)], {
            encoding: "utf8",
            env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
          })
        : v.cpu === undefined
          ? spawnSync(process.execPath, args, { encoding: "utf8" })
          : spawnSync("taskset", ["-c", String(v.cpu), process.execPath, ...args], { encoding: "utf8" });
      if (r.status !== 0) {
        console.error(`bench:spread: process ${p} (${v.name}) failed (exit ${r.status}): ${r.stderr.trim()}`);
        process.exit(1);
      }
      const f = JSON.parse(r.stdout.trim().split("\n").pop()!) as Figures;
      if (v.peer) f.peak_gflops = f.peak_cpu_gflops = NaN; // no peak probe in the PyTorch child
      rows.push({ variant: v.name, proc: p, at, f });
      if (!argv.includes("--json")) {
        console.error(
          `  ${v.name.padEnd(12)} process ${String(p + 1).padStart(2)}: ${f.train_img_s.toFixed(0)} img/s ` +
            `(CPU time: ${f.train_cpu_img_s.toFixed(0)}), peak ${fix(f.peak_gflops, 1)} GFLOP/s, ` +
            `on CPU ${cpuList(f.cpus)}`,
        );
      }
    }
  }
  const load1 = loadavg();
  const summary = variants.map((v) => {
    const mine = rows.filter((r) => r.variant === v.name).map((r) => r.f);
    return {
      variant: v.name,
      train: stats(mine.map((f) => f.train_img_s)),
      peak: stats(mine.map((f) => f.peak_gflops)),
      perPeak: stats(mine.map((f) => f.train_img_s / f.peak_gflops)),
      trainCpu: stats(mine.map((f) => f.train_cpu_img_s)),
      perPeakCpu: stats(mine.map((f) => f.train_cpu_img_s / f.peak_cpu_gflops)),
    };
  });
  const command = `node build/ts/bench/spread.js ${argv.join(" ")}`.trim();
  if (argv.includes("--json")) {
    console.log(JSON.stringify({ command, loadavg: [load0, load1], rows, summary }, null, 2));
    return;
  }
  console.log(`\n${command}  (${new Date().toISOString()}, loadavg ${load0} -> ${load1})`);
  console.log(
    `train step b110, 1 thread, ${procs} fresh processes per variant (interleaved), median of ${blocks} blocks`,
  );
  console.log(`of ${iters} steps after 30 warm-up steps; the machine may be shared: absolute figures are noisy\n`);
  console.log(
    `| variant | process | started (s) | train (img/s) | peak (GFLOP/s) | train / peak | train, CPU time (img/s) | ` +
      `CPU (per train block) |`,
  );
  console.log(`|---|---:|---:|---:|---:|---:|---:|---|`);
  for (const r of rows) {
    const { train_img_s: t, peak_gflops: g, train_cpu_img_s: tc } = r.f;
    console.log(
      `| ${r.variant} | ${r.proc + 1} | ${r.at.toFixed(0)} | ${t.toFixed(0)} | ${fix(g, 1)} | ${fix(t / g, 1)} | ${tc.toFixed(0)} | ` +
        `${cpuList(r.f.cpus)} |`,
    );
  }
  console.log(
    `\n| variant | train min | train median | train max | **max/min** | peak max/min | (train/peak) max/min | ` +
      `CPU-time train max/min | CPU-time (train/peak) max/min |`,
  );
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|`);
  for (const s of summary) {
    console.log(
      `| ${s.variant} | ${s.train.min.toFixed(0)} | ${s.train.median.toFixed(0)} | ${s.train.max.toFixed(0)} | ` +
        `**${s.train.ratio.toFixed(3)}** | ${fix(s.peak.ratio, 3)} | ${fix(s.perPeak.ratio, 3)} | ` +
        `${s.trainCpu.ratio.toFixed(3)} | ${fix(s.perPeakCpu.ratio, 3)} |`,
    );
  }
  console.log(`\ntarget (issue 15): train max/min <= 1.10 across 10 fresh processes (measure on a quiet machine)`);
}

/** x to `digits` decimals, "-" where there is no figure (the PyTorch control has no peak probe). */
const fix = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : "-");

/** The CPUs of the blocks, compactly: "1" if all ran on CPU 1, else one per block ("0 0 1 1 1 1 1"). */
function cpuList(cpus: number[]): string {
  if (!cpus?.length) return "?";
  return cpus.every((c) => c === cpus[0]) ? String(cpus[0]) : cpus.join(" ");
}

function loadavg(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
}

main(process.argv.slice(2));
