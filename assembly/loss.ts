// Softmax, cross-entropy and accuracy over rows of logits.
//
// Legend: N rows (batch), C classes. logits, probs, dlogits (N, C) f32 row-major; labels (N) i32 in
// [0, C). Scalar on purpose: C = 10 rows are too short for SIMD to pay, and the exponentials and sums
// run in f64 (AssemblyScript's Math.exp/log are wasm code, so every runtime gives the same bits).
//
// Conventions (PyTorch): nn.CrossEntropyLoss with reduction "mean" = mean over the batch of
// -log softmax(z)[y]; torch.argmax returns the FIRST maximal index, and a NaN counts as the maximum.
// A label outside [0, C) cannot throw in a kernel: it makes the loss NaN and the gradient row NaN,
// so the mistake cannot pass silently. Checking labels against C, with a message, is the host's job.

import { ldf, stf } from "./inline/simd";

/** Largest value of a row (r = element index of the row's start). */
@inline function rowMax(x: usize, r: i32, C: i32): f32 {
  let m = ldf(x, r);
  for (let j = 1; j < C; j++) {
    const v = ldf(x, r + j);
    if (v > m) m = v;
  }
  return m;
}

/** Writes one row of probabilities (softmax of the row minus its max m, numerically stable) and
 *  returns the row's shifted log-sum-exp: log sum_j exp(z_j - m). */
@inline function softmaxRow(probs: usize, logits: usize, r: i32, C: i32, m: f32): f64 {
  const mf = <f64>m;
  let s: f64 = 0;
  for (let j = 0; j < C; j++) s += Math.exp(<f64>ldf(logits, r + j) - mf);
  for (let j = 0; j < C; j++) stf(probs, r + j, <f32>(Math.exp(<f64>ldf(logits, r + j) - mf) / s));
  return Math.log(s);
}

/** Index of the first maximum of a row; a NaN counts as the maximum (torch.argmax). */
@inline function rowArgmax(x: usize, r: i32, C: i32): i32 {
  let best = ldf(x, r);
  if (best != best) return 0;
  let bi = 0;
  for (let j = 1; j < C; j++) {
    const v = ldf(x, r + j);
    if (v != v) return j;
    if (v > best) { best = v; bi = j; }
  }
  return bi;
}

/** probs = softmax(logits) row by row: p_j = exp(z_j - max z) / sum_k exp(z_k - max z), in f64,
 *  rounded once to f32. probs, logits: usize (N, C) f32 (may alias). */
export function softmax_forward(probs: usize, logits: usize, N: i32, C: i32): void {
  for (let i = 0; i < N; i++) softmaxRow(probs, logits, i * C, C, rowMax(logits, i * C, C));
}

/** Writes probs = softmax(logits) and returns the MEAN cross-entropy over the batch,
 *  (1/N) sum_i -log p_i[y_i], as f64. Each term is computed as log-sum-exp minus the shifted logit,
 *  log(sum_k exp(z_k - m)) - (z_y - m), which stays finite where log(p_y) of the rounded f32 p_y would
 *  underflow; the sum is accumulated in f64 in row order.
 *  probs: usize (N, C) f32 out (must not alias logits), logits: usize (N, C) f32, labels: usize (N) i32. */
export function softmax_xent_forward(probs: usize, logits: usize, labels: usize, N: i32, C: i32): f64 {
  let total: f64 = 0;
  for (let i = 0; i < N; i++) {
    const r = i * C;
    const m = rowMax(logits, r, C);
    const lse = softmaxRow(probs, logits, r, C, m);
    const y = load<i32>(labels + (<usize>i << 2));
    total += y < 0 || y >= C ? NaN : lse - (<f64>ldf(logits, r + y) - <f64>m);
  }
  return total / <f64>N;
}

/** dlogits += (probs - onehot(labels)) / N: the gradient of the mean cross-entropy with respect to
 *  the logits, computed in f32 as (p - [j == y]) / N (one rounding for the subtraction, one for the
 *  division). A row with an out-of-range label gets NaN.
 *  dlogits: usize (N, C) f32, probs: usize (N, C) f32 from softmax_xent_forward, labels: usize (N) i32. */
export function softmax_xent_backward(dlogits: usize, probs: usize, labels: usize, N: i32, C: i32): void {
  const fN = <f32>N;
  for (let i = 0; i < N; i++) {
    const r = i * C;
    const y = load<i32>(labels + (<usize>i << 2));
    const bad = y < 0 || y >= C;
    for (let j = 0; j < C; j++) {
      const t: f32 = bad ? NaN : j == y ? 1 : 0;
      stf(dlogits, r + j, ldf(dlogits, r + j) + (ldf(probs, r + j) - t) / fN);
    }
  }
}

/** Number of rows whose argmax (first maximum, torch.argmax) equals the label.
 *  logits: usize (N, C) f32, labels: usize (N) i32. */
export function count_correct(logits: usize, labels: usize, N: i32, C: i32): i32 {
  let k = 0;
  for (let i = 0; i < N; i++) {
    if (rowArgmax(logits, i * C, C) == load<i32>(labels + (<usize>i << 2))) k++;
  }
  return k;
}

/** out[i] = argmax_j x[i, j] (first maximum; a NaN counts as the maximum, as torch.argmax).
 *  out: usize (N) i32, x: usize (N, C) f32. */
export function argmax_rows(out: usize, x: usize, N: i32, C: i32): void {
  for (let i = 0; i < N; i++) store<i32>(out + (<usize>i << 2), rowArgmax(x, i * C, C));
}
