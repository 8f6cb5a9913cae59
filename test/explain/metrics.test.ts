import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore, randomF32, snap } from "../helpers.js";
import {
  HIST_BINS,
  MATLAB_EPS,
  compareMaps,
  entropies,
  entropyHist,
  entropySpatial,
  mapCC,
  mapKL,
  mapSIM,
  mapSpearman,
  meanSd,
} from "../../src/explain/metrics.js";

// The 784-pixel maps of test/assembly/metrics.test.ts and their numpy/scipy reference values.
const A = Float32Array.from({ length: 784 }, (_, i) => ((i * 37 + 11) % 101) / 16);
const B = Float32Array.from({ length: 784 }, (_, i) => (((i * 37 + 11) % 101) + ((i * 53 + 7) % 89)) / 8);

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

const w = suite("explain/metrics wrappers");

w("compareMaps gives CC, KL (baseline = reference Q), SIM and Spearman", () => {
  const core = freshCore();
  const r = compareMaps(core, A, B);
  close(r.cc, 0.7485059610906671, 1e-14, "cc");
  close(r.kl, 0.234670654846823, 1e-14, "kl: KLdiv(saliencyMap = map, fixationMap = baseline)");
  close(r.sim, 0.8420183028724895, 1e-14, "sim");
  close(r.spearman, 0.7469543151029718, 1e-14, "spearman");
  // the same numbers, bit for bit, as the single-metric functions
  assert.equal(r, {
    cc: mapCC(core, A, B),
    kl: mapKL(core, A, B),
    sim: mapSIM(core, A, B),
    spearman: mapSpearman(core, A, B),
  });
  close(compareMaps(core, B, A).kl, 0.09401249889084204, 1e-14, "kl the other way round");
});

w("a map against itself: CC = SIM = Spearman = 1, KL = its eps-only closed form", () => {
  const core = freshCore();
  const r = compareMaps(core, A, A);
  close(r.cc, 1, 1e-15, "cc");
  close(r.sim, 1, 1e-14, "sim");
  assert.is(r.spearman, 1);
  let s = 0,
    want = 0;
  for (const v of A) s += v;
  for (const v of A) want += (v / s) * Math.log(MATLAB_EPS + v / s / (MATLAB_EPS + v / s));
  close(r.kl, want, 1e-15, "kl");
  assert.ok(Math.abs(r.kl) < 1e-12, `KL(P, P) ~ 0: ${r.kl}`);
});

w("entropies: nats over pixels, bits over 256 value bins", () => {
  const core = freshCore();
  const u = entropies(core, new Float32Array(784).fill(0.25));
  close(u.entropySpatial, Math.log(784), 1e-13, "uniform spatial");
  assert.is(u.entropyHist, 0); // one value: one bin
  const e = entropies(core, A);
  close(e.entropySpatial, 6.466223202605392, 1e-13, "spatial");
  close(e.entropyHist, 6.655990932245721, 1e-13, "hist");
  assert.is(e.entropySpatial, entropySpatial(core, A));
  assert.is(e.entropyHist, entropyHist(core, A, HIST_BINS));
  close(
    entropyHist(core, Float32Array.from([0, 1, 2, 3, 4]), 4),
    -(3 * 0.2 * Math.log2(0.2) + 0.4 * Math.log2(0.4)),
    1e-15,
    "4 bins",
  );
});

w("releases its arena scratch and never modifies the maps", () => {
  const core = freshCore();
  const before = core.arena.used;
  const a = A.slice(),
    b = B.slice();
  compareMaps(core, a, b);
  entropies(core, a);
  mapSpearman(core, a, b);
  entropyHist(core, a, 17);
  assert.is(core.arena.used, before);
  assert.equal(a, A);
  assert.equal(b, B);
});

w("the same maps give the same bits in a fresh core (a second wasm instance)", () => {
  const p = snap(freshCore(), randomF32(freshCore(), 784, 5, 0, 1), 784);
  const q = snap(freshCore(), randomF32(freshCore(), 784, 6, 0, 1), 784);
  assert.equal(compareMaps(freshCore(), p, q), compareMaps(freshCore(), p, q));
  assert.equal(entropies(freshCore(), p), entropies(freshCore(), p));
});

w("rejects bad input with a message naming the function and the problem", () => {
  const core = freshCore();
  const ok = new Float32Array([1, 2, 3]);
  assert.throws(
    () => compareMaps(core, ok, new Float32Array([1, 2])),
    /compareMaps: map has 3 pixels but baseline has 2/,
  );
  assert.throws(() => compareMaps(core, new Float32Array(0), new Float32Array(0)), /compareMaps: map is empty/);
  assert.throws(
    () => compareMaps(core, ok, new Float32Array([1, -2, 3])),
    /compareMaps: baseline\[1\] is -2; pass absolute saliency maps/,
  );
  assert.throws(() => entropies(core, new Float32Array([1, NaN])), /entropies: map\[1\] is NaN; maps must be finite/);
  assert.throws(() => mapCC(core, [1, 2, 3] as unknown as Float32Array, ok), /mapCC: map must be a Float32Array/);
  assert.throws(() => entropyHist(core, ok, 0), /entropyHist: bins must be an integer/);
  assert.throws(() => entropyHist(core, ok, 2.5), /entropyHist: bins must be an integer/);
  assert.throws(() => mapKL(core, ok, ok, -1), /mapKL: eps must be a finite number >= 0/);
  // signed maps are fine where the metric is defined for them
  close(mapCC(core, new Float32Array([-1, 0, 1]), new Float32Array([-2, 0, 2])), 1, 1e-15, "signed cc");
  close(mapSpearman(core, new Float32Array([-1, 0, 1]), new Float32Array([-8, 0, 1])), 1, 1e-15, "signed spearman");
});

w.run();

const ms = suite("explain/metrics meanSd");

ms("sample standard deviation (n - 1)", () => {
  // mean 5, squared deviations 9 1 1 1 0 0 4 16 = 32: sample sd = sqrt(32 / 7) (population would be 2)
  const r = meanSd([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.is(r.mean, 5);
  close(r.sd, Math.sqrt(32 / 7), 1e-15, "sd");
  assert.equal(meanSd([3, 3, 3]), { mean: 3, sd: 0 });
});

ms("fewer than two values: sd is NaN (undefined); none: mean NaN too; NaN propagates", () => {
  const one = meanSd([4]);
  assert.is(one.mean, 4);
  assert.ok(Number.isNaN(one.sd));
  const none = meanSd([]);
  assert.ok(Number.isNaN(none.mean) && Number.isNaN(none.sd));
  const nan = meanSd([1, NaN, 3]);
  assert.ok(Number.isNaN(nan.mean) && Number.isNaN(nan.sd));
});

ms.run();
