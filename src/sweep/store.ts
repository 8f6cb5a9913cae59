// A sweep folder's job store: each finished job is a folder jobs/<hash>/ (weights, history, maps of the
// queries per method, predictions, job.json naming its code and data, done.json with every file's
// SHA-256, written last). The folder is built under a temporary name and renamed into place: a rename
// is atomic on local disks and on NFS, so a job folder is complete or absent, whoever else writes into
// the sweep. A job that threw leaves failed/<hash>.json naming the error (removed once it succeeds).
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { encodeCheckpoint } from "../nn/checkpoint.js";
import { writeAtomic } from "../node/atomic.js";
import { decodeNpy, encodeNpy, sha256, toJson } from "../node/files.js";
import { pidAlive } from "../node/lock-holder.js";
import type { History } from "../nn/train.js";
import type { PlannedJob } from "./plan.js";
import type { QueryPrediction, SweepTaskResult } from "./task.js";

export const JOBS_DIR = "jobs";
export const FAILED_DIR = "failed";
export const DONE_FILE = "done.json";

/** What job.json records: the job and the code and data that made it (merge refuses a mix). */
export interface JobRecord {
  hash: string;
  name: string;
  augsal: string;
  wasmSha256: string;
  data: Record<string, string>;
  key: Record<string, unknown>;
  trainSize: number;
}

export function jobDir(dir: string, hash: string): string {
  return join(dir, JOBS_DIR, hash);
}

export function isDone(dir: string, hash: string): boolean {
  return existsSync(join(jobDir(dir, hash), DONE_FILE));
}

export function failurePath(dir: string, hash: string): string {
  return join(dir, FAILED_DIR, `${hash}.json`);
}

const TEMP_PREFIX = ".tmp-";

/** Write a finished job's folder atomically; false if another process finished it first. */
export function writeJob(
  dir: string,
  j: PlannedJob,
  record: Omit<JobRecord, "trainSize">,
  r: Extract<SweepTaskResult, { ok: true }>,
  dims: { rows: number; cols: number },
): boolean {
  const final = jobDir(dir, j.hash);
  if (existsSync(join(final, DONE_FILE))) return false;
  const tmp = join(dir, JOBS_DIR, `${TEMP_PREFIX}${j.hash}-${hostname()}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const files: Record<string, string> = {};
  const put = (rel: string, data: string | Uint8Array) => {
    writeAtomic(join(tmp, rel), data);
    files[rel] = sha256(data);
  };
  put("job.json", toJson({ ...record, trainSize: r.trainSize }));
  put("weights.bin", encodeCheckpoint(r.spec, r.best));
  put("history.json", toJson(r.history));
  const q = r.predictions.length;
  for (const m of r.maps) {
    put(`maps/${m.method}.npy`, encodeNpy(m.abs, [q, 1, dims.rows, dims.cols]));
    put(`maps/${m.method}.signed.npy`, encodeNpy(m.signed, [q, 1, dims.rows, dims.cols]));
  }
  put("predictions.json", toJson(r.predictions));
  // how long it took and where: for the curious, never read by merge (results must not depend on it)
  writeAtomic(join(tmp, "timing.json"), toJson({ seconds: +r.seconds.toFixed(3), host: hostname() }));
  writeAtomic(join(tmp, DONE_FILE), toJson({ hash: j.hash, files }));
  try {
    renameSync(tmp, final);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if ((code === "ENOTEMPTY" || code === "EEXIST") && existsSync(join(final, DONE_FILE))) return false;
    if (code === "ENOTEMPTY" || code === "EEXIST") {
      // a folder without done.json is not a job augsal finished: it was never renamed by us; keep it
      throw new Error(`${final} exists but is not a finished job (no ${DONE_FILE}); remove it to retrain ${j.name}`);
    }
    throw e;
  }
  rmSync(failurePath(dir, j.hash), { force: true });
  return true;
}

export function writeFailure(dir: string, j: PlannedJob, error: string): void {
  writeAtomic(
    failurePath(dir, j.hash),
    toJson({ hash: j.hash, name: j.name, error, host: hostname(), pid: process.pid, at: new Date().toISOString() }),
  );
}

export function readFailure(dir: string, hash: string): { error: string } | undefined {
  const p = failurePath(dir, hash);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, "utf8")) as { error: string };
  } catch {
    return { error: "(unreadable failure record)" };
  }
}

/** Remove temporary job folders left by a killed process of this host (others' may be in use). */
export function removeStaleTemps(dir: string): number {
  const jobs = join(dir, JOBS_DIR);
  if (!existsSync(jobs)) return 0;
  let n = 0;
  const host = hostname();
  for (const name of readdirSync(jobs)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const m = name.match(/-(\d+)$/);
    const pid = m ? Number(m[1]) : NaN;
    if (!name.slice(0, name.length - (m?.[0].length ?? 0)).endsWith(`-${host}`)) continue;
    if (pid === process.pid || !pidAlive(pid)) {
      rmSync(join(jobs, name), { recursive: true, force: true });
      n++;
    }
  }
  return n;
}

/** A finished job's files, each checked against done.json's SHA-256. */
export class JobReader {
  private readonly files: Record<string, string>;
  constructor(
    readonly dir: string,
    readonly hash: string,
  ) {
    const p = join(jobDir(dir, hash), DONE_FILE);
    this.files = (JSON.parse(readFileSync(p, "utf8")) as { files: Record<string, string> }).files;
  }
  read(rel: string): Buffer {
    const path = join(jobDir(this.dir, this.hash), rel);
    const b = readFileSync(path);
    if (sha256(b) !== this.files[rel])
      throw new Error(
        `${path}: its SHA-256 is not the one done.json records (damaged); remove ${jobDir(this.dir, this.hash)} and rerun the sweep`,
      );
    return b;
  }
  json<T>(rel: string): T {
    return JSON.parse(this.read(rel).toString("utf8")) as T;
  }
  record(): JobRecord {
    return this.json<JobRecord>("job.json");
  }
  history(): History {
    return this.json<History>("history.json");
  }
  predictions(): QueryPrediction[] {
    return this.json<QueryPrediction[]>("predictions.json");
  }
  map(method: string): Float32Array {
    return decodeNpy(new Uint8Array(this.read(`maps/${method}.npy`)), `${this.hash}/maps/${method}.npy`).data;
  }
}
