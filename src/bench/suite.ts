// `augsal bench`: the figures that matter on this machine, single thread. Kernel GFLOP/s beside the
// FMA-throughput peak measured in the same run, and whole-step throughput.
import { loadCore } from "../node/wasm.js";
import { benchKernels } from "./kernels.js";
import { benchSteps } from "./steps.js";

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

export async function runBench(opts: { quick?: boolean; log?: (line: string) => void } = {}): Promise<BenchResult> {
  const log = opts.log ?? (() => {});
  const k = benchKernels(loadCore(), { minTime: opts.quick ? 0.15 : 0.8, noTwins: opts.quick });
  const s = benchSteps({ quick: opts.quick });
  const r = { ...k, ...s, threads: 1 } as BenchResult;
  const share = (g: number) => `${((100 * g) / r.peak_gflops).toFixed(0)}% of peak`;
  log(`peak (f32x4 mul+add probe)     ${r.peak_gflops.toFixed(1)} GFLOP/s`);
  for (const [key, v] of Object.entries(k)) {
    if (key.endsWith("_gflops") && key !== "peak_gflops") log(`${key.padEnd(30)} ${v.toFixed(1)} GFLOP/s (${share(v)})`);
  }
  // The names for the headline kernels.
  r.conv2_fwd_gflops = k.conv2_fwd_gflops;
  r.conv2_bwd_gflops = k.conv2_bwd_gflops;
  log(`train step, batch 110          ${r.train_b110_img_s.toFixed(0)} images/s`);
  log(`inference, batch 1000          ${r.infer_b1000_img_s.toFixed(0)} images/s`);
  log(`saliency maps, batch 100       ${r.saliency_b100_maps_s.toFixed(0)} maps/s`);
  return r;
}
