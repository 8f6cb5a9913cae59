import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore, randomF32, snap, type Core } from "../helpers.js";

const EPS = 2 ** -52; // MATLAB's eps

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (|diff| ${Math.abs(actual - expected)} > ${tol})`);
}

/** Calls a metric kernel on maps copied into fresh arena memory (and scratch of `wsBytes`). */
function call(core: Core, maps: ArrayLike<number>[], f: (ptrs: number[], ws: number) => number, wsBytes = 0): number {
  const m = core.arena.mark();
  const ptrs = maps.map((x) => core.arena.putF32(x));
  const ws = core.arena.alloc(wsBytes);
  const r = f(ptrs, ws);
  core.arena.reset(m);
  return r;
}

const cc = (core: Core, p: ArrayLike<number>, q: ArrayLike<number>) => call(core, [p, q], ([a, b]) => core.exports.map_cc(a, b, p.length));
const kl = (core: Core, p: ArrayLike<number>, q: ArrayLike<number>, eps = EPS) => call(core, [p, q], ([a, b]) => core.exports.map_kl(a, b, p.length, eps));
const sim = (core: Core, p: ArrayLike<number>, q: ArrayLike<number>) => call(core, [p, q], ([a, b]) => core.exports.map_sim(a, b, p.length));
const hs = (core: Core, p: ArrayLike<number>) => call(core, [p], ([a]) => core.exports.map_entropy_spatial(a, p.length));
const hh = (core: Core, p: ArrayLike<number>, bins: number) =>
  call(core, [p], ([a], ws) => core.exports.map_entropy_hist(a, p.length, bins, ws), core.exports.map_entropy_hist_ws_bytes(bins));
const sp = (core: Core, p: ArrayLike<number>, q: ArrayLike<number>) =>
  call(core, [p, q], ([a, b], ws) => core.exports.map_spearman(a, b, p.length, ws), core.exports.map_spearman_ws_bytes(p.length));

// Two 784-pixel maps with many exact ties (k/16 and k/8 are exact in f32), and reference values from
// numpy 2.4 / scipy 1.17 (np.corrcoef; KLdiv.m and similarity.m transcribed to numpy; scipy.stats.
// spearmanr; scipy.stats.entropy; np.histogram(m, 256, range=(0, m.max())) + entropy(base=2)):
//   i = np.arange(784); a = ((37i + 11) % 101) / 16; b = (((37i + 11) % 101) + ((53i + 7) % 89)) / 8
const N784 = 784;
const A = Float32Array.from({ length: N784 }, (_, i) => ((i * 37 + 11) % 101) / 16);
const B = Float32Array.from({ length: N784 }, (_, i) => (((i * 37 + 11) % 101) + ((i * 53 + 7) % 89)) / 8);
const REF = {
  cc: 0.7485059610906671,
  klAvsB: 0.234670654846823, // KLdiv(saliencyMap = a, fixationMap = b)
  klBvsA: 0.09401249889084204,
  sim: 0.8420183028724895,
  spearman: 0.7469543151029718,
  entropySpatialA: 6.466223202605392,
  entropyHistA: 6.655990932245721,
  entropyHistB: 6.953669084329006,
};

const c = suite("assembly/metrics map_cc");

c("a hand-worked example: r = 11 / sqrt(130)", () => {
  // p - 2.5 = [-1.5, -0.5, 0.5, 1.5], q - 5 = [-3, -1, 0, 4]: sxy = 11, sxx = 5, syy = 26
  close(cc(freshCore(), [1, 2, 3, 4], [2, 4, 5, 9]), 11 / Math.sqrt(130), 1e-15, "cc");
});

c("CC(P, aP + b) = 1 for a > 0, -1 for a < 0; symmetric", () => {
  const core = freshCore();
  const n = 1001;
  const p = Float32Array.from(snap(core, randomF32(core, n, 3, 0, 1), n), (v) => Math.round(v * 1024) / 1024);
  const lin = (a: number, b: number) => p.map((v) => a * v + b); // exact in f32: multiples of 2^-10 times 2^k
  close(cc(core, p, lin(2, 0.5)), 1, 1e-15, "a = 2");
  close(cc(core, p, lin(0.25, 3)), 1, 1e-15, "a = 0.25");
  close(cc(core, p, lin(-4, 1)), -1, 1e-15, "a = -4");
  const q = snap(core, randomF32(core, n, 4, 0, 1), n);
  assert.is(cc(core, p, q), cc(core, q, p));
});

c("a constant map gives NaN (no variance), as CC.m", () => {
  const core = freshCore();
  assert.ok(Number.isNaN(cc(core, [3, 3, 3, 3], [1, 2, 3, 4])));
  assert.ok(Number.isNaN(cc(core, [1, 2, 3, 4], [0, 0, 0, 0])));
});

c("agrees with numpy's corrcoef on 784-pixel maps", () => {
  close(cc(freshCore(), A, B), REF.cc, 1e-14, "cc");
});

c.run();

const k = suite("assembly/metrics map_kl");

k("a hand-worked example: P = [1/2, 1/2], Q = [1/4, 3/4]", () => {
  const core = freshCore();
  // eps = 0: KL = 1/4 log(1/2) + 3/4 log(3/2), the textbook KL(Q || P); unnormalised maps are normalised.
  close(kl(core, [5, 5], [1, 3], 0), 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), 1e-16, "eps = 0");
  // with MATLAB's eps, term by term
  const want = 0.25 * Math.log(EPS + 0.25 / (0.5 + EPS)) + 0.75 * Math.log(EPS + 0.75 / (0.5 + EPS));
  close(kl(core, [5, 5], [1, 3]), want, 1e-16, "eps = 2^-52");
});

k("KL(P, P) equals its closed form sum Q log(eps + Q / (eps + Q)) (not exactly 0)", () => {
  const core = freshCore();
  const n = 784;
  const p = snap(core, randomF32(core, n, 8, 0, 1), n);
  let s = 0;
  for (const v of p) s += v;
  for (const eps of [EPS, 1e-6, 0.1]) {
    let want = 0;
    for (const v of p) {
      const Q = v / s;
      want += Q * Math.log(eps + Q / (eps + Q));
    }
    close(kl(core, p, p, eps), want, 1e-15 + 1e-13 * Math.abs(want), `eps ${eps}`);
  }
  close(kl(core, p, p, 0), 0, 1e-15, "eps = 0 gives 0");
});

k("Q is the reference map: pixels where Q = 0 contribute 0; an all-zero map is left unnormalised", () => {
  const core = freshCore();
  // Q = [0, 1]: only the second pixel counts; P = [1/2, 1/2] -> log(eps + 1 / (1/2 + eps))
  close(kl(core, [1, 1], [0, 7]), Math.log(EPS + 1 / (0.5 + EPS)), 1e-15, "Q = 0 pixel");
  // an all-zero P stays zero (KLdiv.m's `if any(map1(:))`): sum Q log(eps + Q / eps)
  const want = 0.25 * Math.log(EPS + 0.25 / EPS) + 0.75 * Math.log(EPS + 0.75 / EPS);
  close(kl(core, [0, 0], [1, 3]), want, 1e-13, "zero P");
  assert.is(kl(core, [1, 3], [0, 0]), 0); // zero Q: nothing to lose
});

k("agrees with KLdiv.m transcribed to numpy, in both directions", () => {
  const core = freshCore();
  close(kl(core, A, B), REF.klAvsB, 1e-14, "KL(a vs baseline b)");
  close(kl(core, B, A), REF.klBvsA, 1e-14, "KL(b vs baseline a)");
});

k.run();

const s = suite("assembly/metrics map_sim");

s("a hand-worked example with similarity.m's [0, 1] rescaling", () => {
  // [0,1,2,3] -> [0, 1/3, 2/3, 1] -> /2 -> [0, 1/6, 1/3, 1/2]; [3,2,1,0] -> [1/2, 1/3, 1/6, 0]
  // min = [0, 1/6, 1/6, 0]: SIM = 1/3. Shifting a map by a constant changes nothing (the min is removed).
  const core = freshCore();
  close(sim(core, [0, 1, 2, 3], [3, 2, 1, 0]), 1 / 3, 1e-15, "sim");
  close(sim(core, [10, 11, 12, 13], [3, 2, 1, 0]), 1 / 3, 1e-15, "shifted");
});

s("SIM(P, P) = 1, symmetric, disjoint maps give 0", () => {
  const core = freshCore();
  const n = 784;
  const p = snap(core, randomF32(core, n, 12, 0, 1), n);
  const q = snap(core, randomF32(core, n, 13, 0, 1), n);
  close(sim(core, p, p), 1, 1e-13, "SIM(P, P)");
  assert.is(sim(core, p, q), sim(core, q, p));
  assert.is(sim(core, [0, 0, 1, 2], [3, 1, 0, 0]), 0);
});

s("a constant non-zero map gives NaN (0/0 in the rescaling); an all-zero map gives 0", () => {
  const core = freshCore();
  assert.ok(Number.isNaN(sim(core, [2, 2, 2], [1, 2, 3])));
  assert.ok(Number.isNaN(sim(core, [1, 2, 3], [5, 5, 5])));
  assert.is(sim(core, [0, 0, 0], [1, 2, 3]), 0);
});

s("agrees with similarity.m transcribed to numpy", () => {
  close(sim(freshCore(), A, B), REF.sim, 1e-14, "sim");
});

s.run();

const e = suite("assembly/metrics entropies");

e("spatial entropy: log 784 for a uniform map, 0 for one-hot, 1.5 log 2 for [1, 1, 2]", () => {
  const core = freshCore();
  close(hs(core, new Float32Array(784).fill(0.3)), Math.log(784), 1e-13, "uniform");
  const onehot = new Float32Array(784);
  onehot[300] = 5;
  assert.is(hs(core, onehot), 0);
  close(hs(core, [1, 1, 2]), 1.5 * Math.log(2), 1e-15, "[1,1,2]");
  close(hs(core, [0, 1, 0, 1]), Math.log(2), 1e-15, "zeros count 0 log 0 = 0");
  assert.ok(Number.isNaN(hs(core, [0, 0, 0])), "an all-zero map has no distribution");
  close(hs(core, A), REF.entropySpatialA, 1e-13, "scipy.stats.entropy");
});

e("histogram entropy (bits) of known arrays", () => {
  const core = freshCore();
  // bins of width 1 over [0, 4]: 0 | 1 | 2 | 3, 4 -> counts 1, 1, 1, 2 (the max in the last bin)
  close(hh(core, [0, 1, 2, 3, 4], 4), -(3 * 0.2 * Math.log2(0.2) + 0.4 * Math.log2(0.4)), 1e-15, "[0..4], 4 bins");
  // 256 distinct levels 0..255 in 256 bins over [0, 255]: one per bin, 8 bits
  close(hh(core, Float32Array.from({ length: 256 }, (_, i) => i), 256), 8, 1e-13, "256 levels");
  // two values, half and half: 1 bit, whatever the number of bins
  for (const bins of [2, 7, 256]) close(hh(core, [0, 9, 0, 9, 9, 0], bins), 1, 1e-15, `two values, ${bins} bins`);
  // constant and all-zero maps fill one bin: 0 bits
  assert.is(hh(core, [5, 5, 5], 256), 0);
  assert.is(hh(core, [0, 0, 0, 0], 256), 0);
  // a value on an edge k * max / bins belongs to bin k: 0, 1/8, ..., 1 in 8 bins -> one each, and 7/8
  // shares the last bin with the maximum
  const edges = Float32Array.from({ length: 9 }, (_, i) => i / 8);
  close(hh(core, edges, 8), -(7 * (1 / 9) * Math.log2(1 / 9) + (2 / 9) * Math.log2(2 / 9)), 1e-14, "edges");
});

e("histogram entropy follows numpy's edge correction where floor((v / max) * bins) is off by one", () => {
  const core = freshCore();
  // Found by searching f32 values next to numpy's edges (np.linspace(0, max, bins + 1)). In each map
  // [0, v, u, max], u sits mid-bin in the bin numpy gives v, so the right answer is 1.5 bits (bins
  // {0: 1, k: 2, last: 1}) and the uncorrected floor would give 2 bits (four singletons).
  //   bins 28, max 978.7623901367188: floor gives v = 489.3811950683594 bin 14, its edges say 13
  //   bins 299, max 846.63134765625: floor gives v = 631.43408203125 bin 222, its edges say 223
  close(hh(core, [0, 489.3811950683594, 471.9032897949219, 978.7623901367188], 28), 1.5, 1e-15, "decrement");
  close(hh(core, [0, 631.43408203125, 632.849853515625, 846.63134765625], 299), 1.5, 1e-15, "increment");
});

e("histogram entropy agrees with numpy.histogram + scipy.stats.entropy(base=2)", () => {
  const core = freshCore();
  close(hh(core, A, 256), REF.entropyHistA, 1e-13, "a");
  close(hh(core, B, 256), REF.entropyHistB, 1e-13, "b");
});

e("histogram entropy: NaN for a NaN value or bins < 1; negative values are left out (as numpy)", () => {
  const core = freshCore();
  assert.ok(Number.isNaN(hh(core, [1, NaN, 2], 4)));
  assert.ok(Number.isNaN(hh(core, [1, 2], 0)));
  close(hh(core, [-1, 0, 4, -3], 2), 1, 1e-15, "negatives dropped");
});

e.run();

const r = suite("assembly/metrics map_spearman");

r("a worked example with ties: average ranks, then Pearson", () => {
  // x = [1, 2, 2, 3, 5] -> ranks [1, 2.5, 2.5, 4, 5]; y = [2, 1, 4, 4, 6] -> ranks [2, 1, 3.5, 3.5, 5]
  // centred (mean 3): [-2, -.5, -.5, 1, 2] and [-1, -2, .5, .5, 2]: sxy = 7.25, sxx = syy = 9.5
  // rho = 7.25 / 9.5 = 0.763157894736842 (scipy.stats.spearmanr gives the same)
  close(sp(freshCore(), [1, 2, 2, 3, 5], [2, 1, 4, 4, 6]), 7.25 / 9.5, 1e-15, "rho");
});

r("1 for a strictly increasing transform, -1 for a decreasing one", () => {
  const core = freshCore();
  const n = 784;
  const p = snap(core, randomF32(core, n, 21, 0, 1), n);
  // exp(3p) and 1 / (1 + p) are strictly monotone on [0, 1], and their slopes (>= 1/4) keep the
  // 784 distinct p distinct after rounding to f32 (checked below).
  const up = p.map((v) => Math.exp(3 * v)), down = p.map((v) => 1 / (1 + v));
  assert.is(new Set(p).size, n);
  assert.is(new Set(up).size, n);
  assert.is(new Set(down).size, n);
  assert.is(sp(core, p, up), 1);
  assert.is(sp(core, p, down), -1);
});

r("ranks with ties match a plain JavaScript ranking on many sizes (merge sort on odd lengths)", () => {
  const core = freshCore();
  const rank = (x: Float32Array) => {
    const o = Array.from(x.keys()).sort((i, j) => x[i] - x[j] || i - j);
    const rk = new Array<number>(x.length);
    for (let i = 0; i < o.length; ) {
      let j = i + 1;
      while (j < o.length && x[o[j]] === x[o[i]]) j++;
      for (let t = i; t < j; t++) rk[o[t]] = (i + 1 + j) / 2;
      i = j;
    }
    return rk;
  };
  const pearson = (x: number[], y: number[]) => {
    const mx = x.reduce((a, b) => a + b) / x.length, my = y.reduce((a, b) => a + b) / y.length;
    let sxy = 0, sxx = 0, syy = 0;
    x.forEach((v, i) => { sxy += (v - mx) * (y[i] - my); sxx += (v - mx) ** 2; syy += (y[i] - my) ** 2; });
    return sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
  };
  for (const n of [2, 3, 5, 8, 13, 31, 64, 100, 257, 784, 1000]) {
    const p = snap(core, randomF32(core, n, 1000 + n, 0, 1), n).map((v) => Math.round(v * 20) / 20);
    const q = snap(core, randomF32(core, n, 2000 + n, 0, 1), n).map((v) => Math.round(v * 7) / 7);
    const want = pearson(rank(p), rank(q)), got = sp(core, p, q);
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `n=${n}: a constant map must give NaN, got ${got}`);
    else close(got, want, 1e-14, `n=${n}`);
  }
});

r("a constant map or a single pixel gives NaN; the maps are not modified", () => {
  const core = freshCore();
  assert.ok(Number.isNaN(sp(core, [1, 1, 1], [1, 2, 3])));
  assert.ok(Number.isNaN(sp(core, [4], [2])));
  const p = core.arena.putF32([3, 1, 2]), q = core.arena.putF32([1, 2, 3]);
  core.exports.map_spearman(p, q, 3, core.arena.alloc(core.exports.map_spearman_ws_bytes(3)));
  assert.equal(Array.from(core.arena.f32(p, 3)), [3, 1, 2]);
  assert.equal(Array.from(core.arena.f32(q, 3)), [1, 2, 3]);
});

r("agrees with scipy.stats.spearmanr on 784-pixel maps with many ties", () => {
  close(sp(freshCore(), A, B), REF.spearman, 1e-14, "spearman");
});

r.run();
