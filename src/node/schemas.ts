// Schemas of what augsal reads back from a run folder (config.json, results.json, queries.json,
// split.json, history/*.json, manifest.json, timings.json). A hand-edited or damaged file is an error that names
// the file and the field and says how to repair it, never "Cannot read properties of undefined".
// zod checks types; the range checks that need the data set (indices, labels) are plain functions.
import { z } from "zod";
import { UsageError } from "./errors.js";

/** A run-folder file that is unreadable, fails its schema, or fails its checksum. Exit code 2. */
export class RunFileError extends UsageError {
  override name = "RunFileError";
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly repair?: string,
  ) {
    super(`${path}: ${problem}${repair ? `; ${repair}` : ""}`);
  }
}

/** zod's path as a field name: table1[2].test. */
export function fieldName(path: readonly (string | number)[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s ? `.${p}` : p;
  return s || "(the whole file)";
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** Parse JSON text against a schema; every failure names the file and the first failing field. */
export function parseJsonFile<T>(schema: z.ZodType<T>, path: string, text: string, repair?: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = text.trim() === "" ? "the file is empty" : `not valid JSON (${(e as Error).message})`;
    throw new RunFileError(path, why, repair);
  }
  return checkJson(schema, path, value, repair);
}

/** Check a parsed JSON value against a schema; a failure names the file and the first failing field. */
export function checkJson<T>(schema: z.ZodType<T>, path: string, value: unknown, repair?: string): T {
  const r = schema.safeParse(value);
  // The value as read, not zod's copy: that one puts the schema's keys first, and a file written back
  // (report rewrites results.json) must keep its bytes.
  if (r.success) return value as T;
  const issue = r.error.issues[0];
  const got = valueAt(value, issue.path);
  const gotText = issue.code === "invalid_type" && got === undefined ? "missing" : `got ${describe(got)}`;
  throw new RunFileError(path, `field ${fieldName(issue.path)}: ${issue.message.toLowerCase()} (${gotText})`, repair);
}

const int = (min = 0) => z.number().int().min(min);
/** JSON writes NaN (one run's sd) as null. */
const num = z.number().nullable();
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 hexadecimal digits");

/** A path inside the run folder as the manifest records it: relative, '/'-separated, no '..'. */
export const relPath = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith("/") && !p.includes("\\") && p.split("/").every((s) => s !== "" && s !== "." && s !== ".."),
    {
      message: "expected a relative path inside the run folder",
    },
  );

export const manifestEntry = z.object({ sha256: hex64.nullable(), bytes: int().nullable() }).strict();

export const manifestSchema = z
  .object({
    format: z.literal("augsal-run"),
    version: z.literal(1),
    augsal: z.string(),
    files: z.record(relPath, manifestEntry),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;

const seconds = z.number().min(0);

/** timings.json: wall seconds of the study's stages (their names: src/study/study.ts; `maps:<method>` are CPU
 *  seconds summed over the pool), of each training job, and of the whole run, on `workers` cores. */
export const timingsSchema = z
  .object({
    format: z.literal("augsal-timings"),
    version: z.literal(1),
    stages: z.record(z.string(), seconds),
    jobs: z.record(z.string(), seconds),
    total: seconds,
    workers: int(1),
  })
  .strict();
export type Timings = z.infer<typeof timingsSchema>;

/** timings.json as augsal wrote it before it had a format and version (0.1 and the sessions after): the stage
 *  seconds at the top level beside jobs, total and workers. The stage names differ ("saliency+metrics" in 0.1,
 *  "maps+trust" and "metrics" later); they are kept as written. */
const unversionedTimingsSchema = z
  .object({ jobs: z.record(z.string(), seconds), total: seconds, workers: int(1) })
  .catchall(seconds);

/** Read timings.json, the current form or the unversioned one (turned into the current form); a version
 *  this augsal does not know is an error that says so. */
export function parseTimingsFile(path: string, text: string): Timings {
  const value = parseJsonFile(z.unknown(), path, text);
  const fields = value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  if (fields && !("format" in fields)) {
    const { jobs, total, workers, ...stages } = checkJson(unversionedTimingsSchema, path, fields);
    return { format: "augsal-timings", version: 1, stages: stages as Record<string, number>, jobs, total, workers };
  }
  const version = (fields as { version?: unknown } | undefined)?.version;
  if (typeof version === "number" && version > 1)
    throw new RunFileError(path, `timings.json version ${version} is newer than this augsal reads (1); upgrade augsal`);
  return checkJson(timingsSchema, path, value);
}

const optimizerSchema = z
  .object({
    kind: z.enum(["adam", "sgd"]),
    lr: z.number().positive(),
  })
  .passthrough();

/** The study configuration as config.json records it. Unknown keys pass (newer augsal adds some). */
export const studyConfigSchema = z
  .object({
    data: z.string().min(1),
    seed: int(),
    runs: int(1),
    epochs: int(1),
    steps: int(1),
    batch: int(),
    optimizer: optimizerSchema,
    arch: z.string().min(1),
    aug: z.array(z.string()),
    copies: int(),
    strength: z.record(z.string(), z.number()),
    cropMode: z.enum(["pad", "resize"]),
    trainPerClass: int(1),
    valPerClass: int(1),
    queries: int(1),
    target: z.enum(["label", "predicted"]),
    score: z.enum(["logit", "softmax"]),
    noiseFloor: z.boolean(),
  })
  .passthrough();

export const inputFileSchema = z.object({ path: z.string(), bytes: int(), sha256: hex64 }).strict();

export const configFileSchema = z
  .object({
    augsal: z.string(),
    wasmSha256: z.string().optional(),
    node: z.string().optional(),
    createdAt: z.string().optional(),
    command: z.string().optional(),
    config: studyConfigSchema,
    inputs: z.record(z.string(), inputFileSchema).optional(),
  })
  .passthrough();

export const queriesSchema = z.array(z.object({ index: int(), label: int() }).passthrough());

export const splitSchema = z
  .object({
    train: z.array(int()),
    val: z.array(int()),
  })
  .passthrough();

export const historySchema = z
  .object({
    epochLoss: z.array(num),
    valAcc: z.array(num),
    valLoss: z.array(num),
    bestEpoch: int(1),
    bestVal: num,
    test: num,
  })
  .passthrough();

const table1Row = z.object({ set: z.string(), bestVal: num, bestEpoch: int(0), test: num }).passthrough();
const metricsRow = z
  .object({
    set: z.string(),
    cc: num,
    ccSd: num,
    kl: num,
    klSd: num,
    entropySpatial: num,
    entropySpatialSd: num,
    entropyHist: num,
    entropyHistSd: num,
    sim: num,
    simSd: num,
    spearman: num,
    spearmanSd: num,
  })
  .passthrough();

export const resultsSchema = z
  .object({
    config: studyConfigSchema,
    table1: z.array(table1Row).min(1),
    metrics: z.array(metricsRow).min(1),
    noiseFloor: metricsRow.extend({ against: z.string(), seed: int() }).passthrough().nullable(),
    runs: z
      .array(z.object({ seed: int(), table1: z.array(table1Row), metrics: z.array(metricsRow) }).passthrough())
      .min(1),
    metricsSummary: z.array(metricsRow),
    table1Summary: z.array(
      z.object({ set: z.string(), bestValMean: num, bestValSd: num, testMean: num, testSd: num }).passthrough(),
    ),
    queries: z.array(z.object({ index: int(), label: int() }).passthrough()).min(1),
  })
  .passthrough();

/** Query indices must name test images, with their labels (queries.json is read back by saliency). */
export function checkQueries(
  path: string,
  q: { index: number; label: number }[],
  testLabels: ArrayLike<number>,
  repair?: string,
): void {
  if (q.length === 0) throw new RunFileError(path, "holds no query", repair);
  const seen = new Set<number>();
  q.forEach((x, i) => {
    if (x.index >= testLabels.length) {
      throw new RunFileError(
        path,
        `field [${i}].index: ${x.index} is beyond the test set (${testLabels.length} images)`,
        repair,
      );
    }
    if (x.label !== testLabels[x.index]) {
      throw new RunFileError(
        path,
        `field [${i}].label: ${x.label}, but test image ${x.index} is labelled ${testLabels[x.index]}`,
        repair,
      );
    }
    if (seen.has(x.index))
      throw new RunFileError(path, `field [${i}].index: test image ${x.index} is listed twice`, repair);
    seen.add(x.index);
  });
}

/** Split indices must name distinct training images. */
export function checkSplit(
  path: string,
  s: { train: number[]; val: number[] },
  trainCount: number,
  repair?: string,
): void {
  const seen = new Set<number>();
  for (const key of ["train", "val"] as const) {
    s[key].forEach((ix, i) => {
      if (ix >= trainCount)
        throw new RunFileError(
          path,
          `field ${key}[${i}]: ${ix} is beyond the training set (${trainCount} images)`,
          repair,
        );
      if (seen.has(ix))
        throw new RunFileError(path, `field ${key}[${i}]: training image ${ix} is listed twice`, repair);
      seen.add(ix);
    });
  }
}
