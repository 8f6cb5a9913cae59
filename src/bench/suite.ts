// `augsal bench [--threads N]`: the figures that matter on this machine, on 1 (default) or N threads:
// kernel GFLOP/s beside the peak of a f32x4 multiply-then-add probe measured in the same run on as many
// threads (assembly/gemm.ts peak_probe), augmentation throughput, whole-step throughput, and maps/s of
// every attribution method. Every case is defined once, in kernels.ts, augment.ts, steps.ts and
// methods.ts; `npm run bench` (bench/run.ts) runs the same sections through benny.
import type { Core } from "../core/load.js";
import { loadCore } from "../node/wasm.js";
import { loadThreadedCore } from "../node/threads.js";
import { augmentCases } from "./augment.js";
import { deriveTotals, kernelCases, peakCase, type BenchOptions } from "./kernels.js";
import { stepCases } from "./steps.js";
import { deriveMethodCosts, methodCases } from "./methods.js";
import { caseFigures, caseLine, caseTime, timeCase, timePaired, type BenchCase } from "./timing.js";

export interface BenchResult {
  peak_gflops: number;
  train_b110_img_s: number;
  infer_b1000_img_s: number;
  saliency_b100_maps_s: number;
  conv2_fwd_gflops: number;
  conv2_bwd_gflops: number;
  threads: number;
  [key: string]: number;
}

export const SECTIONS = ["kernels", "augment", "steps", "methods"] as const;
export type SectionName = (typeof SECTIONS)[number];

/** A section builds its cases (and the cores they run on) only when it runs, so that one section's
 *  memory can go before the next one's is taken. */
export interface BenchSection {
  name: SectionName;
  build: () => [string, BenchCase[]][];
}

/** Every section, in order. `newCore` gives each section (and each step model) a core of its own. */
export function benchSections(opts: BenchOptions = {}, newCore: () => Core = loadCore): BenchSection[] {
  return [
    { name: "kernels", build: () => kernelCases(newCore(), opts) },
    { name: "augment", build: () => augmentCases(newCore(), { noTwins: opts.noTwins }) },
    { name: "steps", build: () => [["whole steps (tutorial model)", stepCases(newCore)]] },
    { name: "methods", build: () => [["attribution methods (tutorial model, maps/s)", methodCases(newCore)]] },
  ];
}

/** Seconds per run of the peak probe, as GFLOP/s. */
export function measurePeak(core: Core, minTime?: number): number {
  const p = peakCase(core);
  return p.flops / timeCase(p, minTime) / 1e9;
}

/** Time every case of every section and return the figures (see timing.ts's caseFigures), with
 *  deriveTotals' layer totals and the headline keys the CLI promises. */
export async function runBench(
  opts: { quick?: boolean; threads?: number; log?: (line: string) => void } = {},
): Promise<BenchResult> {
  const log = opts.log ?? (() => {});
  const threads = opts.threads ?? 1;
  const bopts: BenchOptions = { minTime: opts.quick ? 0.15 : 0.8, noTwins: opts.quick };
  // threads > 1: every core is the threaded module on `threads` threads over its shared memory
  // (src/node/threads.ts), and every figure — the peak probe too — is measured on all of them
  const cores: Core[] = [];
  const newCore =
    threads > 1
      ? () => {
          const c = loadThreadedCore({ maxThreads: threads });
          cores.push(c);
          return c;
        }
      : loadCore;
  const peakCore = newCore();
  const r: Record<string, number> = { peak_gflops: measurePeak(peakCore, bopts.minTime) };
  log(`peak (f32x4 mul+add probe${threads > 1 ? `, ${threads} threads` : ""})  ${r.peak_gflops.toFixed(1)} GFLOP/s`);
  try {
    await runSections(r, bopts, newCore, log, peakCase(peakCore));
  } finally {
    for (const c of cores) c.parallel.close();
  }
  return { ...r, threads } as BenchResult;
}

async function runSections(
  r: Record<string, number>,
  bopts: BenchOptions,
  newCore: () => Core,
  log: (l: string) => void,
  peak: BenchCase,
) {
  for (const section of benchSections(bopts, newCore)) {
    for (const [title, cases] of section.build()) {
      log(`\n${title}`);
      for (const c of cases) {
        // flop-counting cases (not the twins): paired with the probe, medians (timing.ts)
        const paired = c.flops > 0 && !c.twin ? timePaired(c, peak, caseTime(c, bopts.minTime)) : undefined;
        const sec = paired ? paired.sec : timeCase(c, caseTime(c, bopts.minTime));
        Object.assign(r, caseFigures(c, sec, r.peak_gflops, paired));
        log(`  ${caseLine(c, sec, r.peak_gflops, paired)}`);
      }
    }
  }
  deriveTotals(r, bopts);
  deriveMethodCosts(r);
}
