// The run folder's policy: what augsal writes there (and so may clear with --force), when a folder may
// be reused (same configuration: resume), and where each job's files live. The file primitives
// (atomic writes, JSON, .npy) are src/node/files.ts's.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Core } from "../core/load.js";
import { Model } from "../nn/model.js";
import { decodeCheckpoint } from "../nn/checkpoint.js";
import type { History } from "../nn/train.js";
import { exists, readJson } from "../node/files.js";
import { UsageError, type Job, type StudyConfig } from "./config.js";

/** Everything augsal writes at the top of a run folder (--force clears these and nothing else). */
const OWNED = ["config.json", "split.json", "queries.json", "weights", "history", "saliency", "figures", "table1.md", "table1.csv", "table1.json",
  "metrics.md", "metrics.csv", "metrics.json", "report.html", "results.json", "timings.json",
  "per-query-metrics.csv", "per-query-metrics.json", "per-query-predictions.csv", "per-query-predictions.json"];

/**
 * Make sure `out` can hold this configuration: a new folder, the same configuration (resume), or
 * --force (clears what augsal wrote there). A different configuration is a usage error.
 */
export function prepareRunFolder(out: string, config: StudyConfig, force: boolean): "new" | "resume" {
  const cfgPath = join(out, "config.json");
  if (exists(cfgPath) && !force) {
    let old: { config?: StudyConfig };
    try {
      old = readJson(cfgPath);
    } catch {
      throw new UsageError(`${cfgPath} is not readable as an augsal run configuration; use --force to overwrite the folder or --out DIR for another`);
    }
    const a = old.config ?? {};
    const diff = Object.keys({ ...a, ...config }).filter((k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((config as unknown as Record<string, unknown>)[k]));
    if (diff.length) {
      throw new UsageError(`${out} holds a run with a different configuration (${diff.join(", ")} differ); use --out DIR for a new folder or --force to overwrite it`);
    }
    return "resume";
  }
  if (force && exists(out)) {
    for (const f of readdirSync(out)) if (OWNED.includes(f)) rmSync(join(out, f), { recursive: true, force: true });
  }
  return "new";
}

/** The configuration of an existing run (its config.json); a usage error if there is no run. */
export function readRunConfig(out: string): StudyConfig {
  const p = join(out, "config.json");
  if (!exists(p)) throw new UsageError(`no augsal run in ${out} (config.json missing): run 'study' first or name the run with --out`);
  return readJson<{ config: StudyConfig }>(p).config;
}

/** A job's files: its best weights and its training history. */
export function jobPaths(out: string, j: Pick<Job, "id">): { w: string; h: string } {
  return { w: join(out, "weights", `${j.id}.bin`), h: join(out, "history", `${j.id}.json`) };
}

export function readHistory(out: string, id: string): History {
  return readJson<History>(jobPaths(out, { id }).h);
}

/** A trained model from its weights file; a damaged file says how to recover. */
export function loadModel(core: Core, out: string, id: string, capacity: number): Model {
  const path = jobPaths(out, { id }).w;
  let ck: ReturnType<typeof decodeCheckpoint>;
  try {
    ck = decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
  } catch (e) {
    throw new Error(`${(e as Error).message} (delete the file to retrain that model, or run again with --force)`);
  }
  const { spec, params } = ck;
  const model = new Model(core, spec, capacity);
  model.setParams(params);
  return model;
}

