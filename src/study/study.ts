// The pipeline of one study (README "Layout"): data → split → augmented sets → training jobs on
// workers → saliency → metrics → figures and report. Each stage takes and returns plain values that are
// written to the run folder, which is what makes a run resumable and each stage testable. The stages
// live beside this file: ./run-folder.ts (the folder's policy), ./training.ts (jobs on workers),
// ./analysis.ts (maps and metrics), ./report-input.ts (figures and report).
import { availableParallelism, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { loadCore, wasmBytes, wasmModule } from "../node/wasm.js";
import { wasmMtModule } from "../node/threads.js";
import type { Core } from "../core/load.js";
import { encodeCheckpoint } from "../nn/checkpoint.js";
import { loadDataset } from "../node/datasets.js";
import type { Dataset } from "../data/datasets.js";
import { classBalancedSplit, gather } from "../data/split.js";
import { parseSpec } from "../nn/spec.js";
import { primaryFloor, studyJobs, studyModels, validateConfig, UsageError, type StudyConfig } from "./config.js";
import { checkStrength } from "../data/augment.js";
import { runTraining } from "./training.js";
import { DIVERGED, type JobResult, type StudyData } from "./job.js";
import { chooseQueries } from "./queries.js";
import { sha256, writeAtomic, writeJson } from "../node/files.js";
import type { Results } from "./analysis.js";
import { analyseOnPool } from "./trust-stage.js";
import { writeReport } from "./report-input.js";
import { jobPaths, openRunForWrite } from "./run-folder.js";
import { exists } from "../node/files.js";
import { preflight } from "./preflight.js";
import { fingerprintInputs } from "../node/fingerprint.js";
import type { Timings } from "../node/schemas.js";
import { normalizeConfig } from "./normalize.js";
import { VERSION } from "../version.js";

export type { Results } from "./analysis.js";

export interface Logger {
  /** A line that stays. */
  info(line: string): void;
  /** A line that replaces the previous progress line on a terminal. */
  progress(line: string): void;
}

export const silentLogger: Logger = { info() {}, progress() {} };

export interface StudyOptions {
  out: string;
  /** Cores the training jobs share (default: all). */
  workers?: number;
  /** Threads one training job may use at most (default: workers). */
  threads?: number;
  force?: boolean;
  log?: Logger;
  /** Colour scale of Figure 4: one per query row (default) or per map (Captum's 2% clip). */
  scale?: "shared" | "per-map";
  /** The command line, recorded in config.json. */
  command?: string;
  /** Stop after training (the `train` subcommand). */
  trainOnly?: boolean;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "--";
  const m = Math.floor(s / 60);
  return m
    ? `${m}m${Math.round(s % 60)
        .toString()
        .padStart(2, "0")}s`
    : `${s.toFixed(1)}s`;
}

/** The images of the study: the split's training and validation images and the test set, 8-bit. */
export function gatherStudyData(ds: Dataset, split: { train: number[]; val: number[] }): StudyData {
  const size = ds.rows * ds.cols;
  return {
    rows: ds.rows,
    cols: ds.cols,
    train: { ...gather(ds.train.images, ds.train.labels, size, split.train), source: Int32Array.from(split.train) },
    val: gather(ds.train.images, ds.train.labels, size, split.val),
    test: { images: ds.test.images, labels: ds.test.labels },
  };
}

/**
 * The data set and the class-balanced split of a configuration; bad data or counts are usage errors.
 * With `check`, every size of the study is checked against the data first (./preflight.ts: the model
 * on the real image size and classes, whose loss kernels cannot reject a label at or above its
 * outputs, steps and batch, queries, memory per worker).
 */
export function loadStudyInputs(
  core: Core,
  config: StudyConfig,
  check?: { workers: number },
): { ds: Dataset; split: { train: number[]; val: number[] } } {
  let ds: Dataset;
  try {
    ds = loadDataset(config.data);
  } catch (e) {
    throw new UsageError(`--data ${config.data}: ${(e as Error).message}`);
  }
  if (check) {
    preflight(
      config,
      { spec: config.data, rows: ds.rows, cols: ds.cols, trainLabels: ds.train.labels, testLabels: ds.test.labels },
      { workers: Math.min(check.workers, studyJobs(config).length), totalMemory: totalmem() },
    );
  }
  try {
    const s = classBalancedSplit(core, ds.train.labels, {
      seed: config.seed,
      trainPerClass: config.trainPerClass,
      valPerClass: config.valPerClass,
    });
    return { ds, split: { train: Array.from(s.train), val: Array.from(s.val) } };
  } catch (e) {
    throw new UsageError(`--train-per-class/--val-per-class: ${(e as Error).message}`);
  }
}

/** What the configuration's defaults resolve to, recorded in config.json: each augmentation's strength,
 *  the architecture's layers, the models of a run and the matching floor. */
export function resolvedConfig(config: StudyConfig, ds: Dataset) {
  return {
    strength: Object.fromEntries(
      config.aug.map((a) => [a, checkStrength(a, config.strength[a], { crop: config.cropMode })]),
    ),
    layers: parseSpec(config.arch, [1, ds.rows, ds.cols]).layers,
    models: studyModels(config),
    primaryFloor: config.noiseFloor ? primaryFloor(config) : null,
  };
}

/** timings.json's content (src/node/schemas.ts's timingsSchema). */
function timingsFile(stages: Record<string, number>, jobs: Record<string, number>, total: number, workers: number) {
  return { format: "augsal-timings", version: 1, stages, jobs, total, workers } satisfies Timings;
}

/** Run (or resume) a whole study; returns the results also written to results.json. */
export async function runStudy(given: StudyConfig, opts: StudyOptions): Promise<Results | null> {
  validateConfig(given);
  // idx:DIR/ and idx:DIR are one configuration, and config.json records the strengths used.
  const config = normalizeConfig(given);
  const log = opts.log ?? silentLogger;
  const out = resolve(opts.out);
  const workers = opts.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1)
    throw new UsageError(`--workers must be a positive integer, got ${workers}`);
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const lap = (name: string, since: number) => (timings[name] = +((performance.now() - since) / 1000).toFixed(3));

  // Everything that can fail on bad input fails here, before the run folder is touched.
  let t = performance.now();
  const core = loadCore();
  const { ds, split } = loadStudyInputs(core, config, { workers });
  const inputs = fingerprintInputs({ ...ds.files });
  const queryIdx = chooseQueries(core, ds.test.labels, config.queries, config.seed, ds.classes);
  lap("data", t);

  const session = await openRunForWrite(out, config, { force: opts.force ?? false, command: opts.command, inputs });
  try {
    return await studyInFolder(session, config, opts, {
      core,
      ds,
      split,
      queryIdx,
      inputs,
      workers,
      log,
      timings,
      t0,
      lap,
    });
  } finally {
    await session.close();
  }
}

interface StudyState {
  core: Core;
  ds: Dataset;
  split: { train: number[]; val: number[] };
  queryIdx: number[];
  inputs: ReturnType<typeof fingerprintInputs>;
  workers: number;
  log: Logger;
  timings: Record<string, number>;
  t0: number;
  lap: (name: string, since: number) => number;
}

async function studyInFolder(
  session: Awaited<ReturnType<typeof openRunForWrite>>,
  config: StudyConfig,
  opts: StudyOptions,
  st: StudyState,
): Promise<Results | null> {
  const { core, ds, split, queryIdx, inputs, workers, log, timings, t0, lap } = st;
  const out = session.rf.dir;
  const mode = session.mode;
  let t = performance.now();
  const wasmSha = sha256(wasmBytes());
  // createdAt is kept from the first run of this folder so a resumed run renders the same page.
  const createdAt = (mode === "resume" ? session.previous?.createdAt : undefined) ?? new Date().toISOString();
  const architecture = preflight(config, {
    spec: config.data,
    rows: ds.rows,
    cols: ds.cols,
    trainLabels: ds.train.labels,
    testLabels: ds.test.labels,
  }).spec;
  writeJson(join(out, "config.json"), {
    augsal: VERSION,
    wasmSha256: wasmSha,
    node: process.version,
    createdAt,
    command: opts.command,
    config,
    architecture,
    inputs,
    resolved: resolvedConfig(config, ds),
  });
  writeJson(join(out, "split.json"), {
    seed: config.seed,
    trainPerClass: config.trainPerClass,
    valPerClass: config.valPerClass,
    source: config.data,
    train: split.train,
    val: split.val,
    test: "all test images",
  });
  const queries = queryIdx.map((index) => ({ index, label: ds.test.labels[index] }));
  writeJson(join(out, "queries.json"), queries);
  log.info(`augsal ${VERSION}: ${mode === "resume" ? "resuming" : "writing"} ${out}`);

  // Training jobs: skip the finished ones (weights and history written, checksums in the manifest).
  t = performance.now();
  const jobs = studyJobs(config);
  const paths = (j: { id: string }) => jobPaths(out, j);
  const pending = jobs.filter((j) => !(exists(paths(j).w) && exists(paths(j).h)));
  session.onInterruptMessage(() => {
    const kept = jobs.filter((j) => exists(paths(j).w) && exists(paths(j).h)).length;
    return `kept ${kept} of ${jobs.length} trained models in ${out}; run '${opts.command ?? `node dist/cli.js study --out ${out}`}' to resume`;
  });
  if (pending.length < jobs.length)
    log.info(`${jobs.length - pending.length} of ${jobs.length} models already trained; ${pending.length} to go`);
  // Heavier jobs (augmented sets) first so the pool finishes together.
  pending.sort((a, b) => Number(a.set === "orig") - Number(b.set === "orig"));
  const data = gatherStudyData(ds, split);
  const jobSeconds: Record<string, number> = {};
  const progress = new Map<string, string>();
  const tTrain = performance.now();
  let done = 0;
  const total = pending.length * config.epochs;
  try {
    await runTraining(pending, {
      workers,
      maxThreads: opts.threads ?? workers,
      module: wasmModule(),
      mtModule: Math.min(opts.threads ?? workers, workers) > 1 ? wasmMtModule() : undefined,
      data,
      config,
      onEpoch: (job, r) => {
        done++;
        progress.set(job.id, `${job.id} ${r.epoch}/${r.epochs} val ${r.valAcc.toFixed(3)}`);
        const el = (performance.now() - tTrain) / 1000;
        log.progress(
          `[${[...progress.values()].join(" | ")}] ${fmtTime(el)} elapsed, ETA ${fmtTime((el / done) * (total - done))}`,
        );
      },
      onDone: (res: JobResult) => {
        const p = paths(res.job);
        writeAtomic(p.w, encodeCheckpoint(res.spec, res.best));
        writeJson(p.h, { job: res.job, trainSize: res.trainSize, ...res.history });
        jobSeconds[res.job.id] = +res.seconds.toFixed(3);
        progress.delete(res.job.id);
        log.info(
          `trained ${res.job.id}: best val ${res.history.bestVal.toFixed(3)} at epoch ${res.history.bestEpoch}, test ${res.history.test.toFixed(4)} (${res.seconds.toFixed(1)} s)`,
        );
      },
    });
  } catch (e) {
    const m = (e as Error).message.match(new RegExp(`^training job \\S+ failed: (.* ${DIVERGED} .*)$`));
    if (m) {
      const kept = jobs.filter((j) => exists(paths(j).w) && exists(paths(j).h)).length;
      throw new UsageError(
        `${m[1]}; ${kept} finished model${kept === 1 ? "" : "s"} kept in ${out}, no weights written for it. ` +
          `Run again with another --lr and --force (replaces this run) or --out DIR`,
      );
    }
    throw e;
  }
  lap("train", t);
  if (opts.trainOnly) {
    writeJson(
      join(out, "timings.json"),
      timingsFile(timings, jobSeconds, +((performance.now() - t0) / 1000).toFixed(3), workers),
    );
    return null;
  }
  // Every model's maps and the trust tables on the pool, then the metrics (timings "maps+trust", "metrics").
  const results = await analyseOnPool(core, config, out, ds, queries, workers, timings);
  t = performance.now();
  await writeReport(core, config, out, ds, split, results, wasmSha, opts.scale, workers);
  lap("report", t);
  const seconds = +((performance.now() - t0) / 1000).toFixed(3);
  writeJson(join(out, "timings.json"), timingsFile(timings, jobSeconds, seconds, workers));
  // the stages' wall seconds (timings.json has them too; the per-method map seconds are CPU seconds)
  const stages = Object.entries(timings).filter(([k]) => !k.startsWith("maps:"));
  log.info(`stages (s): ${stages.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}; total ${seconds.toFixed(1)}`);
  return results;
}
