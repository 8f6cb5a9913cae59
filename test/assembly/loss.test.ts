import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertClose, finiteDiff, freshCore, randomF32, snap, type Core } from "../helpers.js";

/** softmax and mean cross-entropy in float64, straight from the definitions. */
function softmaxJs(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function xentJs(rows: number[][], labels: number[]): number {
  let t = 0;
  rows.forEach((z, i) => {
    const m = Math.max(...z);
    t += Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0)) - (z[labels[i]] - m);
  });
  return t / rows.length;
}

function xent(core: Core, logits: number[][], labels: number[]): { loss: number; probs: Float32Array } {
  const N = logits.length, C = logits[0].length;
  const m = core.arena.mark();
  const lp = core.arena.putF32(logits.flat());
  const pp = core.arena.allocF32(N * C);
  const loss = core.exports.softmax_xent_forward(pp, lp, core.arena.putI32(labels), N, C);
  const probs = snap(core, pp, N * C);
  core.arena.reset(m);
  return { loss, probs };
}

const sm = suite("assembly/loss softmax");

sm("softmax of hand rows equals the definition (f64, rounded once to f32)", () => {
  const core = freshCore();
  const rows = [[1, 2, 3], [0, 0, 0], [Math.log(1), Math.log(2), Math.log(5)], [-1, 4, 0.5]];
  const lp = core.arena.putF32(rows.flat());
  const pp = core.arena.allocF32(12);
  core.exports.softmax_forward(pp, lp, 4, 3);
  const got = snap(core, pp, 12);
  // [1, 2, 3]: e^k / (e + e^2 + e^3) = 0.09003057317038046, 0.24472847105479764, 0.6652409557748219
  assertClose(got.subarray(0, 3), [0.09003057317038046, 0.24472847105479764, 0.6652409557748219], "row [1,2,3]", 0, 1e-7);
  assertClose(got.subarray(3, 6), [1 / 3, 1 / 3, 1 / 3], "uniform row", 0, 1e-7);
  assertClose(got.subarray(6, 9), [1 / 8, 2 / 8, 5 / 8], "row log[1,2,5]", 0, 3e-7); // logits rounded to f32
  assertClose(got.subarray(9, 12), softmaxJs(rows[3].map(Math.fround)), "row [-1,4,0.5]", 0, 1e-7);
});

sm("is numerically stable: huge and tiny logits give the shifted row's softmax, no NaN or inf", () => {
  const core = freshCore();
  const rows = [[1000, 1001, 1002], [-1000, -999, -998], [0, 1, 2], [88, -88, 0]];
  const lp = core.arena.putF32(rows.flat());
  const pp = core.arena.allocF32(12);
  core.exports.softmax_forward(pp, lp, 4, 3);
  const got = snap(core, pp, 12);
  assert.ok(got.every(Number.isFinite), `finite: ${got}`);
  assert.equal(Array.from(got.subarray(0, 3)), Array.from(got.subarray(6, 9)));
  assert.equal(Array.from(got.subarray(3, 6)), Array.from(got.subarray(6, 9)));
  assertClose(got.subarray(9, 12), softmaxJs(rows[3]), "row [88,-88,0]", 1e-30, 1e-7);
});

sm.run();

const xe = suite("assembly/loss softmax_xent");

xe("forward returns the MEAN cross-entropy over the batch, hand-computed", () => {
  const core = freshCore();
  // Row 0: uniform over 4 classes -> log 4. Row 1: logits log[1,2,5] label 2 -> -log(5/8) = log 1.6.
  // Mean = (log 4 + log 1.6) / 2 = log(6.4) / 2 = 0.9281347...
  const logits = [[0, 0, 0, 0], [0, Math.log(2), Math.log(5), -Infinity]];
  const { loss, probs } = xent(core, logits, [3, 2]);
  // The kernel sees f32 logits: against the definition on those, f64-tight; against the closed form,
  // within what rounding log 2 and log 5 to f32 costs (~1e-7).
  const exact = xentJs(logits.map((r) => r.map(Math.fround)), [3, 2]);
  assert.ok(Math.abs(loss - exact) < 1e-15, `loss ${loss} vs ${exact}`);
  assert.ok(Math.abs(loss - Math.log(6.4) / 2) < 2e-7, `loss ${loss} vs log(6.4)/2 = ${Math.log(6.4) / 2}`);
  assertClose(probs, [0.25, 0.25, 0.25, 0.25, 1 / 8, 2 / 8, 5 / 8, 0], "probs", 0, 3e-7);
});

xe("forward agrees with the float64 definition on random batches; large margins stay finite", () => {
  const core = freshCore();
  const N = 13, C = 10;
  const lp = randomF32(core, N * C, 5, -8, 8);
  const z = Array.from(core.arena.f32(lp, N * C));
  const rows = Array.from({ length: N }, (_, i) => z.slice(i * C, (i + 1) * C));
  const labels = rows.map((_, i) => (i * 7) % C);
  const { loss } = xent(core, rows, labels);
  // Same inputs, same f64 formula: only exp/log's last bit may differ between V8 and wasm.
  assert.ok(Math.abs(loss - xentJs(rows, labels)) <= 1e-14 * Math.abs(loss), `${loss} vs ${xentJs(rows, labels)}`);
  // p_y = e^-200 underflows f32 (and is 1e-87 in f64), but the loss is the exact 200.
  const big = xent(core, [[0, 200]], [0]);
  assert.is(big.loss, 200);
  assert.equal(Array.from(big.probs), [0, 1]);
});

xe("a label outside [0, C) makes the loss and its gradient row NaN", () => {
  const core = freshCore();
  assert.ok(Number.isNaN(xent(core, [[1, 2], [3, 4]], [0, 2]).loss));
  assert.ok(Number.isNaN(xent(core, [[1, 2]], [-1]).loss));
  const pp = core.arena.putF32([0.5, 0.5, 0.25, 0.75]);
  const d = core.arena.allocF32(4);
  core.exports.softmax_xent_backward(d, pp, core.arena.putI32([1, 5]), 2, 2);
  const g = Array.from(core.arena.f32(d, 4));
  assert.equal(g.slice(0, 2), [0.25, -0.25]);
  assert.ok(Number.isNaN(g[2]) && Number.isNaN(g[3]), `${g}`);
});

xe("backward adds (probs - onehot) / N, hand-computed", () => {
  const core = freshCore();
  const pp = core.arena.putF32([0.25, 0.25, 0.5, 0.125, 0.625, 0.25]);
  const d = core.arena.putF32([1, 1, 1, 0, 0, 0]);
  core.exports.softmax_xent_backward(d, pp, core.arena.putI32([2, 0]), 2, 3);
  assert.equal(Array.from(core.arena.f32(d, 6)), [1.125, 1.125, 0.75, -0.4375, 0.3125, 0.125]);
});

xe("backward equals finite differences of the mean loss", () => {
  const core = freshCore();
  const N = 5, C = 10;
  const lp = randomF32(core, N * C, 9, -3, 3);
  const labels = core.arena.putI32([3, 0, 9, 9, 4]);
  const pp = core.arena.allocF32(N * C);
  const f = () => core.exports.softmax_xent_forward(pp, lp, labels, N, C);
  f();
  const d = core.arena.allocF32(N * C);
  core.exports.softmax_xent_backward(d, pp, labels, N, C);
  const g = snap(core, d, N * C);
  const all = Array.from({ length: N * C }, (_, i) => i);
  // The loss is smooth; with h = 1e-2 the central difference's error is O(h^2 * f''') ~ 1e-6, and the
  // f32 rounding of x +- h shifts the quotient by at most ~5e-6 of the gradient.
  assertClose(Array.from(g), finiteDiff(core, lp, all, f, 1e-2), "dlogits vs finite differences", 2e-6, 1e-4);
});

xe.run();

const acc = suite("assembly/loss argmax_rows and count_correct");

acc("ties go to the first index and a NaN counts as the maximum (torch.argmax)", () => {
  const core = freshCore();
  const rows = [
    [0, 0, 0, 0], // all tie -> 0
    [1, 3, 3, 2], // tie between 1 and 2 -> 1
    [-5, -4, -4, -4], // -> 1
    [1, NaN, 9, NaN], // first NaN -> 1
    [NaN, 0, 0, 0], // -> 0
    [0, 0, 0, 7], // -> 3
  ];
  const xp = core.arena.putF32(rows.flat());
  const out = core.arena.allocI32(rows.length);
  core.exports.argmax_rows(out, xp, rows.length, 4);
  assert.equal(Array.from(core.arena.i32(out, rows.length)), [0, 1, 1, 1, 0, 3]);
  const labels = core.arena.putI32([0, 2, 1, 1, 0, 0]); // right: rows 0, 2, 3, 4
  assert.is(core.exports.count_correct(xp, labels, rows.length, 4), 4);
});

acc("count_correct counts rows whose first maximum equals the label", () => {
  const core = freshCore();
  const N = 50, C = 10;
  const xp = randomF32(core, N * C, 31);
  const z = core.arena.f32(xp, N * C);
  const labels = Array.from({ length: N }, (_, i) => (i * 3) % C);
  let want = 0;
  for (let i = 0; i < N; i++) {
    let b = 0;
    for (let j = 1; j < C; j++) if (z[i * C + j] > z[i * C + b]) b = j;
    if (b === labels[i]) want++;
  }
  assert.is(core.exports.count_correct(xp, core.arena.putI32(labels), N, C), want);
});

acc.run();
