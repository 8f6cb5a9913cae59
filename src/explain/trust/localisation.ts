// Localisation on the digit: MNIST's strokes are a ground-truth mask that costs nothing. The mask of an
// image is its pixels brighter than DIGIT_THRESHOLD (of [0, 1]); the maps are |attribution|.
// - Relevance mass accuracy (Arras, Osman & Samek 2022, "CLEVR-XAI", Sec. 4.2; Quantus'
//   RelevanceMassAccuracy): the share of the map's total inside the mask, sum_{p in mask} R_p / sum_p R_p.
//   NaN for an all-zero map.
// - Relevance rank accuracy (same paper; Quantus' RelevanceRankAccuracy): with K = |mask|, the share of
//   the K highest-ranked pixels that lie in the mask (ties ranked by pixel index, first first).
// - Pointing game (Zhang et al. 2018, "Top-down Neural Attention by Excitation Backprop"; Quantus'
//   PointingGame without tolerance): a hit when a pixel of the map's maximum lies in the mask (any of
//   them when several share it, as Quantus' np.where(a == max)). Unlike Quantus, a map without any
//   positive value points nowhere and misses (Quantus would count its every pixel as the maximum).
// Summaries average over the images where a measure is defined and say how many those are.
// Pure f64 arithmetic over plain arrays (no wasm needed: sums and comparisons give the same bits
// everywhere). A map of several channels uses the mask of each channel's pixel.
import { meanSdDefined } from "../metrics.js";

/** Pixels brighter than half of full scale are the digit (MNIST's strokes are near 1, its background
 *  exactly 0; the anti-aliased rim in between is split by this threshold). */
export const DIGIT_THRESHOLD = 0.5;

export interface Localisation {
  /** Per image. */
  mass: number[];
  rank: number[];
  /** 1 for a hit, 0 for a miss. */
  pointing: number[];
  /** Pixels in each image's mask. */
  maskSize: number[];
}

export interface LocalisationSummary {
  /** Images whose map is not all zero (where mass is defined). */
  n: number;
  mass: number;
  massSd: number;
  rank: number;
  rankSd: number;
  /** Share of hits. */
  pointing: number;
  /** Share of the image inside the mask, the mass a map uniform over the image would have. */
  maskShare: number;
}

/** Localisation of `count` absolute maps on the masks of their images (both count x size). */
export function localisation(
  maps: Float32Array,
  images: Float32Array,
  count: number,
  threshold = DIGIT_THRESHOLD,
): Localisation {
  if (maps.length !== images.length)
    throw new RangeError(`localisation: ${maps.length} map values for ${images.length} image values`);
  const size = maps.length / count;
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`localisation: ${maps.length} values do not split into ${count} maps`);
  if (!(threshold >= 0 && threshold < 1))
    throw new RangeError(`localisation: threshold must be in [0, 1), got ${threshold}`);
  const out: Localisation = { mass: [], rank: [], pointing: [], maskSize: [] };
  for (let i = 0; i < count; i++) {
    const m = maps.subarray(i * size, (i + 1) * size);
    const x = images.subarray(i * size, (i + 1) * size);
    let inside = 0,
      total = 0,
      K = 0,
      max = -Infinity;
    for (let p = 0; p < size; p++) {
      if (m[p] < 0 || !Number.isFinite(m[p]))
        throw new RangeError(`localisation: map ${i} has ${m[p]} at ${p}; pass absolute maps`);
      total += m[p];
      if (x[p] > threshold) {
        inside += m[p];
        K++;
      }
      if (m[p] > max) max = m[p];
    }
    out.mass.push(total > 0 ? inside / total : NaN);
    const order = Array.from({ length: size }, (_, p) => p).sort((a, b) => m[b] - m[a] || a - b);
    let hits = 0;
    for (let r = 0; r < K; r++) if (x[order[r]] > threshold) hits++;
    out.rank.push(K > 0 ? hits / K : NaN);
    let hit = 0;
    if (max > 0) for (let p = 0; p < size; p++) if (m[p] === max && x[p] > threshold) hit = 1;
    out.pointing.push(hit);
    out.maskSize.push(K);
  }
  return out;
}

export function summariseLocalisation(l: Localisation, size: number): LocalisationSummary {
  const m = meanSdDefined(l.mass),
    r = meanSdDefined(l.rank);
  const pointing = l.pointing.reduce((a, b) => a + b, 0) / l.pointing.length;
  const maskShare = l.maskSize.reduce((a, b) => a + b, 0) / (l.maskSize.length * size);
  return { n: m.n, mass: m.mean, massSd: m.sd, rank: r.mean, rankSd: r.sd, pointing, maskShare };
}
