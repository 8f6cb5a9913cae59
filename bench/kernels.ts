// The kernel benchmarks through benny: the cases of src/bench/kernels.ts, printed with GFLOP/s,
// the share of the measured peak and images/s beside benny's own statistics.
//   npm run build && node build/ts/bench/kernels.js [--quick] [--cs231n] [--no-twins] [--json]
import { pathToFileURL } from "node:url";
import { add, complete, cycle, suite } from "benny";
import { loadCore } from "../src/node/wasm.js";
import { benchKernels, deriveTotals, kernelCases, peakCase, timeCase, timeOnce, type BenchOptions } from "../src/bench/kernels.js";

/** Print the cases through benny, with GFLOP/s and the share of the peak measured first. */
async function main(argv: string[]): Promise<void> {
  const opts: BenchOptions = { cs231n: argv.includes("--cs231n"), noTwins: argv.includes("--no-twins") };
  if (argv.includes("--quick")) opts.minTime = 0.15;
  const core = loadCore();
  if (argv.includes("--json")) {
    console.log(JSON.stringify(benchKernels(core, opts), null, 2));
    return;
  }
  const peakC = peakCase(core);
  const peak = peakC.flops / timeCase(peakC) / 1e9;
  console.log(`peak probe: ${peak.toFixed(1)} GFLOP/s (single thread, f32x4 mul + add; the machine may be shared: timings are noisy)`);
  const times: Record<string, number> = {};
  const maxTime = opts.minTime ?? 0.8;
  for (const [title, cases] of kernelCases(core, opts)) {
    // benny times the runs by the wall clock; each run also records its CPU time (timeOnce), and the
    // line printed uses the better of the two fastest runs, as benchKernels does.
    const best = new Map<string, number>();
    const byName = new Map(cases.map((c) => [c.label, c]));
    for (const c of cases) timeCase(c, 0.01); // warm-up (tier-up) outside benny's sampling
    await suite(
      title,
      ...cases.map((c) =>
        add(c.label, () => {
          const { wall, cpu } = timeOnce(c);
          best.set(c.key, Math.min(best.get(c.key) ?? Infinity, wall, Number.isNaN(cpu) ? wall : cpu));
        }, { minSamples: 3, maxTime: c.key.endsWith("_ref") ? 0.2 : maxTime }),
      ),
      cycle((res) => {
        const c = byName.get(res.name)!;
        const sec = Math.min(res.details.min, best.get(c.key) ?? Infinity);
        times[c.key] = sec * 1e3;
        const gf = c.flops / sec / 1e9;
        console.log(`  ${res.name.padEnd(44)} ${(sec * 1e3).toFixed(2).padStart(9)} ms ${gf.toFixed(1).padStart(6)} GFLOP/s ` +
          `${((100 * gf) / peak).toFixed(0).padStart(3)}% of peak  ${(c.images / sec).toFixed(0).padStart(7)} images/s` +
          `  (benny: ${res.ops.toFixed(res.ops < 10 ? 1 : 0)} runs/s ±${res.margin.toFixed(1)}%)`);
      }),
      complete(() => {}),
    );
  }
  const r: Record<string, number> = {};
  for (const [k, ms] of Object.entries(times)) r[`${k}_ms`] = ms;
  deriveTotals(r, opts);
  if (r.train_layers_images_per_s) {
    console.log(`\nlayers of one training step (batch ${opts.trainBatch ?? 110}: conv1 fwd+bwd, conv2 fwd+bwd, linear fwd+bwd): ` +
      `${r.train_layers_ms.toFixed(1)} ms, ${r.train_layers_images_per_s.toFixed(0)} images/s`);
  }
  if (r.infer_layers_images_per_s) {
    console.log(`layers of inference (batch ${opts.inferBatch ?? 1000}): ${r.infer_layers_ms.toFixed(1)} ms, ` +
      `${r.infer_layers_images_per_s.toFixed(0)} images/s`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
