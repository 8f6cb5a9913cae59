// Saliency-map metrics (captum keeps its metrics in their own module; so do we). The numbers are
// computed by the wasm core in float64 (assembly/metrics.ts), so every runtime gives the same bits;
// this module checks its inputs, copies the maps into arena scratch and releases it again.
//
// Definitions follow the MIT saliency benchmark (Bylinskii et al., TPAMI 2019; github.com/cvzoya/saliency,
// code_forMetrics): CC = CC.m, KL = KLdiv.m, SIM = similarity.m. Spearman = scipy.stats.spearmanr
// (average ranks for ties). Maps are |saliency| (non-negative); `baseline` is the reference map
// (KLdiv.m's fixation map), `map` the one compared with it.
import type { Core } from "../core/load.js";

/** MATLAB's eps, 2^-52 = 2.220446049250313e-16: the KL regulariser of the MIT benchmark's KLdiv.m. */
export const MATLAB_EPS = 2 ** -52;

/** Bins of the value histogram behind `entropies(...).entropyHist`. */
export const HIST_BINS = 256;

export interface MapComparison {
  /** Pearson correlation in [-1, 1]; NaN if either map is constant. */
  cc: number;
  /** KL(baseline || map) of KLdiv.m, nats, >= 0 up to eps terms; 0 for identical maps. */
  kl: number;
  /** Histogram intersection in [0, 1]; 1 for identical maps. NaN if either map is constant but not 0. */
  sim: number;
  /** Spearman rank correlation in [-1, 1]; NaN if either map is constant. */
  spearman: number;
}

export interface MapEntropies {
  /** -sum P log P over pixels of the map normalised to sum 1, nats (log n for a uniform map). */
  entropySpatial: number;
  /** Entropy of the 256-bin histogram of the map's values over [0, max], bits (at most 8). */
  entropyHist: number;
}

function checkMap(fn: string, name: string, map: Float32Array, nonNegative: boolean): void {
  if (!(map instanceof Float32Array)) throw new TypeError(`${fn}: ${name} must be a Float32Array`);
  if (map.length === 0) throw new RangeError(`${fn}: ${name} is empty`);
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${name}[${i}] is ${v}; maps must be finite`);
    if (nonNegative && v < 0) {
      throw new RangeError(
        `${fn}: ${name}[${i}] is ${v}; pass absolute saliency maps (|gradient|), which are non-negative`,
      );
    }
  }
}

function checkPair(fn: string, map: Float32Array, baseline: Float32Array, nonNegative: boolean): void {
  checkMap(fn, "map", map, nonNegative);
  checkMap(fn, "baseline", baseline, nonNegative);
  if (map.length !== baseline.length) {
    throw new RangeError(`${fn}: map has ${map.length} pixels but baseline has ${baseline.length}`);
  }
}

/** Runs `body` with both maps copied into arena scratch, then releases the scratch. */
function withMaps<T>(core: Core, maps: Float32Array[], body: (ptrs: number[]) => T): T {
  const mark = core.arena.mark();
  try {
    return body(maps.map((m) => core.arena.putF32(m)));
  } finally {
    core.arena.reset(mark);
  }
}

/** Pearson correlation of two maps (MIT CC.m; poster Eq. 1). NaN if either is constant. */
export function mapCC(core: Core, map: Float32Array, baseline: Float32Array): number {
  checkPair("mapCC", map, baseline, false);
  return withMaps(core, [map, baseline], ([p, q]) => core.exports.map_cc(p, q, map.length));
}

/** KL divergence of the MIT benchmark's KLdiv.m: sum Q log(eps + Q / (P + eps)) with Q = baseline and
 *  P = map, each normalised to sum 1 (an all-zero map is left as is). eps defaults to MATLAB's eps. */
export function mapKL(core: Core, map: Float32Array, baseline: Float32Array, eps = MATLAB_EPS): number {
  checkPair("mapKL", map, baseline, true);
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new RangeError(`mapKL: eps must be a finite number >= 0, got ${eps}`);
  return withMaps(core, [map, baseline], ([p, q]) => core.exports.map_kl(p, q, map.length, eps));
}

/** Histogram intersection of the MIT benchmark's similarity.m (maps rescaled to [0, 1], then to sum 1). */
export function mapSIM(core: Core, map: Float32Array, baseline: Float32Array): number {
  checkPair("mapSIM", map, baseline, true);
  return withMaps(core, [map, baseline], ([p, q]) => core.exports.map_sim(p, q, map.length));
}

/** Spearman rank correlation (average ranks for ties, as scipy.stats.spearmanr). NaN if a map is constant. */
export function mapSpearman(core: Core, map: Float32Array, baseline: Float32Array): number {
  checkPair("mapSpearman", map, baseline, false);
  const n = map.length;
  return withMaps(core, [map, baseline], ([p, q]) =>
    core.exports.map_spearman(p, q, n, core.arena.alloc(core.exports.map_spearman_ws_bytes(n))),
  );
}

/** Spatial entropy in nats of the map normalised to sum 1 (0 log 0 = 0). NaN for an all-zero map. */
export function entropySpatial(core: Core, map: Float32Array): number {
  checkMap("entropySpatial", "map", map, true);
  return withMaps(core, [map], ([p]) => core.exports.map_entropy_spatial(p, map.length));
}

/** Entropy in bits of the histogram of the map's values, `bins` equal bins over [0, max] (the maximum in
 *  the last bin; numpy.histogram(map, bins, range=(0, max)) binning). 0 for a constant map. */
export function entropyHist(core: Core, map: Float32Array, bins = HIST_BINS): number {
  checkMap("entropyHist", "map", map, true);
  if (!Number.isInteger(bins) || bins < 1 || bins > 1 << 24)
    throw new RangeError(`entropyHist: bins must be an integer in [1, 2^24], got ${bins}`);
  return withMaps(core, [map], ([p]) =>
    core.exports.map_entropy_hist(p, map.length, bins, core.arena.alloc(core.exports.map_entropy_hist_ws_bytes(bins))),
  );
}

/** CC, KL, SIM and Spearman of `map` against `baseline` (the reference map: KL's Q), both |saliency|. */
export function compareMaps(core: Core, map: Float32Array, baseline: Float32Array): MapComparison {
  checkPair("compareMaps", map, baseline, true);
  const n = map.length;
  const ex = core.exports;
  return withMaps(core, [map, baseline], ([p, q]) => ({
    cc: ex.map_cc(p, q, n),
    kl: ex.map_kl(p, q, n, MATLAB_EPS),
    sim: ex.map_sim(p, q, n),
    spearman: ex.map_spearman(p, q, n, core.arena.alloc(ex.map_spearman_ws_bytes(n))),
  }));
}

/** Spatial entropy (nats) and 256-bin value-histogram entropy (bits) of one |saliency| map. */
export function entropies(core: Core, map: Float32Array): MapEntropies {
  checkMap("entropies", "map", map, true);
  const n = map.length;
  const ex = core.exports;
  return withMaps(core, [map], ([p]) => ({
    entropySpatial: ex.map_entropy_spatial(p, n),
    entropyHist: ex.map_entropy_hist(p, n, HIST_BINS, core.arena.alloc(ex.map_entropy_hist_ws_bytes(HIST_BINS))),
  }));
}

/** Mean and SAMPLE standard deviation (divisor n - 1, as numpy.std(ddof=1), pandas and R's sd) of a
 *  list. Summed in order in float64. sd is NaN for fewer than two values (undefined), mean NaN for
 *  none; a NaN among the values (e.g. CC of a constant map) propagates to both. */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  let s = 0;
  for (const v of values) s += v;
  const mean = s / n;
  if (n < 2) return { mean, sd: NaN };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}

/** SSIM's constants (Wang et al. 2004, "Image quality assessment: from error visibility to structural
 *  similarity"), skimage.metrics.structural_similarity's defaults. */
export const SSIM = { window: 7, k1: 0.01, k2: 0.03 } as const;

/**
 * Mean structural similarity of two maps of rows x cols, as skimage.metrics.structural_similarity(a, b,
 * data_range=1) with its defaults (7 x 7 uniform window, K1 = 0.01, K2 = 0.03, sample covariances
 * with divisor 48, the mean over the pixels at least 3 from the border, whose windows need no
 * padding). Each map is first rescaled to [0, 1] by its own min and max (a constant map becomes all
 * 0), as Adebayo et al. 2018 compare normalised maps. Plain f64 arithmetic (+ - * / only, in a fixed
 * order), so every runtime gives the same bits without the wasm core.
 */
export function mapSSIM(a: Float32Array, b: Float32Array, rows: number, cols: number): number {
  checkPair("mapSSIM", a, b, false);
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows * cols !== a.length) {
    throw new RangeError(`mapSSIM: ${rows} x ${cols} does not match maps of ${a.length} pixels`);
  }
  const win = SSIM.window;
  if (rows < win || cols < win) {
    throw new RangeError(`mapSSIM: maps must be at least ${win} x ${win}, got ${rows} x ${cols}`);
  }
  const unit = (m: Float32Array) => {
    let lo = Infinity,
      hi = -Infinity;
    for (const v of m) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const out = new Float64Array(m.length);
    if (hi > lo) for (let i = 0; i < m.length; i++) out[i] = (m[i] - lo) / (hi - lo);
    return out;
  };
  const x = unit(a),
    y = unit(b);
  const np = win * win;
  const covNorm = np / (np - 1);
  const c1 = (SSIM.k1 * 1) ** 2,
    c2 = (SSIM.k2 * 1) ** 2;
  const r = (win - 1) / 2;
  let total = 0,
    count = 0;
  for (let i = r; i < rows - r; i++) {
    for (let j = r; j < cols - r; j++) {
      let sx = 0,
        sy = 0,
        sxx = 0,
        syy = 0,
        sxy = 0;
      for (let di = -r; di <= r; di++) {
        for (let dj = -r; dj <= r; dj++) {
          const p = (i + di) * cols + (j + dj);
          sx += x[p];
          sy += y[p];
          sxx += x[p] * x[p];
          syy += y[p] * y[p];
          sxy += x[p] * y[p];
        }
      }
      const ux = sx / np,
        uy = sy / np;
      const vx = covNorm * (sxx / np - ux * ux);
      const vy = covNorm * (syy / np - uy * uy);
      const vxy = covNorm * (sxy / np - ux * uy);
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}

/** The elements of `map` where `keep` is non-zero, in order (to compare maps over a region). */
export function maskedValues(map: Float32Array, keep: ArrayLike<number>): Float32Array {
  if (keep.length !== map.length) {
    throw new RangeError(`maskedValues: mask has ${keep.length} elements, the map ${map.length}`);
  }
  let n = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) n++;
  const out = new Float32Array(n);
  for (let i = 0, k = 0; i < keep.length; i++) if (keep[i]) out[k++] = map[i];
  return out;
}

/** meanSd over the finite values only, and how many there were: for the trust tables, where a measure
 *  is undefined for some images (e.g. the correlation of an all-zero Grad-CAM map). */
export function meanSdDefined(values: readonly number[]): { mean: number; sd: number; n: number } {
  const ok = values.filter((v) => Number.isFinite(v));
  return { ...meanSd(ok), n: ok.length };
}
