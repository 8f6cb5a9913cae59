// The cluster side of `augsal sweep` (docs/cluster.md): a Slurm array job script (DIR/sweep.sbatch)
// and a merge job that runs after it (DIR/merge.sbatch), their submission with sbatch, and a Kubernetes
// Indexed Job manifest with the same split. augsal schedules nothing itself: each array task is one
// shard of the sweep (./plan.ts splits the jobs), the scheduler decides where and when it runs.
// Resources per task come from the dry run's cost model: the shard's estimated seconds on the machine
// that wrote the script, and the study's memory estimate for one worker (src/study/preflight.ts).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { UsageError, type StudyConfig } from "../study/config.js";
import { writeAtomic } from "../node/atomic.js";
import { toJson } from "../node/files.js";
import { loadDataset } from "../node/datasets.js";
import { preflight } from "../study/preflight.js";
import type { AugName } from "../sets.js";
import { pointConfig, type Grid } from "./grid.js";
import { GRID_FILE, SBATCH_FILE } from "./plan.js";
import type { ClusterPlan } from "./run.js";

export const MERGE_SBATCH_FILE = "merge.sbatch";
export const K8S_FILE = "sweep.k8s.yaml";
/** The job ids of a --submit, recorded in the sweep folder. */
export const SUBMITTED_FILE = "slurm-jobs.json";
export const LOGS_DIR = "logs";

/** What one array task asks the scheduler for. */
export interface TaskResources {
  cpus: number;
  /** Memory per task, MiB (sbatch --mem). */
  memMiB: number;
  /** Wall-time limit per task, minutes (sbatch --time). */
  minutes: number;
}

/** Everything the scripts name: absolute paths only (the tasks run on other nodes, in other folders). */
export interface ClusterJob {
  /** The sweep folder, on a file system every node shares. */
  dir: string;
  /** The GRID file the tasks read (the sweep folder's resolved grid.json: flags given at --slurm time
   *  are in it, and it does not change if the user edits their file later). */
  grid: string;
  /** dist/cli.js of this augsal. */
  cli: string;
  /** Number of shards N: array tasks 0 .. N-1. */
  shards: number;
  /** Array tasks running at once at most (the %K of --array). */
  throttle: number;
  resources: TaskResources;
  /** The job name, seen in squeue. */
  name: string;
}

/** Seconds of node start-up per task (load the core and the data sets) and the margin on the time. */
const STARTUP_SECONDS = 60;
/** Other nodes may be slower than the one that measured, and a shard waits on its longest job. */
const TIME_MARGIN = 2;
const MIN_MINUTES = 10;
/** A Node process with the wasm core and the data sets loaded, before any worker (MiB). */
const BASE_MIB = 512;
const MEM_MARGIN = 1.25;

/**
 * Resources of every array task, sized for the most expensive shard. `shardSeconds[i]` is shard i's
 * estimated single-core seconds on this machine, `longestJobSeconds` the longest single job's: with
 * `cpus` workers a shard takes at most sum/cpus + longest x (1 - 1/cpus) (list scheduling, Graham 1969). Memory is
 * one Node process plus `cpus` workers of `workerBytes` each (the study's preflight estimate).
 */
export function taskResources(
  shardSeconds: readonly number[],
  longestJobSeconds: number,
  workerBytes: number,
  cpus: number,
): TaskResources {
  if (!Number.isInteger(cpus) || cpus < 1)
    throw new UsageError(`--cpus-per-task must be a positive integer, got ${cpus}`);
  const worst = Math.max(0, ...shardSeconds);
  const seconds = STARTUP_SECONDS + worst / cpus + Math.min(worst, longestJobSeconds) * (1 - 1 / cpus);
  const minutes = Math.max(MIN_MINUTES, Math.ceil((TIME_MARGIN * seconds) / 60));
  const memMiB = Math.ceil(((BASE_MIB + (cpus * workerBytes) / 2 ** 20) * MEM_MARGIN) / 64) * 64;
  return { cpus, memMiB, minutes };
}

/** Slurm's D-HH:MM:SS. */
export function slurmTime(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const two = (x: number) => String(x).padStart(2, "0");
  return `${d}-${two(h)}:${two(m)}:00`;
}

/** A word for a POSIX shell: as is when safe, else single-quoted. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A path in an #SBATCH line: sbatch reads double quotes (a path with spaces), not shell escapes. */
function sbq(path: string): string {
  if (/["\n\\]/.test(path))
    throw new UsageError(`--slurm: the path ${JSON.stringify(path)} has a character #SBATCH lines cannot hold`);
  return /\s/.test(path) ? `"${path}"` : path;
}

/** A Slurm job name: letters, digits, - and _ (squeue shows it). */
export function jobName(dir: string): string {
  const base = dir.replace(/\/+$/, "").split("/").pop() || "sweep";
  return `augsal-${base.replace(/[^A-Za-z0-9_-]/g, "_")}`.slice(0, 64);
}

function checkJob(j: ClusterJob): void {
  for (const [what, p] of [
    ["sweep folder", j.dir],
    ["grid", j.grid],
    ["cli", j.cli],
  ])
    if (!p.startsWith("/")) throw new Error(`slurm: the ${what} path must be absolute, got ${p}`);
  if (/[%"\n]/.test(j.dir))
    throw new UsageError(
      `--slurm: the sweep folder ${JSON.stringify(j.dir)} has % or " (sbatch reads them in log paths)`,
    );
  if (!Number.isInteger(j.shards) || j.shards < 1) throw new UsageError(`--shards must be at least 1, got ${j.shards}`);
  if (!Number.isInteger(j.throttle) || j.throttle < 1)
    throw new UsageError(`--throttle must be at least 1, got ${j.throttle}`);
}

/** The lines both scripts start with after their #SBATCH lines: fail early, on this node, with a
 *  message in the task's log, when node or augsal is not where the script expects them. */
function preamble(j: ClusterJob): string[] {
  return [
    "set -euo pipefail",
    // AUGSAL_NODE: a node binary other than the first on PATH (the same on every node).
    'NODE="${AUGSAL_NODE:-node}"',
    'command -v "$NODE" >/dev/null || { echo "augsal: $NODE is not on PATH on $(hostname) (set AUGSAL_NODE)" >&2; exit 127; }',
    `[ -f ${shq(j.cli)} ] || { echo "augsal: ${j.cli.replace(/"/g, '\\"')} is not visible on $(hostname): the sweep needs a file system every node shares" >&2; exit 2; }`,
  ];
}

/**
 * DIR/sweep.sbatch: an array job, one task per shard. A task runs `augsal sweep GRID --out DIR` and
 * finds its shard in SLURM_ARRAY_TASK_ID; AUGSAL_SHARD_COUNT pins N, so a rerun of some tasks only
 * (`sbatch --array=3,17 DIR/sweep.sbatch`, what `augsal merge` prints) still splits the sweep the
 * same way. Each task uses the CPUs it was given (--workers), whatever the node has.
 */
export function sbatchScript(j: ClusterJob): string {
  checkJob(j);
  const r = j.resources;
  const logs = join(j.dir, LOGS_DIR);
  return [
    "#!/bin/bash",
    `# augsal sweep as a Slurm array job: ${j.shards} shard${j.shards === 1 ? "" : "s"}, at most ${j.throttle} at once.`,
    "# Written by `augsal sweep --slurm`; submit with `sbatch` (after it, DIR/merge.sbatch with",
    "# --dependency=afterok:<this job's id>), or let `--submit` do both. Resources are estimates from",
    "# the dry run on the machine that wrote this file: edit them here if your nodes differ.",
    `#SBATCH --job-name=${j.name}`,
    `#SBATCH --array=0-${j.shards - 1}%${j.throttle}`,
    "#SBATCH --ntasks=1",
    `#SBATCH --cpus-per-task=${r.cpus}`,
    `#SBATCH --mem=${r.memMiB}M`,
    `#SBATCH --time=${slurmTime(r.minutes)}`,
    `#SBATCH --output=${sbq(join(logs, "sweep_%A_%a.out"))}`,
    `#SBATCH --error=${sbq(join(logs, "sweep_%A_%a.err"))}`,
    "",
    ...preamble(j),
    `export AUGSAL_SHARD_COUNT=${j.shards}`,
    `exec "$NODE" ${shq(j.cli)} sweep ${shq(j.grid)} --out ${shq(j.dir)} --workers "\${SLURM_CPUS_PER_TASK:-1}"`,
    "",
  ].join("\n");
}

/**
 * DIR/merge.sbatch: `augsal merge DIR` once the array job succeeded. --kill-on-invalid-dep: when a
 * task fails, afterok can never be met and Slurm removes this job instead of leaving it pending; run
 * the rerun command `augsal merge DIR` prints, then `augsal merge DIR` (or this script) again.
 */
export function mergeSbatchScript(j: ClusterJob): string {
  checkJob(j);
  const logs = join(j.dir, LOGS_DIR);
  return [
    "#!/bin/bash",
    "# augsal merge after the sweep's array job: submit with",
    `#   sbatch --dependency=afterok:<array job id> ${join(j.dir, MERGE_SBATCH_FILE)}`,
    `#SBATCH --job-name=${j.name}-merge`,
    "#SBATCH --ntasks=1",
    "#SBATCH --cpus-per-task=1",
    `#SBATCH --mem=${Math.max(1024, j.resources.memMiB)}M`,
    `#SBATCH --time=${slurmTime(Math.max(30, Math.ceil(j.shards / 10)))}`,
    "#SBATCH --kill-on-invalid-dep=yes",
    `#SBATCH --output=${sbq(join(logs, "merge_%j.out"))}`,
    `#SBATCH --error=${sbq(join(logs, "merge_%j.err"))}`,
    "",
    ...preamble(j),
    `exec "$NODE" ${shq(j.cli)} merge ${shq(j.dir)}`,
    "",
  ].join("\n");
}

/**
 * A Kubernetes Indexed Job with the same split: completions N, parallelism K, one pod per shard; the
 * pod's JOB_COMPLETION_INDEX is its shard and AUGSAL_SHARD_COUNT pins N. The sweep folder and the augsal
 * checkout must be mounted at the same absolute paths as here (a ReadWriteMany volume: the claim name
 * is a placeholder to edit), and the image must have node. Written by hand as YAML (no library), with
 * every string JSON-quoted, which YAML reads as the same string.
 */
export function k8sManifest(j: ClusterJob, opts: { image?: string; claim?: string } = {}): string {
  checkJob(j);
  const r = j.resources;
  const q = (s: string) => JSON.stringify(s);
  const name =
    j.name
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 52) || "augsal-sweep";
  // the checkout: dist/cli.js's package folder (dist/, build/augsal.wasm, node_modules/)
  const mounts = volumeMounts([j.dir, dirname(dirname(j.cli))]);
  const held = mounts.map((m) => (m.subPath ? `${m.subPath}/ (mounted at ${m.mountPath})` : m.mountPath)).join(" and ");
  const cmd = `exec node ${shq(j.cli)} sweep ${shq(j.grid)} --out ${shq(j.dir)} --workers ${r.cpus}`;
  return [
    `# augsal sweep as a Kubernetes Indexed Job: ${j.shards} shard${j.shards === 1 ? "" : "s"}, at most ${j.throttle} at once.`,
    "# Written by `augsal sweep --k8s`. Before `kubectl apply -f` this file:",
    `# - the volume claim ${q(opts.claim ?? "augsal-shared")} must be a ReadWriteMany volume holding ${held}:`,
    "#   the augsal checkout (dist/, build/, node_modules/) and the sweep folder, at the same paths as here;",
    `# - the image must have node >= 20 (${q(opts.image ?? "node:20-bookworm-slim")} does).`,
    "# Merge step (Kubernetes has no afterok between Jobs): once the Job is complete,",
    `#   kubectl wait --for=condition=complete --timeout=-1s job/${name}`,
    `# run \`augsal merge ${j.dir}\` where the volume is mounted (or as a one-pod Job with the same`,
    "# volume and image, command: node CLI merge DIR). merge names failed shards; delete this Job and",
    "# apply it again to rerun (finished jobs of the sweep are skipped).",
    "apiVersion: batch/v1",
    "kind: Job",
    "metadata:",
    `  name: ${q(name)}`,
    "spec:",
    "  completionMode: Indexed",
    `  completions: ${j.shards}`,
    `  parallelism: ${j.throttle}`,
    // Failed pods the whole Job may have (about one retry per shard; a retried shard resumes, finished
    // jobs are kept). Not backoffLimitPerIndex: a cluster older than 1.29 rejects an unknown field
    // under kubectl's strict validation.
    `  backoffLimit: ${Math.max(6, j.shards)}`,
    "  template:",
    "    spec:",
    "      restartPolicy: Never",
    "      containers:",
    "        - name: shard",
    `          image: ${q(opts.image ?? "node:20-bookworm-slim")}`,
    `          command: ["sh", "-c", ${q(cmd)}]`,
    "          env:",
    "            - name: AUGSAL_SHARD_COUNT",
    `              value: ${q(String(j.shards))}`,
    "          resources:",
    "            requests:",
    `              cpu: ${q(String(r.cpus))}`,
    `              memory: ${q(`${r.memMiB}Mi`)}`,
    "            limits:",
    `              memory: ${q(`${r.memMiB}Mi`)}`,
    "          volumeMounts:",
    ...mounts.flatMap((m) => [
      "            - name: shared",
      `              mountPath: ${q(m.mountPath)}`,
      ...(m.subPath ? [`              subPath: ${q(m.subPath)}`] : []),
    ]),
    `      activeDeadlineSeconds: ${r.minutes * 60}`,
    "      volumes:",
    "        - name: shared",
    "          persistentVolumeClaim:",
    `            claimName: ${q(opts.claim ?? "augsal-shared")}`,
    "",
  ].join("\n");
}

/**
 * Where the pods mount the shared volume so that `folders` appear at the same paths as here: their
 * deepest common folder, or, when they share nothing below /, each top-level folder from the volume's
 * subfolder of that name (the volume then mirrors / for those folders).
 */
export function volumeMounts(folders: readonly string[]): { mountPath: string; subPath?: string }[] {
  const parts = folders.map((p) => p.split("/").filter(Boolean));
  const common: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0][i]); i++) common.push(parts[0][i]);
  if (common.length) return [{ mountPath: "/" + common.join("/") }];
  const tops = [...new Set(parts.map((p) => p[0]).filter(Boolean))].sort();
  return tops.map((t) => ({ mountPath: `/${t}`, subPath: t }));
}

/** Write DIR/sweep.sbatch and DIR/merge.sbatch (and make DIR/logs, where the tasks write). */
export function writeSlurmScripts(j: ClusterJob): { sweep: string; merge: string } {
  const sweep = join(j.dir, SBATCH_FILE);
  const merge = join(j.dir, MERGE_SBATCH_FILE);
  writeAtomic(join(j.dir, LOGS_DIR, ".keep"), "");
  writeAtomic(sweep, sbatchScript(j));
  writeAtomic(merge, mergeSbatchScript(j));
  return { sweep, merge };
}

export function writeK8sManifest(j: ClusterJob, opts: { image?: string; claim?: string } = {}): string {
  const path = join(j.dir, K8S_FILE);
  writeAtomic(path, k8sManifest(j, opts));
  return path;
}

export interface Submitted {
  arrayJobId: string;
  mergeJobId: string;
  submittedAt: string;
}

/** Run sbatch --parsable; its job id (a cluster name after ';' is dropped). */
function sbatch(args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync("sbatch", ["--parsable", ...args], { env, encoding: "utf8" });
  if (r.error) {
    const why = (r.error as NodeJS.ErrnoException).code === "ENOENT" ? "sbatch is not on PATH" : r.error.message;
    throw new Error(`cannot submit: ${why} (the scripts are written: submit them where Slurm's commands are)`);
  }
  if (r.status !== 0) throw new Error(`sbatch ${args.join(" ")} failed (exit ${r.status}): ${r.stderr.trim()}`);
  const id = r.stdout.trim().split(";")[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch ${args.join(" ")} printed '${r.stdout.trim()}', not a job id`);
  return id;
}

/**
 * Submit the array job, then the merge job depending on it (afterok), and record both ids in
 * DIR/slurm-jobs.json. If the merge job cannot be submitted the array job is cancelled, so nothing
 * runs without its merge.
 */
export function submitSlurm(dir: string, env: NodeJS.ProcessEnv = process.env): Submitted {
  const arrayJobId = sbatch([join(dir, SBATCH_FILE)], env);
  let mergeJobId: string;
  try {
    mergeJobId = sbatch([`--dependency=afterok:${arrayJobId}`, join(dir, MERGE_SBATCH_FILE)], env);
  } catch (e) {
    spawnSync("scancel", [arrayJobId], { env });
    throw e;
  }
  const s: Submitted = { arrayJobId, mergeJobId, submittedAt: new Date().toISOString() };
  writeAtomic(join(dir, SUBMITTED_FILE), toJson(s));
  return s;
}

/** What `sweep --slurm / --k8s` asks of the sweep side (./run.ts): the plan's jobs with their costs,
 *  the split into N shards (recorded in the sweep folder), and the dry run's estimates. */
export interface PreparedSweep {
  /** The sweep folder (absolute), its records written. */
  dir: string;
  /** DIR/grid.json: the grid every task runs. */
  grid: string;
  jobs: readonly { hash: string; name: string; cost: number }[];
  /** Shard i's jobs and summed cost. */
  shards: readonly { shard: number; cost: number; jobs: readonly string[] }[];
  /** Core-seconds per unit of cost, measured on this machine (the dry run's rate). */
  secondsPerCost: number;
  /** One worker's memory, bytes (the study's preflight estimate; the largest over the datasets). */
  workerBytes: number;
}

export interface ClusterFlags {
  slurm: boolean;
  k8s: boolean;
  submit: boolean;
  /** CPUs per task (--workers with --slurm/--k8s). */
  cpus: number;
  throttle?: number;
}

/** Array tasks at most (Slurm's default MaxArraySize is 1001: indices 0..1000). */
export const MAX_SHARDS = 1000;
/** Default throttle: enough to fill a share of a cluster, not all of it. */
export const DEFAULT_THROTTLE = 32;

/** --shards default: one task per job (each task pays a few seconds of start-up), at most MAX_SHARDS. */
export function defaultShards(jobs: number): number {
  return Math.max(1, Math.min(jobs, MAX_SHARDS));
}

/**
 * Write the cluster files for a prepared sweep (and submit them with --submit); returns the text to
 * print: what was written, the resources and why, and the commands to run next.
 */
export function writeCluster(p: PreparedSweep, f: ClusterFlags, env: NodeJS.ProcessEnv = process.env): string {
  const n = p.shards.length;
  if (n > MAX_SHARDS) throw new UsageError(`--shards ${n}: Slurm's default MaxArraySize allows at most ${MAX_SHARDS}`);
  const throttle = f.throttle ?? Math.min(n, DEFAULT_THROTTLE);
  const longest = Math.max(0, ...p.jobs.map((j) => j.cost)) * p.secondsPerCost;
  const resources = taskResources(
    p.shards.map((s) => s.cost * p.secondsPerCost),
    longest,
    p.workerBytes,
    f.cpus,
  );
  const cli = new URL("../cli.js", import.meta.url).pathname;
  const j: ClusterJob = { dir: p.dir, grid: p.grid, cli, shards: n, throttle, resources, name: jobName(p.dir) };
  const sizes = p.shards.map((s) => s.jobs.length);
  const lines = [
    `cluster: ${p.jobs.length} jobs in ${n} shard${n === 1 ? "" : "s"} (${Math.min(...sizes)}-${Math.max(...sizes)} jobs each, ` +
      `balanced by estimated cost), at most ${throttle} at once`,
    `per task: ${resources.cpus} CPU${resources.cpus === 1 ? "" : "s"}, ${resources.memMiB} MiB, ${slurmTime(resources.minutes)} ` +
      `(the worst shard: ${(Math.max(...p.shards.map((s) => s.cost)) * p.secondsPerCost).toFixed(0)} core-s here, ` +
      `its longest job ${longest.toFixed(0)} s; x${TIME_MARGIN} for slower nodes)`,
  ];
  if (f.slurm) {
    const w = writeSlurmScripts(j);
    lines.push(`wrote ${w.sweep} (the array job) and ${w.merge} (the merge, after it)`);
    if (f.submit) {
      const s = submitSlurm(p.dir, env);
      lines.push(
        `submitted: array job ${s.arrayJobId} (${n} tasks), merge job ${s.mergeJobId} (afterok:${s.arrayJobId}); ` +
          `ids in ${join(p.dir, SUBMITTED_FILE)}`,
        `watch: squeue -j ${s.arrayJobId},${s.mergeJobId}; logs in ${join(p.dir, LOGS_DIR)}`,
      );
    } else {
      lines.push(
        `submit: sbatch --dependency=afterok:$(sbatch --parsable ${shq(w.sweep)}) ${shq(w.merge)}`,
        "(or run this command again with --submit)",
      );
    }
  }
  if (f.k8s) {
    const path = writeK8sManifest(j);
    lines.push(
      `wrote ${path} (an Indexed Job: edit the volume claim and image it names, then kubectl apply -f it)`,
      `after it completes: node ${shq(cli)} merge ${shq(p.dir)}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** One worker's memory (bytes) for the grid: the study's preflight estimate, the largest over the
 *  datasets and augmentations (the sets' sizes do not depend on the strength). */
export function gridWorkerBytes(grid: Grid, base: StudyConfig): number {
  let most = 0;
  for (const dataset of grid.datasets) {
    const ds = loadDataset(dataset);
    for (const aug of Object.keys(grid.strengths) as AugName[]) {
      const c = pointConfig(base, dataset, grid.seeds[0], aug, grid.strengths[aug]![0]);
      const shape = {
        spec: dataset,
        rows: ds.rows,
        cols: ds.cols,
        trainLabels: ds.train.labels,
        testLabels: ds.test.labels,
      };
      most = Math.max(most, preflight(c, shape).workerBytes);
    }
  }
  return most;
}

/** Check the cluster flags before anything is written (usage errors name the flag). */
export function checkClusterFlags(f: ClusterFlags & { shards?: number }, dir: string): void {
  if (f.submit && !f.slurm) throw new UsageError("--submit goes with --slurm (it calls sbatch)");
  if (f.shards !== undefined && (!Number.isInteger(f.shards) || f.shards < 1 || f.shards > MAX_SHARDS))
    throw new UsageError(`--shards must be from 1 to ${MAX_SHARDS} (Slurm's default MaxArraySize), got ${f.shards}`);
  if (f.throttle !== undefined && (!Number.isInteger(f.throttle) || f.throttle < 1))
    throw new UsageError(`--throttle must be a positive integer, got ${f.throttle}`);
  if (/[%"\n]/.test(dir))
    throw new UsageError(
      `--out ${JSON.stringify(dir)}: a sweep folder for a cluster cannot hold % or " (sbatch log paths)`,
    );
}

/**
 * What `sweep --slurm / --k8s` hands to runSweep (./run.ts SweepOptions.cluster): the number of shards
 * (--shards, else the split already recorded in the folder, else one per job) and the writer.
 */
export function clusterOptions(
  f: ClusterFlags & { shards?: number },
  grid: Grid,
  base: StudyConfig,
  env: NodeJS.ProcessEnv = process.env,
): { shards: (jobs: number, recorded?: number) => number; write: (p: ClusterPlan) => string } {
  return {
    shards: (jobs, recorded) => f.shards ?? recorded ?? defaultShards(jobs),
    write: (p) =>
      writeCluster(
        {
          dir: p.dir,
          grid: join(p.dir, GRID_FILE),
          jobs: p.plan.jobs,
          shards: p.record.shards,
          secondsPerCost: p.secondsPerCost,
          workerBytes: gridWorkerBytes(grid, base),
        },
        f,
        env,
      ),
  };
}
