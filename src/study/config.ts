// The configuration of a study: every parameter that decides results, with the defaults of the
// poster's protocol, and the validation that runs before any work or any file is touched. The one
// module the command line reads its defaults from (no flag default lives in src/cli/).
import { PRESETS, parseSpec } from "../nn/spec.js";
import { ADAM_DEFAULTS, SGD_DEFAULTS, checkOptimizer, type OptimizerConfig } from "../nn/optim.js";
import { DEFAULT_STRENGTH, checkStrength } from "../data/augment.js";
import { AUGMENTATIONS, AUG_IDS, type AugName, type SetName } from "../sets.js";
import { Variant } from "../core/streams.js";
import { DEFAULT_METHODS, METHODS, isMethod, parseMethods, type MethodName } from "../explain/methods.js";

export { METHODS, parseMethods, type MethodName };

export { AUGMENTATIONS as AUG_NAMES, DEFAULT_STRENGTH, type AugName, type OptimizerConfig, type SetName };

/** The architecture presets --arch names (src/nn/spec.ts). */
export const ARCH_PRESETS: readonly string[] = Object.keys(PRESETS);

/** What --optimizer adam|sgd starts from: torch.optim.Adam's defaults; SGD with momentum 0.9. */
export const OPTIMIZER_DEFAULTS: Readonly<Record<"adam" | "sgd", OptimizerConfig>> = {
  adam: ADAM_DEFAULTS,
  sgd: SGD_DEFAULTS,
};

/** Parse "scaling=0.5,blur=3" (the --strength flag). */
export function parseStrength(text: string): Partial<Record<AugName, number>> {
  const out: Partial<Record<AugName, number>> = {};
  for (const part of text
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = part.match(/^([a-z]+)=(.+)$/);
    if (!m) throw new UsageError(`--strength takes name=value pairs like scaling=0.5,blur=3, got '${part}'`);
    if (!(AUGMENTATIONS as readonly string[]).includes(m[1]))
      throw new UsageError(`--strength: unknown augmentation '${m[1]}' (choose from ${AUGMENTATIONS.join(", ")})`);
    const v = Number(m[2]);
    if (!Number.isFinite(v) || m[2].trim() === "")
      throw new UsageError(`--strength: ${m[1]} must be a number, got '${m[2]}'`);
    out[m[1] as AugName] = v;
  }
  return out;
}
const AUG_NAMES = AUGMENTATIONS;

export interface StudyConfig {
  /** "mnist" (bundled), "fashion" (Debian's dataset-fashion-mnist) or "idx:DIR". */
  data: string;
  seed: number;
  /** Training runs per set: run r trains with seed + r (initial weights and data order). */
  runs: number;
  epochs: number;
  steps: number;
  /** Images per step; 0 = set size / steps. */
  batch: number;
  optimizer: OptimizerConfig;
  arch: string;
  aug: AugName[];
  copies: number;
  /** Strength of each augmentation where it is not the default (src/data/augment.ts DEFAULT_STRENGTH):
   *  scaling s (zoom 1 ± s), crop padding (or the smallest area fraction with cropMode "resize"),
   *  erasing's largest area fraction, distortion's alpha (px), blur's largest sigma (px). */
  strength: Partial<Record<AugName, number>>;
  /** "pad" (RandomCrop with zero padding, the default) or "resize" (RandomResizedCrop-like). */
  cropMode: "pad" | "resize";
  trainPerClass: number;
  valPerClass: number;
  /** Query images per class, from the test split. */
  queries: number;
  target: "label" | "predicted";
  score: "logit" | "softmax";
  /** Train the two noise floors of every run: Orig again with its initial weights and another data
   *  order ("reorder"), and with new initial weights and data order ("retrain"). */
  noiseFloor: boolean;
  /** Train the matched-size control of every run: the originals repeated to the augmented sets' size
   *  with the identity transform, trained exactly like an augmented set ("repeat"). */
  repeat: boolean;
  /** "shared" (default, the paired design): every model of a run starts from Orig's initial weights
   *  and the reorder floor is the matching control; "independent": every set has its own initial
   *  weights and data order and the retrain floor is the matching control. */
  init: "shared" | "independent";
  /** Attribution methods of the analysis (src/explain/methods.ts), in the registry's order; vanilla
   *  always runs (Tables 2 and 3 use it). */
  methods: MethodName[];
  /** The trust tables (sanity checks, localisation, deletion/insertion, equivariance) for every method
   *  and model of the first run, and the Orig model trained on permuted labels they need. */
  trust: boolean;
}

export const DEFAULT_CONFIG: StudyConfig = {
  data: "mnist",
  seed: 0,
  runs: 1,
  epochs: 30,
  steps: 10,
  batch: 0,
  optimizer: { kind: "adam", lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
  arch: "tutorial",
  aug: [...AUG_NAMES],
  copies: 10,
  strength: {},
  cropMode: "pad",
  trainPerClass: 10,
  valPerClass: 100,
  queries: 1,
  target: "label",
  score: "logit",
  noiseFloor: true,
  repeat: true,
  init: "shared",
  methods: [...DEFAULT_METHODS],
  trust: true,
};

/** The attribution methods the analysis knows (src/explain/methods.ts's registry). */
export const METHOD_NAMES = METHODS;

/** A usage error: the CLI prints its message and exits with code 2 (defined in src/node/errors.ts). */
export { UsageError } from "../node/errors.js";
import { UsageError } from "../node/errors.js";

/** Throw a UsageError naming the parameter if the configuration cannot run. */
export function validateConfig(c: StudyConfig): void {
  const int = (flag: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got ${v}`);
  };
  int("seed", c.seed, 0, 2 ** 32 - 1 - 1000);
  int("runs", c.runs, 1, 100);
  int("epochs", c.epochs, 1, 100000);
  int("steps", c.steps, 1, 100000);
  int("batch", c.batch, 0, 100000);
  int("copies", c.copies, 0, 1000);
  int("train-per-class", c.trainPerClass, 1, 5000);
  int("val-per-class", c.valPerClass, 1, 5000);
  int("queries", c.queries, 1, 1000);
  try {
    checkOptimizer(c.optimizer);
  } catch (e) {
    const m = (e as Error).message.replace(/^optimizer: lr/, "--lr");
    throw new UsageError(m);
  }
  if (!PRESETS[c.arch]) {
    try {
      parseSpec(c.arch);
    } catch (e) {
      throw new UsageError(`--arch: ${(e as Error).message}`);
    }
  }
  for (const a of c.aug) {
    if (!(AUG_NAMES as readonly string[]).includes(a))
      throw new UsageError(`--aug: unknown augmentation '${a}' (choose from ${AUG_NAMES.join(", ")})`);
  }
  if (c.cropMode !== "pad" && c.cropMode !== "resize")
    throw new UsageError(`--crop-mode must be 'pad' or 'resize', got '${c.cropMode}'`);
  for (const [a, s] of Object.entries(c.strength)) {
    if (!(AUG_NAMES as readonly string[]).includes(a))
      throw new UsageError(`--strength: unknown augmentation '${a}' (choose from ${AUG_NAMES.join(", ")})`);
    try {
      checkStrength(a as AugName, s, { crop: c.cropMode });
    } catch (e) {
      throw new UsageError(`--strength: ${(e as Error).message}`);
    }
  }
  if (new Set(c.aug).size !== c.aug.length)
    throw new UsageError(`--aug lists an augmentation twice: ${c.aug.join(",")}`);
  if (c.target !== "label" && c.target !== "predicted")
    throw new UsageError(`--target must be 'label' or 'predicted', got '${c.target}'`);
  if (c.score !== "logit" && c.score !== "softmax")
    throw new UsageError(`--score must be 'logit' or 'softmax', got '${c.score}'`);
  if (c.init !== "shared" && c.init !== "independent") {
    throw new UsageError(`--init must be 'shared' or 'independent', got '${c.init}'`);
  }
  if (!Array.isArray(c.methods) || !c.methods.includes("vanilla")) {
    throw new UsageError("methods: the list must include vanilla (the main tables use it)");
  }
  for (const m of c.methods) {
    if (!isMethod(m))
      throw new UsageError(`--methods: unknown method '${m}' (choose from ${METHODS.join(", ")}, or all)`);
  }
  if (new Set(c.methods).size !== c.methods.length) {
    throw new UsageError(`--methods lists a method twice: ${c.methods.join(",")}`);
  }
  if (!/^(mnist|fashion|idx:.+)$/.test(c.data))
    throw new UsageError(`--data must be 'mnist', 'fashion' or 'idx:DIR', got '${c.data}'`);
}

/** The sets a study trains, in display order: Orig first, then the augmentations. */
export function studySets(c: StudyConfig): SetName[] {
  return ["orig", ...c.aug];
}

/** The models of one run: the sets, the matched-size control and the two noise floors. */
export type ModelName = SetName | "repeat" | "reorder" | "retrain";

/** Stream id of the Repeat control beside AUG_IDS (its own initial weights under --init independent). */
export const REPEAT_ID = 15;

/** One training job: one model of one run. */
export interface Job {
  id: string;
  /** Which model: a set, "repeat", or a floor ("reorder", "retrain"). */
  model: ModelName;
  /** The training data: a set, or "repeat" (the originals repeated to an augmented set's size). */
  set: SetName | "repeat";
  /** Seed of the initial weights and the data order (the run's seed). */
  trainSeed: number;
  /** 0..runs-1; -1 for the permuted-label model (not a model of a run). */
  run: number;
  /** Variants of the INIT and SHUFFLE streams (src/core/streams.ts Variant). */
  initVariant: number;
  orderVariant: number;
  /** Train on the training labels permuted (the data-randomisation sanity check, Adebayo et al. 2018). */
  permuteLabels?: boolean;
}

/** The trained models of a run in display order: Orig, Repeat, the augmentations, then the floors. */
export function studyModels(c: StudyConfig): ModelName[] {
  const repeat = c.repeat ? (["repeat"] as const) : [];
  const floors = c.noiseFloor ? (["reorder", "retrain"] as const) : [];
  return ["orig", ...repeat, ...c.aug, ...floors];
}

/** The floor tests compare with: the one that matches the initialisation design. */
export function primaryFloor(c: StudyConfig): "reorder" | "retrain" {
  return c.init === "shared" ? "reorder" : "retrain";
}

export function studyJobs(c: StudyConfig): Job[] {
  const jobs: Job[] = [];
  for (let r = 0; r < c.runs; r++) {
    const seed = c.seed + r;
    for (const model of studyModels(c)) {
      const set = model === "reorder" || model === "retrain" ? "orig" : model;
      // Orig and (under shared initialisation) every set: the run's initial weights and data order
      let initVariant: number = Variant.SHARED;
      let orderVariant: number = Variant.SHARED;
      if (model === "reorder") orderVariant = Variant.FLOOR;
      else if (model === "retrain") initVariant = orderVariant = Variant.FLOOR;
      else if (c.init === "independent" && model !== "orig") {
        initVariant = orderVariant = Variant.SET_BASE + (model === "repeat" ? REPEAT_ID : AUG_IDS[model]);
      }
      jobs.push({ id: `${model}-seed${seed}`, model, set, trainSeed: seed, run: r, initVariant, orderVariant });
    }
  }
  // Orig's protocol and initial weights on permuted labels: the data-randomisation test's model.
  if (c.trust) {
    const permuted = { model: "orig" as const, set: "orig" as const, trainSeed: c.seed, run: -1, permuteLabels: true };
    jobs.push({
      id: `orig-permuted-seed${c.seed}`,
      ...permuted,
      initVariant: Variant.SHARED,
      orderVariant: Variant.SHARED,
    });
  }
  return jobs;
}

/** The folder a configuration writes to when --out is not given: runs/<data>-<arch>-seed<seed>. */
export function defaultRunDir(c: StudyConfig): string {
  const data = c.data.startsWith("idx:") ? "idx" : c.data;
  const arch = /^[a-z0-9]+$/.test(c.arch) ? c.arch : "custom";
  return `runs/${data}-${arch}-seed${c.seed}`;
}
