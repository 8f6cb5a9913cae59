// Saliency-map metrics, computed in f64 with fixed summation order (index order), so every runtime
// gives the same bits. They compare two maps of n pixels, or describe one.
//
// Legend: n = pixels per map. p, q: usize (n) f32 maps, row-major (the layout does not matter to any
// metric here), already absolute-valued by the caller (|saliency|). ws: caller-owned scratch of the
// size the matching *_ws_bytes export gives, 8-byte aligned (the arena gives 64). Maps are read only.
//
// Where a metric comes from (Bylinskii et al., "What do different evaluation metrics tell us about
// saliency models?", TPAMI 2019; code: the MIT saliency benchmark, github.com/cvzoya/saliency,
// code_forMetrics/*.m): CC = CC.m, KL = KLdiv.m, SIM = similarity.m, each followed to the letter,
// including how it treats an all-zero or a constant map. Spearman and the entropies have no MIT
// counterpart; their definitions are stated where they are.
//
// Undefined cases return NaN (the caller decides what to print): a constant map has no correlation,
// a map summing to 0 has no distribution.

/** Pearson correlation of x and y, two passes in f64 (means first, then centred sums):
 *  sum dx dy / sqrt(sum dx^2 * sum dy^2). NaN if either is constant or n < 1. T = f32 (maps) or
 *  f64 (ranks). */
@inline function pearson<T>(x: usize, y: usize, n: i32): f64 {
  if (n < 1) return NaN;
  let sx: f64 = 0, sy: f64 = 0;
  for (let i = 0; i < n; i++) {
    sx += <f64>load<T>(x + (<usize>i << alignof<T>()));
    sy += <f64>load<T>(y + (<usize>i << alignof<T>()));
  }
  const mx = sx / <f64>n, my = sy / <f64>n;
  let sxy: f64 = 0, sxx: f64 = 0, syy: f64 = 0;
  for (let i = 0; i < n; i++) {
    const dx = <f64>load<T>(x + (<usize>i << alignof<T>())) - mx;
    const dy = <f64>load<T>(y + (<usize>i << alignof<T>())) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0 || syy == 0) return NaN;
  // sqrt(fl(s * s)) == s exactly in IEEE arithmetic, so x against itself (or -x) gives exactly 1 (-1).
  // No overflow: f32 inputs keep sxx * syy far inside the f64 range.
  return sxy / Math.sqrt(sxx * syy);
}

@inline function at(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

/** Sum of a map in f64, index order. */
@inline function total(p: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += at(p, i);
  return s;
}

/** MATLAB's any(map(:)): is some pixel non-zero (NaN counts as non-zero, as in MATLAB). */
@inline function anyNonZero(p: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (at(p, i) != 0) return true;
  return false;
}

/** Linear correlation coefficient (Pearson's r) of two maps, the MIT benchmark's CC.m
 *  (poster Eq. 1: CC = cov(P, Q) / (sigma_P sigma_Q)). Range [-1, 1]. NaN if either map is constant
 *  (CC.m divides by a zero std there and returns NaN too).
 *  p, q: usize (n) f32. */
export function map_cc(p: usize, q: usize, n: i32): f64 {
  return pearson<f32>(p, q, n);
}

/** KL divergence of the MIT benchmark's KLdiv.m, to the letter: both maps are normalised to sum 1
 *  (an all-zero map is left as it is), then
 *      KL = sum_i Q_i * log(eps + Q_i / (P_i + eps))        (natural log)
 *  with Q = the reference map q (KLdiv.m's fixationMap, here the baseline model's map) and P = the
 *  compared map p (KLdiv.m's saliencyMap). eps is MATLAB's eps = 2^-52 = 2.2204e-16 in the benchmark
 *  (f64 here so any value passes unrounded). A pixel with Q_i = 0 contributes 0. Not symmetric.
 *  p, q: usize (n) f32, non-negative. */
export function map_kl(p: usize, q: usize, n: i32, eps: f64): f64 {
  const sp = anyNonZero(p, n) ? total(p, n) : 1.0;
  const sq = anyNonZero(q, n) ? total(q, n) : 1.0;
  let kl: f64 = 0;
  for (let i = 0; i < n; i++) {
    const P = at(p, i) / sp;
    const Q = at(q, i) / sq;
    kl += Q * Math.log(eps + Q / (P + eps));
  }
  return kl;
}

@inline function minOf(p: usize, n: i32): f64 {
  let lo = at(p, 0);
  for (let i = 1; i < n; i++) lo = min(lo, at(p, i));
  return lo;
}

@inline function maxOf(p: usize, n: i32): f64 {
  let hi = at(p, 0);
  for (let i = 1; i < n; i++) hi = max(hi, at(p, i));
  return hi;
}

/** sum_i (p_i - lo) / range: the denominator of similarity.m's second normalisation. */
@inline function rangeSum(p: usize, n: i32, lo: f64, range: f64): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += (at(p, i) - lo) / range;
  return s;
}

/** Similarity (histogram intersection) of the MIT benchmark's similarity.m, to the letter: each map
 *  that is not all zero is first rescaled to [0, 1], (x - min) / (max - min), then normalised to sum 1;
 *      SIM = sum_i min(P_i, Q_i)
 *  1 for identical maps, 0 for disjoint ones; symmetric. A constant non-zero map has no range
 *  (0 / 0 everywhere) and gives NaN, as similarity.m; an all-zero map stays zero (SIM = 0).
 *  p, q: usize (n) f32. */
export function map_sim(p: usize, q: usize, n: i32): f64 {
  if (n < 1) return NaN;
  // An all-zero map is used as it is: lo = 0, range = 1, sum = 1 leave its values unchanged.
  const normP = anyNonZero(p, n), normQ = anyNonZero(q, n);
  const loP = normP ? minOf(p, n) : 0, rP = normP ? maxOf(p, n) - loP : 1;
  const loQ = normQ ? minOf(q, n) : 0, rQ = normQ ? maxOf(q, n) - loQ : 1;
  if (!(rP > 0) || !(rQ > 0)) return NaN; // constant non-zero map (or NaN): 0 / 0
  const sP = normP ? rangeSum(p, n, loP, rP) : 1, sQ = normQ ? rangeSum(q, n, loQ, rQ) : 1;
  let sim: f64 = 0;
  for (let i = 0; i < n; i++) {
    const P = (at(p, i) - loP) / rP / sP;
    const Q = (at(q, i) - loQ) / rQ / sQ;
    sim += P < Q ? P : Q;
  }
  return sim;
}

/** Spatial entropy of a map seen as a distribution over pixels: P = p / sum(p), then
 *  H = -sum_i P_i log P_i in nats, with 0 log 0 = 0. log n for a uniform map, 0 for a one-hot map.
 *  NaN if the map sums to 0 (no distribution). p: usize (n) f32, non-negative. */
export function map_entropy_spatial(p: usize, n: i32): f64 {
  const s = total(p, n);
  if (!(s > 0)) return NaN;
  let h: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = at(p, i);
    if (v != 0) {
      const P = v / s;
      h -= P * Math.log(P);
    }
  }
  return h;
}

/** Scratch bytes map_entropy_hist needs: one i32 count per bin. */
export function map_entropy_hist_ws_bytes(bins: i32): usize {
  return <usize>max(bins, 1) << 2;
}

/** Entropy in bits of the histogram of a map's VALUES: `bins` equal bins over [0, max(p)], the last
 *  bin closed (the maximum falls in it). Binning is numpy.histogram(p, bins, range=(0, max)) (numpy 2,
 *  on the map's values as float64) exactly: edges e_k = k * (max / bins) (e_bins = max), index
 *  floor((v / max) * bins) corrected against the edges; values outside [0, max] (negative ones) are
 *  left out, as numpy does. Then
 *  H = -sum_k c_k/N log2(c_k/N) over non-empty bins, N = number of values counted.
 *  An all-zero (or constant) map is one full bin: H = 0. NaN if a value is NaN or +inf, if bins < 1
 *  or nothing was counted. p: usize (n) f32, ws: usize (bins) i32 scratch. */
export function map_entropy_hist(p: usize, n: i32, bins: i32, ws: usize): f64 {
  if (bins < 1 || n < 1) return NaN;
  let hi: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = at(p, i);
    if (v != v || v == Infinity) return NaN;
    if (v > hi) hi = v;
  }
  memory.fill(ws, 0, <usize>bins << 2);
  const fb = <f64>bins;
  const width = hi / fb;
  let counted = 0;
  for (let i = 0; i < n; i++) {
    const v = at(p, i);
    if (v < 0) continue;
    let k = hi > 0 ? <i32>Math.floor((v / hi) * fb) : 0;
    if (k >= bins) k = bins - 1;
    // numpy's correction: the computed index must agree with the edges k * width.
    if (k > 0 && v < <f64>k * width) k--;
    else if (k < bins - 1 && v >= <f64>(k + 1) * width) k++;
    const c = ws + (<usize>k << 2);
    store<i32>(c, load<i32>(c) + 1);
    counted++;
  }
  if (counted == 0) return NaN;
  const N = <f64>counted;
  let h: f64 = 0;
  for (let k = 0; k < bins; k++) {
    const c = load<i32>(ws + (<usize>k << 2));
    if (c > 0) {
      const P = <f64>c / N;
      h -= P * Math.log2(P);
    }
  }
  return h;
}

/** Scratch bytes map_spearman needs for n pixels: two f64 rank arrays and two i32 index arrays. */
export function map_spearman_ws_bytes(n: i32): usize {
  return <usize>max(n, 1) * 24;
}

/** Stable bottom-up merge sort of the indices 0..n-1 by the f32 values at vals (ascending; equal
 *  values keep index order). Sorts between a and b; returns the one that holds the result. */
function sortIndices(vals: usize, n: i32, a: usize, b: usize): usize {
  for (let i = 0; i < n; i++) store<i32>(a + (<usize>i << 2), i);
  let src = a, dst = b;
  for (let width = 1; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n), hi = min(lo + (width << 1), n);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        const si = load<i32>(src + (<usize>i << 2)), sj = load<i32>(src + (<usize>j << 2));
        // take from the right run only when strictly smaller: stability
        if (load<f32>(vals + (<usize>sj << 2)) < load<f32>(vals + (<usize>si << 2))) {
          store<i32>(dst + (<usize>k << 2), sj);
          j++;
        } else {
          store<i32>(dst + (<usize>k << 2), si);
          i++;
        }
        k++;
      }
      for (; i < mid; i++, k++) store<i32>(dst + (<usize>k << 2), load<i32>(src + (<usize>i << 2)));
      for (; j < hi; j++, k++) store<i32>(dst + (<usize>k << 2), load<i32>(src + (<usize>j << 2)));
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/** ranks[i] = the 1-based rank of vals[i], ties sharing the average of their ranks
 *  (scipy.stats.rankdata's "average"). Returns false if a value is NaN (no order). */
function rankInto(vals: usize, n: i32, ranks: usize, a: usize, b: usize): bool {
  for (let i = 0; i < n; i++) if (at(vals, i) != at(vals, i)) return false;
  const s = sortIndices(vals, n, a, b);
  let i = 0;
  while (i < n) {
    const v = load<f32>(vals + (<usize>load<i32>(s + (<usize>i << 2)) << 2));
    let j = i + 1;
    while (j < n && load<f32>(vals + (<usize>load<i32>(s + (<usize>j << 2)) << 2)) == v) j++;
    const r = <f64>(i + 1 + j) * 0.5; // mean of ranks i+1 .. j
    for (let k = i; k < j; k++) store<f64>(ranks + (<usize>load<i32>(s + (<usize>k << 2)) << 3), r);
    i = j;
  }
  return true;
}

/** Spearman's rank correlation: Pearson's r of the ranks of p and q, ties given their average rank
 *  (as scipy.stats.spearmanr). 1 for any strictly increasing transform of a map. NaN if a map is
 *  constant (all ranks tie) or holds a NaN. Sorting is a stable merge sort in ws, O(n log n), no
 *  allocation. p, q: usize (n) f32; ws: usize, map_spearman_ws_bytes(n) bytes, 8-byte aligned. */
export function map_spearman(p: usize, q: usize, n: i32, ws: usize): f64 {
  if (n < 1) return NaN;
  const rp = ws, rq = ws + (<usize>n << 3);
  const ia = ws + (<usize>n << 4), ib = ia + (<usize>n << 2);
  if (!rankInto(p, n, rp, ia, ib) || !rankInto(q, n, rq, ia, ib)) return NaN;
  return pearson<f64>(rp, rq, n);
}
