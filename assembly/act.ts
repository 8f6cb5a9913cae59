// ReLU, elementwise over a flat buffer (any shape; NCHW activations in practice).
//
// Legend: n = element count. f32 buffers, 16-byte aligned (not required: v128.load/store tolerate
// any alignment). out may alias inp (in place).
//
// Conventions: forward is out = inp < 0 ? 0 : inp, exactly wasm's f32x4.pmax(inp, 0): a NaN passes
// through (as torch.relu) and -0 stays -0. Backward uses the OUTPUT, as PyTorch's relu backward
// (threshold_backward(grad, result, 0)), and passes the gradient only where out > 0: at exactly 0 the
// gradient is 0, PyTorch's choice of subgradient (PyTorch zeroes where out <= 0, which differs from
// ours only at out = NaN, where we pass nothing). The mask is applied with a bitwise AND, so an
// infinite dout next to out = 0 gives 0, not inf * 0 = NaN.

import { ld4, st4, ldf, stf } from "./inline/simd";

/** out = max(inp, 0) (pmax semantics, see above). out, inp: usize (n) f32. */
export function relu_forward(out: usize, inp: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) st4(out, i, f32x4.pmax(ld4(inp, i), zero));
  for (; i < n; i++) {
    const x = ldf(inp, i);
    stf(out, i, x < 0 ? 0 : x);
  }
}

/** Scalar twin of relu_forward. */
export function relu_forward_ref(out: usize, inp: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const x = ldf(inp, i);
    stf(out, i, x < 0 ? 0 : x);
  }
}

/** dinp += out > 0 ? dout : 0 (a +0 is added where the mask is off, in the twin too, so the bits
 *  agree even for a -0 gradient). dinp, dout, out: usize (n) f32; out is the forward's output. */
export function relu_backward(dinp: usize, dout: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const g = v128.and(ld4(dout, i), f32x4.gt(ld4(out, i), zero));
    st4(dinp, i, f32x4.add(ld4(dinp, i), g));
  }
  for (; i < n; i++) stf(dinp, i, ldf(dinp, i) + (ldf(out, i) > 0 ? ldf(dout, i) : <f32>0));
}

/** Scalar twin of relu_backward. */
export function relu_backward_ref(dinp: usize, dout: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) stf(dinp, i, ldf(dinp, i) + (ldf(out, i) > 0 ? ldf(dout, i) : <f32>0));
}
