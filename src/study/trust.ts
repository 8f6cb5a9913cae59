// The study's attribution stage beyond vanilla gradients: every chosen method's maps of the query
// images, and the three trust tables of each method and model (explain/trust/): sanity checks
// (cascading and independent randomisation, and data randomisation against the model trained on
// permuted labels), localisation on the digit, deletion/insertion, and equivariance under the five
// augmentations. Pure functions of models and images: the analysis writes what they return.
import type { Core } from "../core/load.js";
import { Model } from "../nn/model.js";
import type { ModelSpec } from "../nn/spec.js";
import type { AugName, AugOptions } from "../data/augment.js";
import type { Attribution } from "../explain/batch.js";
import { attributeMany, manyOf, type MethodName, type MethodOptions } from "../explain/methods.js";
import type { IGAttribution } from "../explain/ig.js";
import { fromGradient } from "../explain/inputxgrad.js";
import { meanSdDefined } from "../explain/metrics.js";
import {
  compareAttributions,
  sanityChecksMany,
  summarise,
  SANITY_FAIL_AT,
  type SimilaritySummary,
} from "../explain/trust/sanity.js";
import {
  localisation,
  summariseLocalisation,
  DIGIT_THRESHOLD,
  type LocalisationSummary,
} from "../explain/trust/localisation.js";
import {
  curvesMany,
  mapOrders,
  randomOrders,
  summariseCurves,
  FAITHFULNESS_DEFAULTS,
  type Curves,
  type FaithfulnessSummary,
} from "../explain/trust/faithfulness.js";
import { equivarianceMany, summariseEquivariance, type EquivarianceSummary } from "../explain/trust/equivariance.js";
import { augmentationTransforms } from "./transforms.js";

/** The query images of a study and what names their streams. */
export interface QueryImages {
  images: Float32Array;
  labels: number[];
  /** Each query's index in the test set (names its SmoothGrad noise, random order, transforms). */
  ids: number[];
  rows: number;
  cols: number;
}

export interface MethodSettings {
  seed: number;
  target: "label" | "predicted";
  score: "logit" | "softmax";
  strength: Partial<Record<AugName, number>>;
  cropMode: AugOptions["crop"];
}

/** The queries as the methods take them (ids: test-set indices). */
export function queryImages(
  images: Float32Array,
  queries: { index: number; label: number }[],
  rows: number,
  cols: number,
): QueryImages {
  return { images, labels: queries.map((x) => x.label), ids: queries.map((x) => x.index), rows, cols };
}

/** The method settings of a study configuration. */
export function methodSettings(c: {
  seed: number;
  target: "label" | "predicted";
  score: "logit" | "softmax";
  strength: Partial<Record<AugName, number>>;
  cropMode: AugOptions["crop"];
}): MethodSettings {
  return { seed: c.seed, target: c.target, score: c.score, strength: c.strength, cropMode: c.cropMode };
}

export function methodOptions(s: MethodSettings, q: QueryImages): MethodOptions {
  return { target: s.target, score: s.score, seed: s.seed, ids: q.ids };
}

/** Every method's maps of the queries under one model, and the seconds each took (the SmoothGrad
 *  family shares one pass, timed under "smoothgrad"). */
export function methodMaps(
  methods: readonly MethodName[],
  model: Model,
  q: QueryImages,
  s: MethodSettings,
): { maps: Map<MethodName, Attribution>; seconds: Record<string, number> } {
  const maps = new Map<MethodName, Attribution>();
  const seconds: Record<string, number> = {};
  const family: MethodName[] = methods.filter((m) => m === "smoothgrad" || m === "smoothgrad2" || m === "vargrad");
  const groups: MethodName[][] = [];
  for (const m of methods) {
    if (family.includes(m)) {
      if (m === family[0]) groups.push(family);
    } else {
      groups.push([m]);
    }
  }
  for (const g of groups) {
    const t0 = performance.now();
    const got =
      g[0] === "inputxgrad" && maps.has("vanilla")
        ? new Map([["inputxgrad" as MethodName, fromGradient(q.images, maps.get("vanilla")!)]])
        : attributeMany(g, model, q.images, q.labels, methodOptions(s, q));
    seconds[g[0]] = (performance.now() - t0) / 1000;
    for (const m of g) maps.set(m, got.get(m)!);
  }
  // in the registry's order, whatever the grouping
  return { maps: new Map(methods.map((m) => [m, maps.get(m)!])), seconds };
}

export interface SanityRow extends SimilaritySummary {
  method: MethodName;
  set: string;
  /** "cascading" (layers re-initialised from the top, cumulatively), "independent" (one layer),
   *  "data" (the model trained on permuted labels). */
  test: "cascading" | "independent" | "data";
  /** The layers re-initialised ("fc+conv2" etc.), or "labels" for the data test. */
  step: string;
}

export interface SanityVerdict {
  method: MethodName;
  set: string;
  /** Mean Spearman of |maps| after every layer is re-initialised. */
  finalSpearmanAbs: number;
  /** null: no verdict (defined for fewer than half of the queries). */
  fails: boolean | null;
}

export type LocalisationRow = LocalisationSummary & { method: MethodName; set: string };
export type FaithfulnessRow = FaithfulnessSummary & { method: MethodName | "random"; set: string };
export type EquivarianceRowOut = Omit<EquivarianceSummary, "name"> & { method: MethodName; set: string; aug: string };

export interface IGGapRow {
  set: string;
  /** Mean of the per-image completeness gaps, of their absolute values, and the largest |gap|. */
  gap: number;
  absGap: number;
  maxAbsGap: number;
  /** Mean |S_c(x) - S_c(0)|, the scale the gap is measured against. */
  absDelta: number;
}

/** One method's mean deletion and insertion curves under one model (report Figure D's curves): the
 *  probability of the explained class at each fraction of pixels changed, mean over the queries. */
export interface CurveRow {
  method: MethodName | "random";
  set: string;
  x: number[];
  deletion: number[];
  insertion: number[];
}

/** The mean over images of per-image curves stored (count, points), in image order (a fixed order). */
export function meanCurves(c: Curves, method: MethodName | "random", set: string): CurveRow {
  const points = c.x.length;
  const count = c.deletion.length / points;
  const mean = (a: Float32Array) =>
    Array.from({ length: points }, (_, t) => {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += a[i * points + t];
      return count ? sum / count : NaN;
    });
  return { method, set, x: Array.from(c.x), deletion: mean(c.deletion), insertion: mean(c.insertion) };
}

export interface TrustTables {
  settings: {
    sanityFailAt: number;
    sanitySeed: number;
    digitThreshold: number;
    deletionStep: number;
    insertionBlurSigma: number;
  };
  sanity: SanityRow[];
  verdicts: SanityVerdict[];
  localisation: LocalisationRow[];
  faithfulness: FaithfulnessRow[];
  equivariance: EquivarianceRowOut[];
  igGap: IGGapRow[];
  /** The mean deletion/insertion curves behind faithfulness's AUCs (added for the report's chart). */
  curves: CurveRow[];
}

export function emptyTrust(seed: number): TrustTables {
  return {
    settings: {
      sanityFailAt: SANITY_FAIL_AT,
      sanitySeed: seed,
      digitThreshold: DIGIT_THRESHOLD,
      deletionStep: FAITHFULNESS_DEFAULTS.step,
      insertionBlurSigma: FAITHFULNESS_DEFAULTS.blurSigma,
    },
    sanity: [],
    verdicts: [],
    localisation: [],
    faithfulness: [],
    equivariance: [],
    igGap: [],
    curves: [],
  };
}

/** Append one model's trust rows (maps: this model's maps of every method, from methodMaps). */
export function trustOfModel(
  core: Core,
  into: TrustTables,
  set: string,
  model: Model,
  maps: Map<MethodName, Attribution>,
  q: QueryImages,
  s: MethodSettings,
): void {
  const methods = [...maps.keys()];
  const mo = methodOptions(s, q);
  const count = q.labels.length;
  const multi = manyOf(methods);
  const original = maps as Map<string, Attribution>;
  // Sanity checks: re-initialisation from the stream (seed, RANDOMISE, layer).
  const sanity = sanityChecksMany(model, q.images, q.labels, multi, { seed: s.seed, methodOptions: mo, original });
  for (const m of methods) {
    const r = sanity.get(m)!;
    for (const st of r.cascading)
      into.sanity.push({ method: m, set, test: "cascading", step: st.layers.join("+"), ...summarise(st) });
    for (const st of r.independent)
      into.sanity.push({ method: m, set, test: "independent", step: st.layers.join("+"), ...summarise(st) });
    into.verdicts.push({ method: m, set, finalSpearmanAbs: r.finalSpearmanAbs, fails: r.fails });
  }
  // Localisation on the digit.
  for (const m of methods)
    into.localisation.push({
      method: m,
      set,
      ...summariseLocalisation(localisation(maps.get(m)!.abs, q.images, count), q.rows * q.cols),
    });
  // Deletion and insertion, and the random-order baseline (one per model): every method's curves and
  // the baseline's in one pass, so the rows they share run once (faithfulness.ts curvesMany).
  const targets = maps.get(methods[0])!.target;
  const all = curvesMany(model, q.images, targets, [
    ...methods.map((m) => mapOrders(model, q.images, maps.get(m)!.abs)),
    randomOrders(model, count, { seed: s.seed, ids: q.ids }),
  ]);
  for (const [k, m] of methods.entries()) {
    into.faithfulness.push({ method: m, set, ...summariseCurves(all[k]) });
    into.curves.push(meanCurves(all[k], m, set));
  }
  const random = all[methods.length];
  into.faithfulness.push({ method: "random", set, ...summariseCurves(random) });
  into.curves.push(meanCurves(random, "random", set));
  // Equivariance and invariance under the augmentations.
  const T = augmentationTransforms(core, q.rows, q.cols, {
    seed: s.seed,
    ids: q.ids,
    strength: s.strength,
    crop: s.cropMode,
  });
  try {
    const eq = equivarianceMany(model, q.images, q.labels, multi, T.transforms, { methodOptions: mo, original });
    for (const m of methods) {
      for (const row of summariseEquivariance(eq.get(m)!)) {
        const { name, ...rest } = row;
        into.equivariance.push({ method: m, set, aug: name, ...rest });
      }
    }
  } finally {
    T.release();
  }
  const ig = maps.get("ig") as IGAttribution | undefined;
  if (ig) {
    const gaps = Array.from(ig.gap);
    const absGaps = gaps.map(Math.abs);
    const deltas = Array.from(ig.scoreInput, (v, i) => Math.abs(v - ig.scoreBaseline[i]));
    into.igGap.push({
      set,
      gap: meanSdDefined(gaps).mean,
      absGap: meanSdDefined(absGaps).mean,
      maxAbsGap: Math.max(...absGaps),
      absDelta: meanSdDefined(deltas).mean,
    });
  }
}

/** Data randomisation (Adebayo et al. 2018, Sec. 3.2): the maps of the model trained on permuted
 *  labels against the trained model's, for the same classes explained. */
export function dataRandomisation(
  core: Core,
  into: TrustTables,
  set: string,
  maps: Map<MethodName, Attribution>,
  permuted: Model,
  q: QueryImages,
  s: MethodSettings,
): void {
  const methods = [...maps.keys()];
  const targets = maps.get(methods[0])!.target;
  const other = attributeMany(methods, permuted, q.images, targets, { ...methodOptions(s, q), target: "label" });
  for (const m of methods) {
    into.sanity.push({
      method: m,
      set,
      test: "data",
      step: "labels",
      ...summarise(compareAttributions(core, maps.get(m)!, other.get(m)!, q.labels.length, q.rows, q.cols)),
    });
  }
}

/** One model's trust job: its weights, and for Orig also the permuted-label model's (the data test). */
export interface TrustJob {
  id: string;
  set: string;
  spec: ModelSpec;
  params: Float32Array;
  permuted?: { spec: ModelSpec; params: Float32Array };
}

/** One model's job of the maps stage (./trust-stage.ts): its maps of every method and its predictions
 *  of the queries, and with `trust` its trust tables, which start from the same maps. */
export interface ModelJob extends TrustJob {
  trust: boolean;
}

export interface ModelJobResult {
  id: string;
  /** Every method's maps, in the order of the methods. */
  maps: Map<MethodName, Attribution>;
  /** Seconds per method (methodMaps). */
  seconds: Record<string, number>;
  /** The model's argmax and softmax of each query (analysis.ts's predictions table). */
  pred: number[];
  probs: Float32Array;
  tables: TrustTables | null;
}

/** Models' maps run this many rows at a time (maps do not depend on it). */
export const TRUST_BATCH = 100;

/** The argmax and the softmax of every image (n of `images`), model.capacity at a time. */
export function predictions(
  core: Core,
  model: Model,
  images: Float32Array,
  n: number,
): { pred: number[]; probs: Float32Array } {
  const C = model.classes;
  const probs = new Float32Array(n * C);
  const pred: number[] = [];
  for (let start = 0; start < n; start += model.capacity) {
    const m = Math.min(model.capacity, n - start);
    model.setInput(images.subarray(start * model.inputSize, (start + m) * model.inputSize), m);
    model.forward(m);
    core.exports.softmax_forward(model.probs, model.logits, m, C);
    const p = core.arena.f32(model.probs, m * C);
    probs.set(p, start * C);
    for (let i = 0; i < m; i++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (p[i * C + c] > p[i * C + best]) best = c;
      pred.push(best);
    }
  }
  return { pred, probs };
}

/** One model's maps, predictions and (job.trust) trust rows (on any core: the same bytes on every
 *  worker and for any thread count). */
export function runModelJob(
  core: Core,
  job: ModelJob,
  methods: readonly MethodName[],
  q: QueryImages,
  s: MethodSettings,
): ModelJobResult {
  const mark = core.arena.mark();
  try {
    const capacity = Math.max(q.labels.length, TRUST_BATCH);
    const model = new Model(core, job.spec, capacity);
    model.setParams(job.params);
    const { maps, seconds } = methodMaps(methods, model, q, s);
    const { pred, probs } = predictions(core, model, q.images, q.labels.length);
    let tables: TrustTables | null = null;
    if (job.trust) {
      tables = emptyTrust(s.seed);
      trustOfModel(core, tables, job.set, model, maps, q, s);
      if (job.permuted) {
        const p = new Model(core, job.permuted.spec, capacity);
        p.setParams(job.permuted.params);
        dataRandomisation(core, tables, job.set, maps, p, q, s);
      }
    }
    return { id: job.id, maps, seconds, pred, probs, tables };
  } finally {
    core.arena.reset(mark);
  }
}

/** The trust rows of one model (on any core: the same bytes on every worker). */
export function runTrustJob(
  core: Core,
  job: TrustJob,
  methods: readonly MethodName[],
  q: QueryImages,
  s: MethodSettings,
): TrustTables {
  return runModelJob(core, { ...job, trust: true }, methods, q, s).tables!;
}

/** The tables of several models, in the given order (not the order the jobs finished in). */
export function mergeTrust(seed: number, parts: readonly TrustTables[]): TrustTables {
  const out = emptyTrust(seed);
  for (const p of parts) {
    out.sanity.push(...p.sanity);
    out.verdicts.push(...p.verdicts);
    out.localisation.push(...p.localisation);
    out.faithfulness.push(...p.faithfulness);
    out.equivariance.push(...p.equivariance);
    out.igGap.push(...p.igGap);
    out.curves.push(...(p.curves ?? []));
  }
  // data-randomisation rows after every model's own rows, as a reader looks for them
  out.sanity.sort((a, b) => Number(a.test === "data") - Number(b.test === "data"));
  return out;
}
