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

/** out = 2x2/2 max pooling of inp; argmax[i] = flat index into inp (over the whole N*C*H*W tensor,
 *  not per plane as PyTorch's return_indices) of the element that out[i] took.
 *  out: usize (N, C, Ho, Wo) f32, argmax: usize (N, C, Ho, Wo) i32, inp: usize (N, C, H, W) f32.
 *  SIMD: four output columns at a time (eight input columns per row, de-interleaved into the four
 *  window positions), same comparisons as the scalar twin, so the results are identical. A row whose
 *  Wo is not a multiple of 4 ends with one group that overlaps the previous one (it rewrites equal
 *  values), so only rows with Wo < 4 take the scalar path. out must not alias inp. */
export function maxpool2d_forward(out: usize, argmax: usize, inp: usize, N: i32, C: i32, H: i32, W: i32): void {
  const Ho = H >> 1;
  const Wo = W >> 1;
  const planes = N * C;
  for (let pl = 0; pl < planes; pl++) {
    const ib = pl * H * W; // element index of the input plane
    const ob = pl * Ho * Wo; // element index of the output plane
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = ib + 2 * oh * W; // top input row of this output row
      const o = ob + oh * Wo;
      if (Wo < 4) {
        for (let ow = 0; ow < Wo; ow++) poolOne(out, argmax, inp, r0 + 2 * ow, W, o + ow);
        continue;
      }
      let ow = 0;
      for (; ow + 4 <= Wo; ow += 4) poolFour(out, argmax, inp, r0 + 2 * ow, W, o + ow);
      if (ow < Wo) poolFour(out, argmax, inp, r0 + 2 * (Wo - 4), W, o + Wo - 4);
    }
  }
}

/** Four adjacent windows, the first with top-left element inp[i00]; writes out[o..o+3], argmax[o..o+3]. */
@inline function poolFour(out: usize, argmax: usize, inp: usize, i00: i32, W: i32, o: i32): void {
  const a0 = v128.load(inp + (<usize>i00 << 2));
  const a1 = v128.load(inp + (<usize>(i00 + 4) << 2));
  const b0 = v128.load(inp + (<usize>(i00 + W) << 2));
  const b1 = v128.load(inp + (<usize>(i00 + W + 4) << 2));
  const v01 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  const v10 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  const v11 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  const i00v = i32x4.add(i32x4.splat(i00), i32x4(0, 2, 4, 6));
  let m = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
  let ix = i00v;
  let take = v128.or(f32x4.gt(v01, m), f32x4.ne(v01, v01));
  m = v128.bitselect(v01, m, take);
  ix = v128.bitselect(i32x4.add(i00v, i32x4.splat(1)), ix, take);
  take = v128.or(f32x4.gt(v10, m), f32x4.ne(v10, v10));
  m = v128.bitselect(v10, m, take);
  ix = v128.bitselect(i32x4.add(i00v, i32x4.splat(W)), ix, take);
  take = v128.or(f32x4.gt(v11, m), f32x4.ne(v11, v11));
  m = v128.bitselect(v11, m, take);
  ix = v128.bitselect(i32x4.add(i00v, i32x4.splat(W + 1)), ix, take);
  v128.store(out + (<usize>o << 2), m);
  v128.store(argmax + (<usize>o << 2), ix);
}

/** Scalar twin of maxpool2d_forward (the specification the tests hold it against). */
export function maxpool2d_forward_ref(out: usize, argmax: usize, inp: usize, N: i32, C: i32, H: i32, W: i32): void {
  const Ho = H >> 1;
  const Wo = W >> 1;
  const planes = N * C;
  for (let pl = 0; pl < planes; pl++) {
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        poolOne(out, argmax, inp, pl * H * W + 2 * oh * W + 2 * ow, W, (pl * Ho + oh) * Wo + ow);
      }
    }
  }
}

/** One window whose top-left element is inp[i00]; writes out[o] and argmax[o]. */
@inline function poolOne(out: usize, argmax: usize, inp: usize, i00: i32, W: i32, o: i32): void {
  let m = ldf(inp, i00);
  let ix = i00;
  let v = ldf(inp, i00 + 1);
  if (v > m || v != v) { m = v; ix = i00 + 1; }
  v = ldf(inp, i00 + W);
  if (v > m || v != v) { m = v; ix = i00 + W; }
  v = ldf(inp, i00 + W + 1);
  if (v > m || v != v) { m = v; ix = i00 + W + 1; }
  stf(out, o, m);
  store<i32>(argmax + (<usize>o << 2), ix);
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
 *  `out` (the network's relu -> maxpool): dinp[argmax[i]] += out[argmax[i]] > 0 ? +0 + dout[i] : +0 for
 *  every output element i, nothing elsewhere. With dinp zeroed by the caller this gives exactly the
 *  bits of the two kernels on zeroed gradients (+0 + (+0 + dout), or +0 + +0 where the ReLU was off),
 *  without writing and re-reading the pool's input gradient. Scalar (a scatter).
 *  dinp, out: usize (N, C, H, W) f32; dout, argmax: usize (N, C, H >> 1, W >> 1) as for
 *  maxpool2d_backward (argmax from maxpool2d_forward on `out`). */
export function maxpool2d_relu_backward(dinp: usize, dout: usize, argmax: usize, out: usize, N: i32, C: i32, H: i32,
                                        W: i32): void {
  const total = N * C * (H >> 1) * (W >> 1);
  for (let i = 0; i < total; i++) {
    const j = load<i32>(argmax + (<usize>i << 2));
    const g: f32 = ldf(out, j) > 0 ? <f32>0 + ldf(dout, i) : <f32>0;
    stf(dinp, j, ldf(dinp, j) + g);
  }
}
