// The CLI's commands, each one function over a parsed command line.
import { join } from "node:path";
import { parseCli, type ParsedCli } from "./parse.js";
import { VERSION } from "../version.js";
import { loadCore, wasmBytes } from "../node/wasm.js";
import { exists, readFile, sha256, writeAtomic } from "../node/files.js";
import { UsageError, studyJobs, type StudyConfig } from "../study/config.js";
import { loadStudyInputs, runStudy, type Logger } from "../study/study.js";
import { statsText, type Results } from "../study/analysis.js";
import { analyseOnPool } from "../study/trust-stage.js";
import { figure1Files, figure1SvgOf, writeReport } from "../study/report-input.js";
import { jobPaths, openExistingRun, openRunForWrite, readRunConfigFile } from "../study/run-folder.js";
import { CLI, RunFolder, inspectFolder } from "../node/runfolder.js";
import { checkQueries, checkSplit, parseJsonFile, queriesSchema, resultsSchema, splitSchema } from "../node/schemas.js";
import { fingerprintInputs, inputChanges } from "../node/fingerprint.js";
import { normalizeConfig } from "../study/normalize.js";

const pad = (s: string, n: number) => s.padEnd(n);
const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d).replace(/^-(0\.0+)$/, "$1") : "–");

/** sweep's cluster flags (--slurm, --k8s, --submit, --shards, --throttle), checked; undefined without
 *  --slurm or --k8s. */
async function clusterFlags(p: ParsedCli, sharded: boolean) {
  const raw = p.raw;
  const on = !!raw.slurm || !!raw.k8s;
  if (!on) {
    const stray = ["submit", "shards", "throttle"].filter((k) => raw[k] !== undefined);
    if (stray.length)
      throw new UsageError(
        `${stray.map((k) => `--${k}`).join(", ")} go${stray.length === 1 ? "es" : ""} with --slurm or --k8s`,
      );
    return undefined;
  }
  if (sharded) throw new UsageError("--shard runs one slice here; --slurm/--k8s write jobs for every slice: give one");
  if (p.dryRun) throw new UsageError("--dry-run writes nothing; --slurm/--k8s write the cluster's jobs: give one");
  const int = (k: string) => {
    const v = raw[k];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !/^\d+$/.test(v.trim()))
      throw new UsageError(`--${k} must be a positive integer, got '${v}'`);
    return Number(v);
  };
  const f = {
    slurm: !!raw.slurm,
    k8s: !!raw.k8s,
    submit: !!raw.submit,
    cpus: raw.workers !== undefined ? p.workers : 1,
    shards: int("shards"),
    throttle: int("throttle"),
  };
  (await import("../sweep/slurm.js")).checkClusterFlags(f, p.out);
  return f;
}

/** Table 1 and the metrics as plain text for the terminal. */
export function summaryText(r: Results): string {
  const lines = [
    "",
    "Table 1: training results (best validation accuracy, its epoch, test accuracy with those weights)",
    "",
  ];
  lines.push(`${pad("set", 12)}${pad("bestVal", 9)}${pad("epoch", 7)}test`);
  for (const row of r.table1)
    lines.push(`${pad(row.set, 12)}${pad(f(row.bestVal), 9)}${pad(String(row.bestEpoch), 7)}${f(row.test, 4)}`);
  if (r.runs.length > 1) {
    lines.push("", `Test accuracy over ${r.runs.length} runs (mean ± sd)`);
    for (const s of r.table1Summary) lines.push(`${pad(s.set, 12)}${f(s.testMean, 4)} ± ${f(s.testSd, 4)}`);
  }
  lines.push("", "Saliency against the Orig baseline (mean ± sd over queries)", "");
  lines.push(
    `${pad("set", 16)}${pad("CC", 16)}${pad("KL", 16)}${pad("SIM", 16)}${pad("Spearman", 16)}${pad("H spatial", 16)}H hist`,
  );
  const row = (
    name: string,
    m: {
      cc: number;
      ccSd: number;
      kl: number;
      klSd: number;
      sim: number;
      simSd: number;
      spearman: number;
      spearmanSd: number;
    },
    eS: string,
    eH: string,
  ) =>
    lines.push(
      `${pad(name, 16)}${pad(`${f(m.cc)}±${f(m.ccSd)}`, 16)}${pad(`${f(m.kl)}±${f(m.klSd)}`, 16)}${pad(`${f(m.sim)}±${f(m.simSd)}`, 16)}${pad(`${f(m.spearman)}±${f(m.spearmanSd)}`, 16)}${pad(eS, 16)}${eH}`,
    );
  for (const m of r.metrics)
    row(m.set, m, `${f(m.entropySpatial)}±${f(m.entropySpatialSd)}`, `${f(m.entropyHist)}±${f(m.entropyHistSd)}`);
  if (r.noiseFloor) row(`${r.noiseFloor.set.replace(/^orig \((\w+)\)$/, "$1")} floor`, r.noiseFloor, "", "");
  if (r.stats) lines.push(...statsText(r.stats));
  else lines.push("", "No noise floors (--no-noise-floor): no tests against a floor.");
  return lines.join("\n") + "\n";
}

function configText(c: StudyConfig, out: string, workers: number, threads: number): string {
  const o = c.optimizer;
  return [
    `augsal ${VERSION}`,
    `  data ${c.data}, ${c.trainPerClass}/class train, ${c.valPerClass}/class validation, seed ${c.seed}, runs ${c.runs}`,
    `  sets orig,${c.aug.join(",")} (${c.copies} copies per image${
      Object.keys(c.strength).length
        ? `, strength ${Object.entries(c.strength)
            .map(([k, v]) => `${k}=${v}`)
            .join(",")}`
        : ""
    }${c.cropMode === "resize" ? ", crop-and-resize" : ""}), arch ${c.arch}`,
    `  ${c.epochs} epochs x ${c.steps} steps, batch ${c.batch || "set size / steps"}, ${o.kind} lr ${o.lr}`,
    `  saliency: ${c.queries} query/class, target ${c.target}, score ${c.score}, noise floor ${c.noiseFloor ? "on" : "off"}`,
    `  workers ${workers} (cores shared by the jobs; up to ${threads} thread${threads > 1 ? "s" : ""} per job)`,
    `  output ${out}`,
  ].join("\n");
}

/**
 * `study --out DIR` (or train, augment) with no configuration flag continues the run in DIR with its
 * own configuration: that is the command augsal suggests after an interruption or a missing file.
 */
function adoptRunConfig(p: ParsedCli): StudyConfig {
  if (!p.outGiven || p.given.length > 0) return p.config;
  const st = inspectFolder(p.out);
  if (st.kind !== "run") return p.config;
  const file = readRunConfigFile(RunFolder.open(p.out, st.manifest));
  return file ? file.config : p.config;
}

const q = (s: string) => (s.includes(" ") ? `'${s}'` : s);

export async function runCommand(p: ParsedCli, log: Logger): Promise<number> {
  switch (p.command) {
    case "study":
    case "train": {
      const config = adoptRunConfig(p);
      log.info(configText(config, p.out, p.workers, Math.min(p.threads ?? p.workers, p.workers)));
      const command = ["node dist/cli.js", ...process.argv.slice(2)].join(" ");
      const r = await runStudy(config, {
        out: p.out,
        workers: p.workers,
        threads: p.threads,
        force: p.force,
        scale: p.scale,
        log,
        command,
        trainOnly: p.command === "train",
      });
      if (r) {
        process.stdout.write(summaryText(r));
        process.stdout.write(`\nreport: ${join(p.out, "report.html")}\n`);
      } else {
        process.stdout.write(`trained models in ${join(p.out, "weights")}\n`);
      }
      return 0;
    }
    case "saliency":
    case "report": {
      const command = ["node dist/cli.js", ...process.argv.slice(2)].join(" ");
      const run = await openExistingRun(p.out, { command });
      try {
        const config = normalizeConfig(run.config);
        const missing = studyJobs(config).flatMap((j) => Object.values(jobPaths(p.out, j)).filter((f) => !exists(f)));
        if (missing.length) {
          const names = missing.map((f) => f.slice(p.out.length + 1));
          throw new UsageError(
            `--out ${p.out} is not fully trained (${names.join(", ")} missing or unfinished): ` +
              `run '${CLI} study --out ${q(p.out)}' to finish it`,
          );
        }
        const core = loadCore();
        const { ds } = loadStudyInputs(core, config);
        if (run.file.inputs) {
          const changes = inputChanges(run.file.inputs, fingerprintInputs({ ...ds.files }));
          if (changes.length)
            throw new UsageError(
              `--out ${p.out}: the run was made from other input data: ${changes.join("; ")}; restore the data`,
            );
        }
        const sp = join(p.out, "split.json");
        const split = parseJsonFile(splitSchema, sp, readFile(sp).toString("utf8"), run.rf.repairHint("split.json"));
        checkSplit(sp, split, ds.train.labels.length, run.rf.repairHint("split.json"));
        const qp = join(p.out, "queries.json");
        const queries = parseJsonFile(
          queriesSchema,
          qp,
          readFile(qp).toString("utf8"),
          run.rf.repairHint("queries.json"),
        );
        checkQueries(qp, queries, ds.test.labels, run.rf.repairHint("queries.json"));
        let results: Results;
        const rp = join(p.out, "results.json");
        if (p.command === "saliency" || !exists(rp)) {
          results = await analyseOnPool(core, config, p.out, ds, queries, p.workers);
        } else
          results = parseJsonFile(
            resultsSchema,
            rp,
            readFile(rp).toString("utf8"),
            run.rf.repairHint("results.json"),
          ) as unknown as Results;
        await writeReport(core, config, p.out, ds, split, results, sha256(wasmBytes()), p.scale, p.workers);
        process.stdout.write(summaryText(results));
        process.stdout.write(`\nreport: ${join(p.out, "report.html")}\n`);
      } finally {
        await run.close();
      }
      return 0;
    }
    case "augment": {
      const config = normalizeConfig(adoptRunConfig(p));
      const core = loadCore();
      const { ds, split } = loadStudyInputs(core, config);
      const files = await figure1Files(figure1SvgOf(core, config, ds, split.train));
      const command = ["node dist/cli.js", ...process.argv.slice(2)].join(" ");
      // Into a run of another configuration only what Figure 1 depends on counts; it is refused like study.
      const session = await openRunForWrite(p.out, config, {
        force: p.force,
        command,
        what: "augment",
        keys: ["data", "seed", "strength", "cropMode", "trainPerClass", "valPerClass"],
      });
      try {
        for (const f of files) {
          writeAtomic(join(p.out, f.path), f.data);
          process.stdout.write(`${join(p.out, f.path)}\n`);
        }
      } finally {
        await session.close();
      }
      return 0;
    }
    case "sweep": {
      const { parseGridFile, resolveGrid } = await import("../sweep/grid.js");
      const { parseShard } = await import("../sweep/plan.js");
      const { runSweep } = await import("../sweep/run.js");
      if (!p.outGiven) throw new UsageError("sweep needs --out DIR (the sweep folder, shared by every shard)");
      const gridPath = p.target!;
      let text: string;
      try {
        text = readFile(gridPath).toString("utf8");
      } catch (e) {
        throw new UsageError(`sweep: cannot read the grid file ${gridPath}: ${(e as Error).message}`);
      }
      const file = parseGridFile(gridPath, text);
      const flags = Object.fromEntries(
        Object.entries(p.raw).filter(
          ([k]) =>
            !["out", "workers", "threads", "shard", "dry-run", "slurm", "submit", "k8s", "shards", "throttle"].includes(
              k,
            ),
        ),
      );
      // a study's flags mean what they mean for `study`: the same parser turns them into a configuration
      const toConfig = (f: Record<string, string | boolean>) =>
        parseCli(["study", ...Object.entries(f).flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, String(v)]))])
          .config;
      const { grid, base } = resolveGrid(gridPath, file, flags, toConfig);
      const shard = p.shard !== undefined ? parseShard(p.shard) : undefined;
      // --slurm / --k8s: write (and --submit) the cluster's jobs instead of training here; --workers is
      // then the CPUs of each task (default 1).
      const cluster = await clusterFlags(p, shard !== undefined);
      const r = await runSweep(grid, base, {
        out: p.out,
        workers: cluster ? cluster.cpus : p.workers,
        threads: p.threads,
        shard,
        dryRun: p.dryRun,
        log,
        cluster: cluster && (await import("../sweep/slurm.js")).clusterOptions(cluster, grid, base),
      });
      process.stdout.write(r.text);
      return r.summary && r.summary.failed.length ? 1 : 0;
    }
    case "merge": {
      const { mergeSweep } = await import("../sweep/merge.js");
      const r = mergeSweep(p.target!);
      process.stdout.write(r.text);
      return r.code;
    }
    case "bench": {
      const { runBench } = await import("../bench/suite.js");
      const r = await runBench({
        quick: p.quick,
        threads: p.threads ?? 1,
        log: p.json ? undefined : (l: string) => process.stdout.write(l + "\n"),
      });
      if (p.json) process.stdout.write(JSON.stringify(r) + "\n");
      return 0;
    }
    default:
      return 0;
  }
}
