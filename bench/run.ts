// `npm run bench`: the benchmark cases of src/bench/ (the same ones `augsal bench` times), printed
// through benny suites: kernels beside their scalar twins (GFLOP/s and the share of the peak measured
// first), augmentation (images/s), whole steps (images/s). About a minute; the machine may be shared,
// so timings are noisy.
//   npm run bench [-- [--only kernels|augment|steps] [--quick] [--cs231n] [--no-twins] [--json]]
// --json prints what `node dist/cli.js bench --json` prints (every section, without benny).
import { pathToFileURL } from "node:url";
import { add, complete, cycle, suite } from "benny";
import { loadCore } from "../src/node/wasm.js";
import { deriveTotals, type BenchOptions } from "../src/bench/kernels.js";
import { SECTIONS, benchSections, measurePeak, runBench, type SectionName } from "../src/bench/suite.js";
import { caseLine, caseTime, timeOnce, warmUp } from "../src/bench/timing.js";

function usage(msg: string): never {
  console.error(
    `bench: ${msg}\nusage: npm run bench -- [--only ${SECTIONS.join("|")}] [--quick] [--cs231n] [--no-twins] [--json]`,
  );
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const known = ["--only", "--quick", "--cs231n", "--no-twins", "--json"];
  for (const a of argv) if (a.startsWith("-") && !known.includes(a)) usage(`unknown flag ${a}`);
  const at = argv.indexOf("--only");
  const only = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && !(SECTIONS as readonly string[]).includes(only ?? ""))
    usage(`--only takes one of ${SECTIONS.join(", ")}, got ${only}`);
  if (argv.includes("--json")) {
    console.log(JSON.stringify(await runBench({ quick: argv.includes("--quick") }), null, 2));
    return;
  }
  const opts: BenchOptions = { cs231n: argv.includes("--cs231n"), noTwins: argv.includes("--no-twins") };
  if (argv.includes("--quick")) opts.minTime = 0.15;
  const peak = measurePeak(loadCore(), opts.minTime);
  console.log(
    `peak probe: ${peak.toFixed(1)} GFLOP/s (single thread, f32x4 mul + add; the machine may be shared: timings are noisy)`,
  );
  const times: Record<string, number> = {};
  for (const section of benchSections(opts)) {
    if (only && section.name !== (only as SectionName)) continue;
    for (const [title, cases] of section.build()) {
      // benny times the runs by the wall clock; each run also records its CPU time (timeOnce), and the
      // line printed uses the better of the two fastest runs, as `augsal bench` does (timing.ts).
      const best = new Map<string, number>();
      const byLabel = new Map(cases.map((c) => [c.label, c]));
      for (const c of cases) warmUp(c); // tier-up outside benny's sampling
      await suite(
        title,
        ...cases.map((c) =>
          add(
            c.label,
            () => {
              const { wall, cpu } = timeOnce(c);
              best.set(c.key, Math.min(best.get(c.key) ?? Infinity, wall, Number.isNaN(cpu) ? wall : cpu));
            },
            { minSamples: 3, maxTime: caseTime(c, opts.minTime) },
          ),
        ),
        cycle((res) => {
          const c = byLabel.get(res.name)!;
          const sec = Math.min(res.details.min, best.get(c.key) ?? Infinity);
          times[c.key] = sec * 1e3;
          console.log(
            `  ${caseLine(c, sec, peak)}  (benny: ${res.ops.toFixed(res.ops < 10 ? 1 : 0)} runs/s ±${res.margin.toFixed(1)}%)`,
          );
        }),
        complete(() => {}),
      );
    }
  }
  const r: Record<string, number> = {};
  for (const [k, ms] of Object.entries(times)) r[`${k}_ms`] = ms;
  deriveTotals(r, opts);
  if (r.train_layers_images_per_s) {
    console.log(
      `\nlayers of one training step (batch ${opts.trainBatch ?? 110}: conv1 fwd+bwd, conv2 fwd+bwd, linear fwd+bwd): ` +
        `${r.train_layers_ms.toFixed(1)} ms, ${r.train_layers_images_per_s.toFixed(0)} images/s`,
    );
  }
  if (r.infer_layers_images_per_s) {
    console.log(
      `layers of inference (batch ${opts.inferBatch ?? 1000}): ${r.infer_layers_ms.toFixed(1)} ms, ` +
        `${r.infer_layers_images_per_s.toFixed(0)} images/s`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
