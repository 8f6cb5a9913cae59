// The GRID file of `augsal sweep` (docs/sweeps.md): the axes of a sweep (datasets, seeds, attribution
// methods, strengths per augmentation) and the study flags held fixed, as JSON checked with zod. Every
// error names the key and the value and is a usage error (exit 2) raised before any file is touched.
// Flags on the command line override the file: an axis flag (--seed, --data, --methods, --aug,
// --strength) replaces or narrows that axis, any other study flag replaces the file's value.
import { z } from "zod";
import { AUGMENTATIONS, type AugName } from "../sets.js";
import { checkStrength } from "../data/augment.js";
import { METHODS, parseMethods, type MethodName } from "../explain/methods.js";
import { DEFAULT_CONFIG, UsageError, type StudyConfig } from "../study/config.js";
import { fieldName } from "../node/schemas.js";

/**
 * The study's flags: config.json's fields by their command-line names, in the help's order (the CLI's list
 * of configuration flags is this table's keys, src/cli/parse.ts), each with its type and what a sweep does
 * with it: "axis" sets an axis of the grid (its own key in the file), "fixed" is a study flag a grid may
 * hold fixed, "refused" means nothing in a sweep (seeds are the runs of a sweep, trust is the study's).
 */
export const STUDY_FLAGS = {
  seed: { type: "string", sweep: "axis" },
  runs: { type: "string", sweep: "refused" },
  epochs: { type: "string", sweep: "fixed" },
  steps: { type: "string", sweep: "fixed" },
  batch: { type: "string", sweep: "fixed" },
  optimizer: { type: "string", sweep: "fixed" },
  lr: { type: "string", sweep: "fixed" },
  arch: { type: "string", sweep: "fixed" },
  aug: { type: "string", sweep: "axis" },
  copies: { type: "string", sweep: "fixed" },
  strength: { type: "string", sweep: "axis" },
  "crop-mode": { type: "string", sweep: "fixed" },
  "train-per-class": { type: "string", sweep: "fixed" },
  "val-per-class": { type: "string", sweep: "fixed" },
  queries: { type: "string", sweep: "fixed" },
  target: { type: "string", sweep: "fixed" },
  score: { type: "string", sweep: "fixed" },
  "no-noise-floor": { type: "boolean", sweep: "fixed" },
  "no-repeat": { type: "boolean", sweep: "fixed" },
  init: { type: "string", sweep: "fixed" },
  methods: { type: "string", sweep: "axis" },
  "no-trust": { type: "boolean", sweep: "refused" },
  data: { type: "string", sweep: "axis" },
} as const satisfies Record<string, { type: "string" | "boolean"; sweep: "axis" | "fixed" | "refused" }>;
export type StudyFlag = keyof typeof STUDY_FLAGS;

const studyFlags = (sweep: "axis" | "fixed" | "refused"): StudyFlag[] =>
  (Object.keys(STUDY_FLAGS) as StudyFlag[]).filter((k) => STUDY_FLAGS[k].sweep === sweep);
/** Study flags a grid may hold fixed (the study key of a GRID file). */
export const STUDY_KEYS = studyFlags("fixed");
/** Command-line flags that set an axis instead of a fixed study flag. */
export const AXIS_FLAGS = studyFlags("axis");
/** Study flags that mean nothing in a sweep. */
export const REFUSED_FLAGS = studyFlags("refused");

const RANGE_RE = /^\s*(-?[\d.eE+-]+)\s*:\s*(-?[\d.eE+-]+)\s*:\s*(\d+)\s*$/;

const strengthAxis = z.union([z.array(z.number()).min(1), z.string().regex(RANGE_RE, "a 'start:stop:count' range")]);

const studySchema = z
  .object(
    Object.fromEntries(
      STUDY_KEYS.map((k) => [
        k,
        (STUDY_FLAGS[k].type === "boolean" ? z.boolean() : z.union([z.number(), z.string()])).optional(),
      ]),
    ) as Record<StudyFlag, z.ZodOptional<z.ZodTypeAny>>,
  )
  .strict();

export const gridSchema = z
  .object({
    datasets: z.array(z.string().min(1)).min(1).optional(),
    seeds: z.array(z.number().int().min(0)).min(1),
    methods: z.array(z.string()).min(1).optional(),
    strengths: z
      .object(Object.fromEntries(AUGMENTATIONS.map((a) => [a, strengthAxis.optional()])))
      .strict()
      .refine((o) => Object.values(o).some((v) => v !== undefined), "name at least one augmentation"),
    study: studySchema.optional(),
  })
  .strict();

export type GridFile = z.infer<typeof gridSchema>;

/** A grid with every default and override applied: what a sweep folder records (grid.json), itself a
 *  valid GRID file. Strengths ascending without repeats, augmentations and methods in registry order. */
export interface Grid {
  datasets: string[];
  seeds: number[];
  methods: MethodName[];
  strengths: Partial<Record<AugName, number[]>>;
  study: Record<string, number | string | boolean>;
}

function describe(v: unknown): string {
  return v === undefined ? "nothing" : JSON.stringify(v);
}

/** Parse and check a GRID file's text; `path` names it in errors. */
export function parseGridFile(path: string, text: string): GridFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const r = gridSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    let value: unknown = raw;
    for (const p of issue.path) value = (value as Record<string | number, unknown> | undefined)?.[p];
    const unknownKeys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    const where = fieldName(issue.path);
    throw new UsageError(
      `${path}: ${where === "(the whole file)" ? "the file" : `key ${where}`}: ${issue.message}${unknownKeys}` +
        (issue.code === "unrecognized_keys" ? "" : `, got ${describe(value)}`),
    );
  }
  return r.data;
}

/** "start:stop:count": count values from start to stop inclusive, evenly spaced (numpy.linspace),
 *  rounded to 12 significant digits so 0.1 steps print as 0.1, 0.2, ... */
export function expandRange(text: string): number[] {
  const m = text.match(RANGE_RE)!;
  const [a, b, n] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!Number.isFinite(a) || !Number.isFinite(b) || n < 1) throw new RangeError(`'${text}' is not a range`);
  if (n === 1) return [a];
  return Array.from({ length: n }, (_, i) => Number((a + ((b - a) * i) / (n - 1)).toPrecision(12)));
}

/** What the command line gives a sweep: the configuration flags it names, as text (boolean flags true). */
export type FlagValues = Record<string, string | boolean>;

/**
 * The effective grid: the file's axes and fixed flags with the command line's flags over them, checked.
 * `toConfig` turns study flags into a validated StudyConfig (the CLI's own parser, so every flag means
 * what it means for `study`); its UsageError is re-raised naming the grid key when the file gave it.
 */
export function resolveGrid(
  path: string,
  file: GridFile,
  flags: FlagValues,
  toConfig: (flags: FlagValues) => StudyConfig,
): { grid: Grid; base: StudyConfig } {
  for (const f of REFUSED_FLAGS) {
    if (f in flags)
      throw new UsageError(
        `sweep does not use --${f}: ${f === "runs" ? "the grid's seeds are its runs" : "the trust tables are the study's"}`,
      );
  }
  // fixed study flags: the file's, each checked on its own so an error names its key, then the flags'
  const fileStudy: FlagValues = {};
  for (const [k, v] of Object.entries(file.study ?? {})) {
    if (v === undefined || v === false) continue;
    fileStudy[k] = typeof v === "boolean" ? true : String(v);
    try {
      toConfig({ [k]: fileStudy[k] });
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${path}: key study.${k}: ${e.message}`);
      throw e;
    }
  }
  const study: FlagValues = { ...fileStudy };
  for (const [k, v] of Object.entries(flags)) if (!(AXIS_FLAGS as string[]).includes(k)) study[k] = v;

  // axes
  const datasets = flags.data !== undefined ? [String(flags.data)] : (file.datasets ?? ["mnist"]);
  for (const [i, d] of datasets.entries()) {
    if (!/^(mnist|fashion|idx:.+)$/.test(d))
      throw new UsageError(
        `${flags.data !== undefined ? "--data" : `${path}: key datasets[${i}]`}: must be 'mnist', 'fashion' or 'idx:DIR', got '${d}'`,
      );
  }
  if (new Set(datasets).size !== datasets.length)
    throw new UsageError(`${path}: key datasets lists a dataset twice: ${datasets.join(", ")}`);
  let seeds = file.seeds;
  if (flags.seed !== undefined) {
    const s = String(flags.seed);
    if (!/^\d+$/.test(s)) throw new UsageError(`--seed must be a non-negative integer, got '${s}'`);
    seeds = [Number(s)];
  }
  for (const [i, s] of seeds.entries()) {
    if (s > 2 ** 32 - 1 - 1000) throw new UsageError(`${path}: key seeds[${i}]: must be at most ${2 ** 32 - 1001}`);
  }
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`${path}: key seeds lists a seed twice`);
  const methodText =
    flags.methods !== undefined ? String(flags.methods) : (file.methods ?? DEFAULT_CONFIG.methods).join(",");
  let named: MethodName[];
  try {
    named = parseMethods(methodText);
  } catch (e) {
    throw new UsageError(
      `${flags.methods !== undefined ? "--methods" : `${path}: key methods`}: ${(e as Error).message}`,
    );
  }
  const methods = METHODS.filter((m) => m === "vanilla" || named.includes(m));

  // strengths per augmentation: lists or ranges, then --aug narrows and --strength replaces
  const strengths: Partial<Record<AugName, number[]>> = {};
  for (const a of AUGMENTATIONS) {
    const v = (file.strengths as Record<string, number[] | string | undefined>)[a];
    if (v === undefined) continue;
    strengths[a] = typeof v === "string" ? expandRange(v) : [...v];
  }
  if (flags.strength !== undefined) {
    for (const part of String(flags.strength).split(",")) {
      const m = part.trim().match(/^([a-z]+)=(.+)$/);
      const value = m ? Number(m[2]) : NaN;
      if (!m || !(AUGMENTATIONS as readonly string[]).includes(m[1]) || !Number.isFinite(value))
        throw new UsageError(
          `--strength takes name=value pairs like blur=3 of ${AUGMENTATIONS.join(", ")}, got '${part}'`,
        );
      strengths[m[1] as AugName] = [value];
    }
  }
  if (flags.aug !== undefined) {
    const keep = String(flags.aug)
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x && x !== "orig");
    for (const a of keep) {
      if (!strengths[a as AugName])
        throw new UsageError(
          `--aug ${a}: the grid has no strengths for '${a}' (it has ${Object.keys(strengths).join(", ")})`,
        );
    }
    for (const a of Object.keys(strengths)) if (!keep.includes(a)) delete strengths[a as AugName];
  }
  const augs = AUGMENTATIONS.filter((a) => strengths[a]);
  if (augs.length === 0) throw new UsageError(`${path}: key strengths: name at least one augmentation`);

  let base: StudyConfig;
  try {
    base = toConfig({
      ...study,
      aug: augs.join(","),
      data: datasets[0],
      seed: String(seeds[0]),
      methods: methods.join(","),
    });
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`sweep: ${e.message}`);
    throw e;
  }
  for (const a of augs) {
    const list = [...new Set(strengths[a]!)].sort((x, y) => x - y);
    for (const s of list) {
      try {
        checkStrength(a, s, { crop: base.cropMode });
      } catch (e) {
        const from =
          flags.strength !== undefined && String(flags.strength).includes(`${a}=`)
            ? "--strength"
            : `${path}: key strengths.${a}`;
        throw new UsageError(`${from}: ${(e as Error).message}`);
      }
    }
    strengths[a] = list;
  }
  const sortedStudy: Grid["study"] = {};
  for (const k of Object.keys(study).sort()) {
    const v = study[k];
    sortedStudy[k] = typeof v === "boolean" ? v : /^-?\d+(\.\d+)?(e-?\d+)?$/.test(v) ? Number(v) : v;
  }
  return {
    grid: {
      datasets,
      seeds: [...seeds],
      methods,
      strengths: Object.fromEntries(augs.map((a) => [a, strengths[a]!])),
      study: sortedStudy,
    },
    base,
  };
}

/** The configuration of one grid point: one dataset, seed and augmentation strength, one run. */
export function pointConfig(
  base: StudyConfig,
  dataset: string,
  seed: number,
  aug: AugName,
  strength: number,
): StudyConfig {
  return { ...base, data: dataset, seed, runs: 1, aug: [aug], strength: { [aug]: strength }, trust: false };
}
