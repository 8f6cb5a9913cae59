// `augsal sweep`: plan the grid (./plan.ts), then train this process's jobs (all of them, or one shard's)
// on all cores, longest first, as the study schedules its own; each job's folder is written atomically
// (./store.ts), so a sweep is resumable after a kill and several processes may share a sweep folder.
// Analysis is merge's (./merge.ts): a shard holds only some of the pairs a metric needs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadCore, wasmBytes, wasmModule } from "../node/wasm.js";
import { wasmMtModule } from "../node/threads.js";
import type { Core } from "../core/load.js";
import { sha256, toJson } from "../node/files.js";
import { writeAtomic } from "../node/atomic.js";
import { encodeCheckpoint } from "../nn/checkpoint.js";
import { encodeNpy } from "../node/files.js";
import { fingerprintInputs } from "../node/fingerprint.js";
import { onInterrupt } from "../node/clean-exit.js";
import { runPool } from "../node/pool.js";
import { checkOutPath } from "../node/runfolder.js";
import type { EpochReport } from "../nn/train.js";
import { UsageError, type StudyConfig } from "../study/config.js";
import { gatherStudyData, loadStudyInputs, silentLogger, type Logger } from "../study/study.js";
import { chooseQueries } from "../study/queries.js";
import { studyQueryImages } from "../study/analysis.js";
import type { StudyData } from "../study/job.js";
import { VERSION } from "../version.js";
import type { Grid } from "./grid.js";
import {
  GRID_FILE,
  PLAN_FILE,
  SHARDS_FILE,
  SWEEP_FILE,
  assignShards,
  canonicalJson,
  datasetFingerprint,
  jobConfig,
  jobKey,
  longestFirst,
  planSweep,
  readShardRecord,
  shardFromEnv,
  shardRecord,
  shardRecordText,
  type DatasetInfo,
  type Plan,
  type PlannedJob,
  type ShardRecord,
} from "./plan.js";
import { Claims } from "./claims.js";
import { isDone, removeStaleTemps, writeFailure, writeJob } from "./store.js";
import { runSweepTask, type SweepTask, type SweepTaskResult, type SweepWorkerInit } from "./task.js";

export interface SweepOptions {
  out: string;
  workers: number;
  threads?: number;
  /** Slice I of N; default from the environment (./plan.ts shardFromEnv), else the whole sweep. */
  shard?: { index: number; count: number };
  dryRun?: boolean;
  log?: Logger;
  env?: Record<string, string | undefined>;
  /** --slurm / --k8s (./slurm.ts): measure as the dry run does, write the sweep's records and the split
   *  into `shards(jobs, recorded)` shards (`recorded`: N of a split already in the folder), then let
   *  `write` write the cluster files. */
  cluster?: { shards: (jobs: number, recorded?: number) => number; write: (p: ClusterPlan) => string };
}

/** What the cluster writers get: the sweep folder with its records written, and the dry run's rate. */
export interface ClusterPlan {
  dir: string;
  plan: Plan;
  record: ShardRecord;
  /** Core-seconds per unit of job cost, measured here. */
  secondsPerCost: number;
}

/** What sweep.json records: the code, the data and the grid every process of the sweep must share. */
export interface SweepRecord {
  augsal: string;
  wasmSha256: string;
  datasets: Record<string, Record<string, string>>;
  grid: Grid;
  jobs: number;
  points: number;
}

export interface SweepSummary {
  jobs: number;
  mine: number;
  done: number;
  trained: number;
  failed: string[];
  elsewhere: number;
}

interface Loaded {
  core: Core;
  wasmSha256: string;
  infos: Record<string, DatasetInfo>;
  plan: Plan;
  inputs: (dataset: string, seed: number) => SeedInputs;
}

interface SeedInputs {
  data: StudyData;
  queries: { index: number; label: number }[];
  queryImages: Float32Array;
}

/** Load the data, check the configuration on it (the study's preflight) and plan: nothing written. */
function load(grid: Grid, base: StudyConfig, workers: number): Loaded {
  const core = loadCore();
  const wasmSha256 = sha256(wasmBytes());
  const infos: Record<string, DatasetInfo> = {};
  const cache = new Map<string, SeedInputs>();
  const datasets = new Map<string, ReturnType<typeof loadStudyInputs>["ds"]>();
  const inputsOf = (dataset: string, seed: number, check = false): SeedInputs => {
    const k = `${dataset}|${seed}`;
    if (cache.has(k)) return cache.get(k)!;
    const c = { ...base, data: dataset, seed };
    let got: ReturnType<typeof loadStudyInputs>;
    try {
      got = loadStudyInputs(core, c, check ? { workers } : undefined);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`sweep: dataset ${dataset}, seed ${seed}: ${e.message}`);
      throw e;
    }
    datasets.set(dataset, got.ds);
    const qIdx = chooseQueries(core, got.ds.test.labels, c.queries, seed, got.ds.classes);
    const queries = qIdx.map((index) => ({ index, label: got.ds.test.labels[index] }));
    const v = { data: gatherStudyData(got.ds, got.split), queries, queryImages: studyQueryImages(got.ds, queries) };
    cache.set(k, v);
    return v;
  };
  for (const d of grid.datasets) {
    inputsOf(d, grid.seeds[0], true);
    const ds = datasets.get(d)!;
    infos[d] = {
      inputs: fingerprintInputs({ ...ds.files }),
      rows: ds.rows,
      cols: ds.cols,
      classes: ds.classes,
      testCount: ds.test.labels.length,
    };
  }
  const plan = planSweep(grid, base, infos, { augsal: VERSION, wasmSha256 });
  return { core, wasmSha256, infos, plan, inputs: inputsOf };
}

function sweepRecord(grid: Grid, l: Loaded): SweepRecord {
  return {
    augsal: VERSION,
    wasmSha256: l.wasmSha256,
    datasets: Object.fromEntries(Object.entries(l.infos).map(([d, i]) => [d, datasetFingerprint(i.inputs)])),
    grid,
    jobs: l.plan.jobs.length,
    points: l.plan.points.length,
  };
}

const q = (p: string) => (/\s/.test(p) ? `'${p}'` : p);

/** Check that `out` may hold this sweep (empty, absent, or this very sweep); nothing is written. */
function checkFolder(out: string, rec: SweepRecord): "new" | "resume" {
  checkOutPath(out);
  if (!existsSync(out)) return "new";
  const entries = readdirSync(out).filter((e) => !e.startsWith("."));
  if (entries.length === 0) return "new";
  const path = join(out, SWEEP_FILE);
  if (!existsSync(path))
    throw new UsageError(
      `--out ${out} is not empty and holds no ${SWEEP_FILE} (not a sweep folder of augsal): use an empty or new folder`,
    );
  let there: SweepRecord;
  try {
    there = JSON.parse(readFileSync(path, "utf8")) as SweepRecord;
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const diffs: string[] = [];
  if (there.augsal !== rec.augsal) diffs.push(`augsal ${there.augsal} there, ${rec.augsal} here`);
  if (there.wasmSha256 !== rec.wasmSha256)
    diffs.push(`core ${String(there.wasmSha256).slice(0, 12)}… there, ${rec.wasmSha256.slice(0, 12)}… here`);
  if (canonicalJson(there.datasets) !== canonicalJson(rec.datasets)) diffs.push("the datasets' contents differ");
  if (canonicalJson(there.grid) !== canonicalJson(rec.grid))
    diffs.push(`another grid (${join(out, GRID_FILE)} is the one there)`);
  if (diffs.length)
    throw new UsageError(
      `--out ${out} holds another sweep: ${diffs.join("; ")}. Use another --out, or the same augsal build and ` +
        `'sweep ${q(join(out, GRID_FILE))} --out ${q(out)}' to continue that one`,
    );
  return "resume";
}

/** Write the sweep's records (same bytes from every process; an existing one is left as it is). */
function writeRecords(out: string, rec: SweepRecord, plan: Plan): void {
  const put = (name: string, text: string) => {
    if (!existsSync(join(out, name))) writeAtomic(join(out, name), text);
  };
  put(GRID_FILE, toJson(rec.grid));
  put(PLAN_FILE, toJson(plan));
  // sweep.json last: it is what marks the folder as a sweep's
  put(SWEEP_FILE, toJson(rec));
}

function fmtHours(s: number): string {
  return s < 3600 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`;
}

function bytesText(b: number): string {
  return b < 1 << 20
    ? `${(b / 1024).toFixed(1)} KiB`
    : b < 1 << 30
      ? `${(b / (1 << 20)).toFixed(1)} MiB`
      : `${(b / (1 << 30)).toFixed(2)} GiB`;
}

/** The dry run: count, measure one short job here, estimate; writes nothing. */
/** The dry run's numbers (what the cluster side sizes its tasks from). */
export interface SweepEstimate {
  points: number;
  jobs: number;
  /** Job uses by grid points beyond the first of each job. */
  shared: number;
  /** Sum of the jobs' estimated costs (image passes, ./plan.ts jobCost). */
  totalCost: number;
  /** Measured here: core-seconds per image pass. */
  secondsPerPass: number;
  coreHours: number;
  /** Estimated seconds of the longest job on one core. */
  longestJobSeconds: number;
  perJobBytes: number;
  diskBytes: number;
  shard?: { index: number; count: number; jobs: number; coreHours: number };
}

function dryRun(
  grid: Grid,
  base: StudyConfig,
  l: Loaded,
  o: SweepOptions,
  shard?: { index: number; count: number },
): { text: string; estimate: SweepEstimate } {
  const log = o.log ?? silentLogger;
  const uses = l.plan.points.reduce((s, p) => s + Object.keys(p.jobs).length, 0);
  const total = l.plan.jobs.reduce((s, j) => s + j.cost, 0);
  // a quick measurement: the heaviest job shortened to 2 epochs, trained here on one thread
  const heavy = longestFirst(l.plan.jobs)[0];
  const c0 = jobConfig(base, heavy, grid);
  const short: StudyConfig = { ...c0, epochs: Math.min(2, c0.epochs) };
  const inp = l.inputs(heavy.dataset, heavy.seed);
  log.info(`measuring: ${heavy.name} for ${short.epochs} epoch(s) on one thread...`);
  const t0 = performance.now();
  const r = runSweepTask(l.core, { id: heavy.hash, job: heavy.job, config: short, ...inp });
  const secs = (performance.now() - t0) / 1000;
  if (!r.ok) throw new Error("the measurement job failed");
  const info = l.infos[heavy.dataset];
  const shortCost =
    total === 0
      ? 1
      : ((): number => {
          const size = heavy.cost; // scale: cost grows linearly in epochs except the test pass
          const perEpoch = (size - info.testCount) / c0.epochs;
          return perEpoch * short.epochs + info.testCount;
        })();
  const rate = secs / shortCost; // core-seconds per image pass
  const q = inp.queries.length;
  const mapBytes = r.maps.reduce((s, m) => s + encodeNpy(m.abs, [q, 1, info.rows, info.cols]).length * 2, 0);
  const perJob =
    encodeCheckpoint(r.spec, r.best).length +
    toJson({ ...r.history, epochs: c0.epochs }).length * (c0.epochs / short.epochs) +
    mapBytes +
    4096;
  const lines = [
    `sweep: ${l.plan.points.length} grid points (${grid.datasets.length} dataset(s) x ${grid.seeds.length} seed(s) x ` +
      `${Object.values(grid.strengths).reduce((s, x) => s + x.length, 0)} augmentation strengths), methods ${grid.methods.join(",")}`,
    `jobs: ${l.plan.jobs.length} training jobs (${uses} uses by grid points: ${uses - l.plan.jobs.length} shared, ` +
      `e.g. Orig, Repeat and the floors of a seed)`,
    `measured: ${short.epochs} epoch(s) of ${heavy.name} in ${secs.toFixed(2)} s here (${(rate * 1e6).toFixed(2)} core-s per million image passes)`,
    `estimated: ${((rate * total) / 3600).toFixed(2)} core-hours (${fmtHours((rate * total) / Math.max(1, o.workers))} on ${o.workers} core(s) here)`,
    `disk: about ${bytesText(perJob * l.plan.jobs.length)} (${bytesText(perJob)} per job)`,
  ];
  const estimate: SweepEstimate = {
    points: l.plan.points.length,
    jobs: l.plan.jobs.length,
    shared: uses - l.plan.jobs.length,
    totalCost: total,
    secondsPerPass: rate,
    coreHours: (rate * total) / 3600,
    longestJobSeconds: rate * heavy.cost,
    perJobBytes: Math.round(perJob),
    diskBytes: Math.round(perJob * l.plan.jobs.length),
  };
  if (shard) {
    const a = assignShards(l.plan.jobs, shard.count);
    const mine = l.plan.jobs.filter((j) => a.get(j.hash) === shard.index);
    const cost = mine.reduce((s, j) => s + j.cost, 0);
    estimate.shard = { ...shard, jobs: mine.length, coreHours: (rate * cost) / 3600 };
    lines.push(
      `shard ${shard.index}/${shard.count}: ${mine.length} jobs, ${((rate * cost) / 3600).toFixed(2)} core-hours`,
    );
  }
  if (!o.cluster) lines.push("(dry run: nothing written)");
  return { text: lines.join("\n") + "\n", estimate };
}

/** The jobs to fail on purpose (AUGSAL_SWEEP_FAIL: job names or hash prefixes, comma separated). */
function failSet(env: Record<string, string | undefined>): string[] {
  return (env.AUGSAL_SWEEP_FAIL ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Run (or resume) a sweep, or its dry run; returns the text to print and the summary. */
export async function runSweep(
  grid: Grid,
  base: StudyConfig,
  o: SweepOptions,
): Promise<{ text: string; summary?: SweepSummary; estimate?: SweepEstimate; plan: Plan }> {
  const out = resolve(o.out);
  const log = o.log ?? silentLogger;
  const env = o.env ?? process.env;
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new UsageError(`--workers must be a positive integer`);
  const l = load(grid, base, o.workers);
  const rec = sweepRecord(grid, l);
  const recorded = existsSync(join(out, SWEEP_FILE)) ? readShardRecord(out) : undefined;
  const shard = o.shard ?? shardFromEnv(env, recorded);
  if (shard && recorded && recorded.n !== shard.count)
    throw new UsageError(
      `--out ${out} was split into ${recorded.n} shards (${SHARDS_FILE}); shard ${shard.index}/${shard.count} ` +
        `would split it another way: use N = ${recorded.n}, or a new --out`,
    );
  if (o.dryRun) {
    checkOutPath(out);
    return { ...dryRun(grid, base, l, o, shard), plan: l.plan };
  }
  if (o.cluster) {
    checkFolder(out, rec);
    const n = o.cluster.shards(l.plan.jobs.length, recorded?.n);
    if (recorded && recorded.n !== n)
      throw new UsageError(
        `--out ${out} was split into ${recorded.n} shards (${SHARDS_FILE}): use --shards ${recorded.n}, or a new --out`,
      );
    const d = dryRun(grid, base, l, o);
    const record = recorded ?? shardRecord(l.plan, n);
    writeRecords(out, rec, l.plan);
    if (!recorded) writeAtomic(join(out, SHARDS_FILE), shardRecordText(record));
    const text =
      d.text + o.cluster.write({ dir: out, plan: l.plan, record, secondsPerCost: d.estimate.secondsPerPass });
    return { text, estimate: d.estimate, plan: l.plan };
  }
  const mode = prepareFolder(out, rec, l.plan, shard?.count);

  const assign = shard ? assignShards(l.plan.jobs, shard.count) : undefined;
  const mine = l.plan.jobs.filter((j) => !assign || assign.get(j.hash) === shard!.index);
  const pending = longestFirst(mine.filter((j) => !isDone(out, j.hash)));
  const what = shard
    ? `shard ${shard.index}/${shard.count} (${"from" in shard ? `${shard.from}, ` : ""}${mine.length} of ${l.plan.jobs.length} jobs)`
    : `${l.plan.jobs.length} jobs`;
  log.info(
    `augsal ${VERSION}: sweep ${mode === "resume" ? "resuming" : "writing"} ${out}: ${what}, ` +
      `${mine.length - pending.length} already done, ${pending.length} to train`,
  );
  const summary: SweepSummary = {
    jobs: l.plan.jobs.length,
    mine: mine.length,
    done: mine.length - pending.length,
    trained: 0,
    failed: [],
    elsewhere: 0,
  };
  if (pending.length === 0) return { text: summaryText(out, summary), summary, plan: l.plan };

  const fails = failSet(env);
  const byHash = new Map(pending.map((j) => [j.hash, j]));
  const tasks: SweepTask[] = pending.map((j) => {
    const inp = l.inputs(j.dataset, j.seed);
    const f = fails.find((x) => x === j.name || (x.length >= 8 && j.hash.startsWith(x)));
    return {
      id: j.hash,
      job: j.job,
      config: jobConfig(base, j, grid),
      ...inp,
      fail: f ? `failure injected by AUGSAL_SWEEP_FAIL=${f}` : undefined,
    };
  });
  const claims = new Claims(out);
  const off = onInterrupt({
    cleanup: () => claims.releaseAll(),
    message: () =>
      `kept ${summary.done + summary.trained} finished job(s) in ${out}; run the same command again to resume`,
  });
  const maxThreads = Math.max(1, Math.min(o.threads ?? o.workers, o.workers));
  const progress = new Map<string, string>();
  const t0 = performance.now();
  try {
    await runPool<SweepTask, SweepTaskResult, EpochReport>(tasks, {
      workers: o.workers,
      cores: o.workers,
      maxThreads,
      name: "sweep",
      script: new URL("./train-worker.js", import.meta.url),
      init: {
        module: wasmModule(),
        mtModule: maxThreads > 1 ? wasmMtModule() : undefined,
        maxThreads,
      } satisfies SweepWorkerInit,
      claim: (t) => {
        const j = byHash.get(t.id)!;
        if (isDone(out, j.hash)) {
          summary.done++;
          return false;
        }
        let ok = false;
        try {
          ok = claims.claim(j.hash);
        } catch (e) {
          log.info(`cannot claim ${j.name}: ${(e as Error).message}; training it anyway`);
          ok = true;
        }
        if (!ok) {
          summary.elsewhere++;
          log.info(`${j.name}: another process is training it; skipped`);
        }
        return ok;
      },
      onProgress: (t, r) => {
        progress.set(t.id, `${byHash.get(t.id)!.name} ${r.epoch}/${r.epochs}`);
        const el = (performance.now() - t0) / 1000;
        log.progress(`[${[...progress.values()].join(" | ")}] ${el.toFixed(0)} s`);
      },
      onDone: (r) => {
        const j = byHash.get(r.id)!;
        progress.delete(r.id);
        try {
          if (r.ok) {
            const dims = l.infos[j.dataset];
            writeJob(out, j, jobRecord(j, l, base, grid), r, dims);
            summary.trained++;
            log.info(
              `trained ${j.name}: test ${r.history.test.toFixed(4)} (${r.seconds.toFixed(1)} s) ` +
                `[${summary.done + summary.trained + summary.failed.length}/${mine.length}]`,
            );
          } else {
            writeFailure(out, j, r.error);
            summary.failed.push(j.name);
            log.info(`FAILED ${j.name}: ${r.error} (recorded in failed/${j.hash}.json)`);
          }
        } finally {
          claims.release(j.hash);
        }
      },
    });
  } finally {
    off();
    claims.releaseAll();
  }
  return { text: summaryText(out, summary), summary, plan: l.plan };
}

/** Check `out` and write the sweep's records (grid.json, plan.json, sweep.json, and shards.json for a
 *  split into `shards`), removing this host's dead temp folders. */
function prepareFolder(out: string, rec: SweepRecord, plan: Plan, shards?: number): "new" | "resume" {
  const mode = checkFolder(out, rec);
  writeRecords(out, rec, plan);
  if (shards !== undefined && !existsSync(join(out, SHARDS_FILE)))
    writeAtomic(join(out, SHARDS_FILE), shardRecordText(shardRecord(plan, shards)));
  removeStaleTemps(out);
  return mode;
}

/**
 * Make the sweep folder without training anything (for a writer of cluster jobs, ./slurm.ts): the same
 * checks and records as `sweep`, shards.json for a split into `shards` (refused if the folder was split
 * another way). Returns the plan.
 */
export function prepareSweep(
  grid: Grid,
  base: StudyConfig,
  o: { out: string; workers: number; shards?: number },
): Plan {
  const out = resolve(o.out);
  const l = load(grid, base, o.workers);
  const recorded = existsSync(join(out, SWEEP_FILE)) ? readShardRecord(out) : undefined;
  if (o.shards !== undefined && recorded && recorded.n !== o.shards)
    throw new UsageError(
      `--out ${out} was split into ${recorded.n} shards (${SHARDS_FILE}), not ${o.shards}: use a new --out`,
    );
  prepareFolder(out, sweepRecord(grid, l), l.plan, o.shards);
  return l.plan;
}

function jobRecord(j: PlannedJob, l: Loaded, base: StudyConfig, grid: Grid) {
  const info = l.infos[j.dataset];
  return {
    hash: j.hash,
    name: j.name,
    augsal: VERSION,
    wasmSha256: l.wasmSha256,
    data: datasetFingerprint(info.inputs),
    key: jobKey(jobConfig(base, j, grid), j.job, info, { augsal: VERSION, wasmSha256: l.wasmSha256 }),
  };
}

function summaryText(out: string, s: SweepSummary): string {
  const lines = [
    `sweep: ${s.trained} trained, ${s.done} already done, ${s.elsewhere} left to other processes, ${s.failed.length} failed ` +
      `(${s.mine} job(s) of ${s.jobs} in this process)`,
  ];
  if (s.failed.length) lines.push(`failed: ${s.failed.join(", ")} (see ${join(out, "failed")})`);
  lines.push(`next: node dist/cli.js merge ${q(out)}`);
  return lines.join("\n") + "\n";
}
