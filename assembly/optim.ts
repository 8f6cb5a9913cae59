// Optimizer steps over one flat region of parameters (llm.c's gpt2_update): parameters, gradients and
// the optimizer's state are equal-length f32 regions, so a step is one loop over n elements.
//
// Legend: n = element count. p, g, buf, m, v: usize (n) f32, 16-byte aligned (not required by
// v128.load/store, which tolerate any alignment).
//
// Semantics: torch.optim.SGD and torch.optim.Adam (not AdamW), single-tensor path, maximize=False,
// amsgrad=False, in the same order of f32 operations per element:
//   PyTorch's add(a, b, alpha) is a + alpha * b, lerp(a, b, w) is a + w * (b - a) for |w| < 0.5 and
//   b - (b - a) * (1 - w) otherwise, addcmul(a, b, c, value) is a + (value * b) * c, addcdiv(a, b, c,
//   value) is a + (value * b) / c; scalars are rounded to f32 before they meet a tensor.
// PyTorch's vectorised CPU kernels may fuse some of these into FMAs; wasm (without relaxed SIMD) has
// no FMA, so we agree with PyTorch's formulas, not always with its last bit.
//
// Hyper-parameters cross the ABI as f64 (plain JS numbers, as Python floats in PyTorch), and are
// rounded to f32 exactly where PyTorch rounds them: 1 - beta1, 1 - beta2, 1 - dampening and
// lr / (1 - beta1^step) are formed in f64 first. With f32 arguments, 1 - f32(0.999) would be
// 0.000999987 instead of f32(0.001): a 1.3e-5 relative error in Adam's second-moment coefficient.
//
// The SIMD kernels and their scalar twins perform the same IEEE operations per element (add, sub,
// mul, div, sqrt are correctly rounded in f32x4 exactly as in f32), so they agree bit for bit; the
// tail (n mod 4 elements) of each SIMD kernel is its twin.

import { ld4, st4, ldf, stf } from "./inline/simd";

/** One torch.optim.SGD step:
 *    d = g (+ weight_decay * p if weight_decay != 0)
 *    if momentum != 0:  buf = d on the first step (first != 0), else buf = momentum * buf + (1 - dampening) * d
 *                       d = nesterov ? d + momentum * buf : buf
 *    p = p - lr * d
 *  With momentum == 0 the buffer is not touched (buf may be 0) and nesterov is ignored (PyTorch rejects
 *  nesterov without momentum; a kernel cannot report, so rejecting it is the host's job). lr, momentum,
 *  dampening, weight_decay are f64 (see above) and meet the tensors as f32; 1 - dampening is formed in
 *  f64, then rounded.
 *  p: usize (n) f32 in/out, g: usize (n) f32, buf: usize (n) f32 in/out (momentum buffer). */
export function sgd_step(p: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, dampening: f64,
                         weightDecay: f64, nesterov: i32, first: i32): void {
  const n4 = n & ~3;
  const vlr = f32x4.splat(<f32>lr);
  const vwd = f32x4.splat(<f32>weightDecay);
  const vmom = f32x4.splat(<f32>momentum);
  const vdamp = f32x4.splat(<f32>(1.0 - dampening));
  for (let i = 0; i < n4; i += 4) {
    let d = ld4(g, i);
    const x = ld4(p, i);
    if (weightDecay != 0) d = f32x4.add(d, f32x4.mul(vwd, x));
    if (momentum != 0) {
      const b = first != 0 ? d : f32x4.add(f32x4.mul(ld4(buf, i), vmom), f32x4.mul(vdamp, d));
      st4(buf, i, b);
      d = nesterov != 0 ? f32x4.add(d, f32x4.mul(vmom, b)) : b;
    }
    st4(p, i, f32x4.sub(x, f32x4.mul(vlr, d)));
  }
  if (n4 < n) {
    const off = <usize>n4 << 2;
    sgd_step_ref(p + off, g + off, momentum != 0 ? buf + off : 0, n - n4, lr, momentum, dampening, weightDecay, nesterov, first);
  }
}

/** Scalar twin of sgd_step. */
export function sgd_step_ref(p: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, dampening: f64,
                             weightDecay: f64, nesterov: i32, first: i32): void {
  const flr = <f32>lr, mom = <f32>momentum, wd = <f32>weightDecay;
  const damp1 = <f32>(1.0 - dampening);
  for (let i = 0; i < n; i++) {
    let d = ldf(g, i);
    const x = ldf(p, i);
    if (weightDecay != 0) d = d + wd * x;
    if (momentum != 0) {
      const b = first != 0 ? d : ldf(buf, i) * mom + damp1 * d;
      stf(buf, i, b);
      d = nesterov != 0 ? d + mom * b : b;
    }
    stf(p, i, x - flr * d);
  }
}

/** One torch.optim.Adam step (step counts from 1: the caller increments it before the call):
 *    d = g (+ weight_decay * p if weight_decay != 0)           (L2 in the gradient: Adam, not AdamW)
 *    m = lerp(m, d, 1 - beta1)                                 (= beta1 * m + (1 - beta1) * d)
 *    v = v * beta2 + ((1 - beta2) * d) * d
 *    bias_correction1 = 1 - beta1^step, bias_correction2 = 1 - beta2^step   (f64, once per call)
 *    step_size = lr / bias_correction1                         (f64, then rounded to f32)
 *    denom = sqrt(v) / f32(sqrt(bias_correction2)) + eps
 *    p = p - (step_size * m) / denom
 *  Per-element arithmetic in f32; lr, beta1, beta2, eps, weight_decay are f64 (see above), rounded to
 *  f32 where they meet a tensor, after 1 - beta1, 1 - beta2, step_size, sqrt(bias_correction2) are
 *  formed in f64. step >= 1.
 *  p: usize (n) f32 in/out, g: usize (n) f32, m, v: usize (n) f32 in/out (first and second moments,
 *  zero before step 1). */
export function adam_step(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64,
                          eps: f64, weightDecay: f64, step: i32): void {
  const bc1 = 1.0 - Math.pow(beta1, <f64>step);
  const bc2 = 1.0 - Math.pow(beta2, <f64>step);
  const w1 = <f32>(1.0 - beta1);
  const small = Mathf.abs(w1) < 0.5;
  const vw1 = f32x4.splat(w1);
  const vomw1 = f32x4.splat(<f32>1 - w1);
  const vw2 = f32x4.splat(<f32>(1.0 - beta2));
  const vb2 = f32x4.splat(<f32>beta2);
  const vwd = f32x4.splat(<f32>weightDecay);
  const vss = f32x4.splat(<f32>(lr / bc1));
  const vbc2s = f32x4.splat(<f32>Math.sqrt(bc2));
  const veps = f32x4.splat(<f32>eps);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    let d = ld4(g, i);
    const x = ld4(p, i);
    if (weightDecay != 0) d = f32x4.add(d, f32x4.mul(vwd, x));
    const m0 = ld4(m, i);
    const m1 = small
      ? f32x4.add(m0, f32x4.mul(vw1, f32x4.sub(d, m0)))
      : f32x4.sub(d, f32x4.mul(f32x4.sub(d, m0), vomw1));
    const v1 = f32x4.add(f32x4.mul(ld4(v, i), vb2), f32x4.mul(f32x4.mul(vw2, d), d));
    st4(m, i, m1);
    st4(v, i, v1);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v1), vbc2s), veps);
    st4(p, i, f32x4.sub(x, f32x4.div(f32x4.mul(vss, m1), denom)));
  }
  if (n4 < n) {
    const off = <usize>n4 << 2;
    adam_step_ref(p + off, g + off, m + off, v + off, n - n4, lr, beta1, beta2, eps, weightDecay, step);
  }
}

/** Scalar twin of adam_step. */
export function adam_step_ref(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64,
                              eps: f64, weightDecay: f64, step: i32): void {
  const bc1 = 1.0 - Math.pow(beta1, <f64>step);
  const bc2 = 1.0 - Math.pow(beta2, <f64>step);
  const w1 = <f32>(1.0 - beta1);
  const small = Mathf.abs(w1) < 0.5;
  const w2 = <f32>(1.0 - beta2);
  const b2 = <f32>beta2, wd = <f32>weightDecay, feps = <f32>eps;
  const stepSize = <f32>(lr / bc1);
  const bc2s = <f32>Math.sqrt(bc2);
  for (let i = 0; i < n; i++) {
    let d = ldf(g, i);
    const x = ldf(p, i);
    if (weightDecay != 0) d = d + wd * x;
    const m0 = ldf(m, i);
    const m1 = small ? m0 + w1 * (d - m0) : d - (d - m0) * (<f32>1 - w1);
    const v1 = ldf(v, i) * b2 + (w2 * d) * d;
    stf(m, i, m1);
    stf(v, i, v1);
    const denom = Mathf.sqrt(v1) / bc2s + feps;
    stf(p, i, x - (stepSize * m1) / denom);
  }
}
