// The configuration of a study: every parameter that decides results, with the defaults of the
// poster's protocol, and the validation that runs before any work or any file is touched. The one
// module the command line reads its defaults from (no flag default lives in src/cli/).
import { PRESETS, parseSpec } from "../nn/spec.js";
import { ADAM_DEFAULTS, SGD_DEFAULTS, checkOptimizer, type OptimizerConfig } from "../nn/optim.js";
import { DEFAULT_STRENGTH, checkStrength } from "../data/augment.js";
import { AUGMENTATIONS, type AugName, type SetName } from "../sets.js";

export { AUGMENTATIONS as AUG_NAMES, DEFAULT_STRENGTH, type AugName, type OptimizerConfig, type SetName };

/** The architecture presets --arch names (src/nn/spec.ts). */
export const ARCH_PRESETS: readonly string[] = Object.keys(PRESETS);

/** What --optimizer adam|sgd starts from: torch.optim.Adam's defaults; SGD with momentum 0.9. */
export const OPTIMIZER_DEFAULTS: Readonly<Record<"adam" | "sgd", OptimizerConfig>> = { adam: ADAM_DEFAULTS, sgd: SGD_DEFAULTS };

/** Parse "scaling=0.5,blur=3" (the --strength flag). */
export function parseStrength(text: string): Partial<Record<AugName, number>> {
  const out: Partial<Record<AugName, number>> = {};
  for (const part of text.split(",").map((x) => x.trim()).filter(Boolean)) {
    const m = part.match(/^([a-z]+)=(.+)$/);
    if (!m) throw new UsageError(`--strength takes name=value pairs like scaling=0.5,blur=3, got '${part}'`);
    if (!(AUGMENTATIONS as readonly string[]).includes(m[1])) throw new UsageError(`--strength: unknown augmentation '${m[1]}' (choose from ${AUGMENTATIONS.join(", ")})`);
    const v = Number(m[2]);
    if (!Number.isFinite(v) || m[2].trim() === "") throw new UsageError(`--strength: ${m[1]} must be a number, got '${m[2]}'`);
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
  /** Train a second Orig model (seed + runs) as the seed noise floor of the map metrics. */
  noiseFloor: boolean;
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
};

/** A usage error: the CLI prints its message and exits with code 2 (defined in src/node/errors.ts). */
export { UsageError } from "../node/errors.js";
import { UsageError } from "../node/errors.js";

/** Throw a UsageError naming the parameter if the configuration cannot run. */
export function validateConfig(c: StudyConfig): void {
  const int = (flag: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got ${v}`);
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
    if (!(AUG_NAMES as readonly string[]).includes(a)) throw new UsageError(`--aug: unknown augmentation '${a}' (choose from ${AUG_NAMES.join(", ")})`);
  }
  if (c.cropMode !== "pad" && c.cropMode !== "resize") throw new UsageError(`--crop-mode must be 'pad' or 'resize', got '${c.cropMode}'`);
  for (const [a, s] of Object.entries(c.strength)) {
    if (!(AUG_NAMES as readonly string[]).includes(a)) throw new UsageError(`--strength: unknown augmentation '${a}' (choose from ${AUG_NAMES.join(", ")})`);
    try {
      checkStrength(a as AugName, s, { crop: c.cropMode });
    } catch (e) {
      throw new UsageError(`--strength: ${(e as Error).message}`);
    }
  }
  if (new Set(c.aug).size !== c.aug.length) throw new UsageError(`--aug lists an augmentation twice: ${c.aug.join(",")}`);
  if (c.target !== "label" && c.target !== "predicted") throw new UsageError(`--target must be 'label' or 'predicted', got '${c.target}'`);
  if (c.score !== "logit" && c.score !== "softmax") throw new UsageError(`--score must be 'logit' or 'softmax', got '${c.score}'`);
  if (!/^(mnist|fashion|idx:.+)$/.test(c.data)) throw new UsageError(`--data must be 'mnist', 'fashion' or 'idx:DIR', got '${c.data}'`);
}

/** The sets a study trains, in display order: Orig first, then the augmentations. */
export function studySets(c: StudyConfig): SetName[] {
  return ["orig", ...c.aug];
}

/** One training job: a set trained with one seed. */
export interface Job {
  id: string;
  set: SetName;
  /** Seed of the initial weights and the data order. */
  trainSeed: number;
  /** 0..runs-1 for the study's runs; -1 for the noise-floor baseline. */
  run: number;
}

export function studyJobs(c: StudyConfig): Job[] {
  const jobs: Job[] = [];
  for (let r = 0; r < c.runs; r++) {
    for (const set of studySets(c)) jobs.push({ id: `${set}-seed${c.seed + r}`, set, trainSeed: c.seed + r, run: r });
  }
  if (c.noiseFloor) jobs.push({ id: `orig-seed${c.seed + c.runs}`, set: "orig", trainSeed: c.seed + c.runs, run: -1 });
  return jobs;
}

/** The folder a configuration writes to when --out is not given: runs/<data>-<arch>-seed<seed>. */
export function defaultRunDir(c: StudyConfig): string {
  const data = c.data.startsWith("idx:") ? "idx" : c.data;
  const arch = /^[a-z0-9]+$/.test(c.arch) ? c.arch : "custom";
  return `runs/${data}-${arch}-seed${c.seed}`;
}
