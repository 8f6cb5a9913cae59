// A sweep's plan: the grid expanded to a deterministic list of content-addressed training jobs, the
// grid points that read them, each job's estimated cost, and the split of the jobs into N shards
// (balanced by cost, the same on every node). Also what the cluster side (src/sweep/slurm.ts) needs:
// the shard a job belongs to, the record of the split written into the sweep folder (shards.json),
// the shard this process is from the environment (Slurm array, Kubernetes Indexed Job), and the
// command that reruns only the shards that own missing or failed jobs.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../core/sha256.js";
import { studyJobs, UsageError, type Job, type ModelName, type StudyConfig } from "../study/config.js";
import { checkStrength } from "../data/augment.js";
import type { AugName } from "../sets.js";
import type { InputFingerprint } from "../node/fingerprint.js";
import { toJson } from "../node/files.js";
import { CLI } from "../node/runfolder.js";
import { pointConfig, type Grid } from "./grid.js";

/** Files of a sweep folder. */
export const SWEEP_FILE = "sweep.json";
export const GRID_FILE = "grid.json";
export const PLAN_FILE = "plan.json";
export const SHARDS_FILE = "shards.json";
/** The sbatch script the cluster side writes (src/sweep/slurm.ts); merge's rerun command uses it. */
export const SBATCH_FILE = "sweep.sbatch";

/** A training job of the sweep. */
export interface PlannedJob {
  /** SHA-256 of `key` (canonical JSON): the job's folder name under jobs/. */
  hash: string;
  /** Human-readable name: dataset/model[=strength]/seedN. */
  name: string;
  dataset: string;
  seed: number;
  model: ModelName;
  /** The augmentation and strength of an augmented set's job, else null. */
  aug: AugName | null;
  strength: number | null;
  /** Estimated cost in image passes (see jobCost). */
  cost: number;
  /** The study job (./job.ts runs it under `config`). */
  job: Job;
}

/** A grid point: one dataset, augmentation, strength and seed, and the jobs (hashes) it reads. */
export interface GridPoint {
  dataset: string;
  aug: AugName;
  strength: number;
  seed: number;
  /** model name (orig, repeat, the augmentation, reorder, retrain) → job hash */
  jobs: Record<string, string>;
}

export interface Plan {
  jobs: PlannedJob[];
  points: GridPoint[];
}

/** What a dataset contributes to a job's key: the files' contents (not their paths) and its shape. */
export interface DatasetInfo {
  inputs: Record<string, InputFingerprint>;
  rows: number;
  cols: number;
  classes: number;
  testCount: number;
}

/** JSON with keys sorted at every level: the bytes hashed for a job's address. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The fingerprint of a dataset's contents: role → SHA-256, paths left out (they differ across nodes). */
export function datasetFingerprint(inputs: Record<string, InputFingerprint>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(inputs)
      .sort()
      .map((r) => [r, inputs[r].sha256]),
  );
}

/**
 * Everything that decides a job's files (weights, history, maps, predictions): the code (augsal
 * version, core wasm hash), the data's contents, the split and queries (seed, counts), the training
 * protocol, the model's set and streams, the augmentation and its strength, and what the maps are
 * (methods, target, score). Nothing else: the same job of two grid points has one key.
 */
export function jobKey(
  c: StudyConfig,
  job: Job,
  ds: DatasetInfo,
  code: { augsal: string; wasmSha256: string },
): Record<string, unknown> {
  const aug = job.set !== "orig" && job.set !== "repeat" ? (job.set as AugName) : null;
  return {
    kind: "train+maps",
    augsal: code.augsal,
    core: code.wasmSha256,
    data: datasetFingerprint(ds.inputs),
    split: { seed: c.seed, trainPerClass: c.trainPerClass, valPerClass: c.valPerClass },
    training: {
      epochs: c.epochs,
      steps: c.steps,
      batch: c.batch,
      optimizer: c.optimizer,
      arch: c.arch,
      copies: job.set === "orig" ? null : c.copies,
    },
    model: job.model,
    set: job.set,
    trainSeed: job.trainSeed,
    initVariant: job.initVariant,
    orderVariant: job.orderVariant,
    augmentation: aug
      ? {
          name: aug,
          strength: checkStrength(aug, c.strength[aug], { crop: c.cropMode }),
          cropMode: aug === "crop" ? c.cropMode : null,
        }
      : null,
    maps: { queries: c.queries, target: c.target, score: c.score, methods: c.methods },
  };
}

/** Images in a job's training set (./job.ts: Orig is the split's originals; Repeat and the augmented
 *  sets are the originals and `copies` copies). */
function trainSize(c: StudyConfig, job: Job, classes: number): number {
  const n = classes * c.trainPerClass;
  return job.set === "orig" ? n : n * (c.copies + 1);
}

/**
 * A job's cost in image passes: training steps × batch at three passes each (forward, backward,
 * update), one forward of the validation set per epoch, one of the test set. The dry run turns it into
 * seconds with a measured rate; shards are balanced on it.
 */
export function jobCost(c: StudyConfig, job: Job, ds: DatasetInfo): number {
  const size = trainSize(c, job, ds.classes);
  const batch = c.batch || Math.floor(size / c.steps);
  return 3 * c.epochs * c.steps * batch + c.epochs * ds.classes * c.valPerClass + ds.testCount;
}

/** Expand a grid into its plan. Jobs are listed in first-use order over datasets, seeds,
 *  augmentations and strengths; a job shared by several points appears once. */
export function planSweep(
  grid: Grid,
  base: StudyConfig,
  datasets: Record<string, DatasetInfo>,
  code: { augsal: string; wasmSha256: string },
): Plan {
  const jobs: PlannedJob[] = [];
  const byHash = new Map<string, PlannedJob>();
  const points: GridPoint[] = [];
  for (const dataset of grid.datasets) {
    const ds = datasets[dataset];
    for (const seed of grid.seeds) {
      for (const [aug, list] of Object.entries(grid.strengths) as [AugName, number[]][]) {
        for (const strength of list) {
          const c = pointConfig(base, dataset, seed, aug, strength);
          const point: GridPoint = { dataset, aug, strength, seed, jobs: {} };
          for (const job of studyJobs(c)) {
            const hash = sha256Hex(new TextEncoder().encode(canonicalJson(jobKey(c, job, ds, code))));
            point.jobs[job.model] = hash;
            if (byHash.has(hash)) continue;
            const isAug = job.model === aug;
            const pj: PlannedJob = {
              hash,
              name: `${dataset}/${isAug ? `${aug}=${strength}` : job.model}/seed${seed}`,
              dataset,
              seed,
              model: job.model,
              aug: isAug ? aug : null,
              strength: isAug ? strength : null,
              cost: jobCost(c, job, ds),
              job: { ...job, id: hash },
            };
            byHash.set(hash, pj);
            jobs.push(pj);
          }
          points.push(point);
        }
      }
    }
  }
  return { jobs, points };
}

/** The configuration a planned job trains under (its grid point's; shared jobs do not read the
 *  augmentation's fields). */
export function jobConfig(base: StudyConfig, j: PlannedJob, grid: Grid): StudyConfig {
  const aug = j.aug ?? (Object.keys(grid.strengths)[0] as AugName);
  const strength = j.strength ?? grid.strengths[aug]![0];
  return pointConfig(base, j.dataset, j.seed, aug, strength);
}

/** Longest first, ties by hash: the order a process runs its jobs in and LPT assigns them in. */
export function longestFirst<T extends { hash: string; cost: number }>(jobs: readonly T[]): T[] {
  return [...jobs].sort((a, b) => b.cost - a.cost || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
}

/**
 * Shard of every job (by hash): LPT (Graham 1969), each job in longestFirst order to the shard with the
 * least cost so far, the lowest index on a tie. Depends only on the jobs' hashes and costs, so every
 * node computes the same split.
 */
export function assignShards(jobs: readonly { hash: string; cost: number }[], n: number): Map<string, number> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`shards: N must be a positive integer, got ${n}`);
  const load = new Array<number>(n).fill(0);
  const out = new Map<string, number>();
  for (const j of longestFirst(jobs)) {
    let best = 0;
    for (let s = 1; s < n; s++) if (load[s] < load[best]) best = s;
    load[best] += j.cost;
    out.set(j.hash, best);
  }
  return out;
}

/** The record of a split (shards.json): N, and each shard's jobs and cost. */
export interface ShardRecord {
  n: number;
  shards: { shard: number; cost: number; jobs: string[] }[];
}

export function shardRecord(plan: Plan, n: number): ShardRecord {
  const a = assignShards(plan.jobs, n);
  const shards = Array.from({ length: n }, (_, shard) => ({ shard, cost: 0, jobs: [] as string[] }));
  for (const j of plan.jobs) {
    const s = shards[a.get(j.hash)!];
    s.cost += j.cost;
    s.jobs.push(j.hash);
  }
  return { n, shards };
}

export function shardRecordText(r: ShardRecord): string {
  return toJson(r);
}

/** shards.json of a sweep folder, or undefined when the sweep was not split. */
export function readShardRecord(dir: string): ShardRecord | undefined {
  const path = join(dir, SHARDS_FILE);
  if (!existsSync(path)) return undefined;
  const r = JSON.parse(readFileSync(path, "utf8")) as ShardRecord;
  if (!Number.isInteger(r?.n) || r.n < 1 || !Array.isArray(r.shards))
    throw new UsageError(`${path}: not a shard record (remove it: it is rewritten by the next --shard run)`);
  return r;
}

/** "I/N" → { index, count }, 0 <= I < N. */
export function parseShard(text: string, what = "--shard"): { index: number; count: number } {
  const m = text.trim().match(/^(\d+)\/(\d+)$/);
  if (!m) throw new UsageError(`${what} takes I/N (slice I of N, from 0), got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new UsageError(`${what} ${text}: I must be from 0 to N-1 and N at least 1`);
  return { index, count };
}

/**
 * The shard of this process when no --shard is given: a Slurm array task (SLURM_ARRAY_TASK_ID) or a
 * Kubernetes Indexed Job's pod (JOB_COMPLETION_INDEX). N is AUGSAL_SHARD_COUNT when set, else the
 * sweep folder's shards.json (a rerun such as `sbatch --array=3,17` has an array of 2 tasks but the
 * split of the first submission), else SLURM_ARRAY_TASK_COUNT (Slurm) — a Kubernetes Job must set
 * AUGSAL_SHARD_COUNT (its completions). Undefined outside an array.
 */
export function shardFromEnv(
  env: Record<string, string | undefined>,
  recorded?: ShardRecord,
): { index: number; count: number; from: string } | undefined {
  const slurm = env.SLURM_ARRAY_TASK_ID;
  const k8s = env.JOB_COMPLETION_INDEX;
  const idText = slurm ?? k8s;
  if (idText === undefined || idText === "") return undefined;
  const from = slurm !== undefined ? "SLURM_ARRAY_TASK_ID" : "JOB_COMPLETION_INDEX";
  const countText =
    env.AUGSAL_SHARD_COUNT ??
    (recorded ? String(recorded.n) : slurm !== undefined ? env.SLURM_ARRAY_TASK_COUNT : undefined);
  if (countText === undefined)
    throw new UsageError(
      `${from}=${idText} but no shard count: set AUGSAL_SHARD_COUNT (the Job's completions) or give --shard I/N`,
    );
  const s = parseShard(`${idText}/${countText}`, `${from}=${idText} of ${countText} shards`);
  return { ...s, from };
}

/** A job merge found missing or failed, with the shard that owns it. */
export interface MissingJob {
  hash: string;
  name: string;
  status: "missing" | "failed";
  error?: string;
  shard: number | null;
  /** Grid points that read it, as dataset/aug=strength/seedN. */
  points: string[];
}

/**
 * The command that reruns only the jobs given: for a sweep written with --slurm (DIR/sweep.sbatch),
 * `sbatch --array=3,17 DIR/sweep.sbatch`; for a split sweep, one `sweep --shard I/N` per shard owning
 * one; otherwise the sweep again (it skips finished jobs).
 */
export function rerunCommands(dir: string, missing: readonly MissingJob[], record?: ShardRecord): string[] {
  const q = (p: string) => (/[\s'"$]/.test(p) ? `'${p.replace(/'/g, `'\\''`)}'` : p);
  const shards = [...new Set(missing.map((m) => m.shard).filter((s): s is number => s !== null))].sort((a, b) => a - b);
  if (record && shards.length) {
    if (existsSync(join(dir, SBATCH_FILE))) return [`sbatch --array=${shards.join(",")} ${q(join(dir, SBATCH_FILE))}`];
    return shards.map((s) => `${CLI} sweep ${q(join(dir, GRID_FILE))} --out ${q(dir)} --shard ${s}/${record.n}`);
  }
  return [`${CLI} sweep ${q(join(dir, GRID_FILE))} --out ${q(dir)}`];
}
