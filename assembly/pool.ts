// Max pooling, 2x2 window, stride 2, no padding, floor mode (nn.MaxPool2d(2) in PyTorch): an odd last
// row or column of the input is dropped.
//
// Legend: N batch, C channels, H x W input plane, Ho = H >> 1, Wo = W >> 1 output plane.
// All tensors NCHW row-major; f32 and i32 buffers 16-byte aligned (unaligned also works: wasm's
// v128.load has no alignment requirement, only a hint).
//
// Tie rule (PyTorch's CPU kernel, aten/src/ATen/native/cpu/MaxPoolKernel.cpp): the window is scanned in
// row-major order (0,0), (0,1), (1,0), (1,1) and a value replaces the running maximum only if it is
// strictly greater, or NaN. So among equal values the FIRST wins (an all-zero window of blank MNIST
// background sends its gradient to the top-left pixel), and a NaN wins over any number (a diverged
// network shows up as NaN, it is not hidden by the max).

import { ldf, stf } from "./inline/simd";
import { pool_one, pool_planes } from "./inline/pool";

/** out = 2x2/2 max pooling of inp; argmax[i] = flat index into inp (over the whole N*C*H*W tensor,
 *  not per plane as PyTorch's return_indices) of the element that out[i] took.
 *  out: usize (N, C, Ho, Wo) f32, argmax: usize (N, C, Ho, Wo) i32, inp: usize (N, C, H, W) f32.
 *  SIMD: four output columns at a time (eight input columns per row, de-interleaved into the four
 *  window positions), same comparisons as the scalar twin, so the results are identical. A row whose
 *  Wo is not a multiple of 4 ends with one group that overlaps the previous one (it rewrites equal
 *  values), so only rows with Wo < 4 take the scalar path. out must not alias inp. The windows live in
 *  assembly/inline/pool.ts, shared with conv2d_relu_maxpool_forward (assembly/conv.ts). */
export function maxpool2d_forward(out: usize, argmax: usize, inp: usize, N: i32, C: i32, H: i32, W: i32): void {
  pool_planes(out, argmax, inp, N * C, H, W, 0, false);
}

/** Scalar twin of maxpool2d_forward (the specification the tests hold it against). */
export function maxpool2d_forward_ref(out: usize, argmax: usize, inp: usize, N: i32, C: i32, H: i32, W: i32): void {
  const Ho = H >> 1;
  const Wo = W >> 1;
  const planes = N * C;
  for (let pl = 0; pl < planes; pl++) {
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        pool_one(out, argmax, inp, pl * H * W + 2 * oh * W + 2 * ow, W, (pl * Ho + oh) * Wo + ow, 0, false);
      }
    }
  }
}

/** dinp[argmax[i]] += dout[i] for every output element i (windows do not overlap, so each input
 *  element receives at most one term). Scalar: a scatter has no SIMD form in wasm.
 *  dinp: usize (N, C, H, W) f32, dout: usize (N, C, Ho, Wo) f32, argmax: usize (N, C, Ho, Wo) i32
 *  as written by maxpool2d_forward. */
export function maxpool2d_backward(dinp: usize, dout: usize, argmax: usize, N: i32, C: i32, H: i32, W: i32): void {
  const total = N * C * (H >> 1) * (W >> 1);
  for (let i = 0; i < total; i++) {
    const j = load<i32>(argmax + (<usize>i << 2));
    stf(dinp, j, ldf(dinp, j) + ldf(dout, i));
  }
}

/** maxpool2d_backward followed by relu_backward in one pass, for a max-pool that reads a ReLU's output
 *  (the network's relu -> maxpool): dinp[argmax[i]] += pooled[i] > 0 ? +0 + dout[i] : +0 for every
 *  output element i, nothing elsewhere. The ReLU's mask at the window's maximum is read from the POOLED
 *  output (pooled[i] is the ReLU output at argmax[i], copied), so the ReLU's output itself need not be
 *  kept (conv2d_relu_maxpool_forward never writes it). With dinp zeroed by the caller this gives
 *  exactly the bits of the two kernels on zeroed gradients (+0 + (+0 + dout), or +0 + +0 where the
 *  ReLU was off), without writing and re-reading the pool's input gradient. Scalar (a scatter).
 *  dinp: usize (N, C, H, W) f32; dout, argmax, pooled: usize (N, C, H >> 1, W >> 1) as written by
 *  maxpool2d_forward over the ReLU's output (or by conv2d_relu_maxpool_forward). */
export function maxpool2d_relu_backward(dinp: usize, dout: usize, argmax: usize, pooled: usize, N: i32, C: i32,
                                        H: i32, W: i32): void {
  const total = N * C * (H >> 1) * (W >> 1);
  for (let i = 0; i < total; i++) {
    const j = load<i32>(argmax + (<usize>i << 2));
    const g: f32 = ldf(pooled, i) > 0 ? <f32>0 + ldf(dout, i) : <f32>0;
    stf(dinp, j, ldf(dinp, j) + g);
  }
}
