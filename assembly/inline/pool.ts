// The 2x2 / stride-2 max-pool windows, @inline, shared by assembly/pool.ts (maxpool2d_forward and its
// twin) and the fused conv epilogue of assembly/conv.ts (conv2d_relu_maxpool_forward and its twin), so
// both compare the same values in the same order. Not part of the ABI. Tie rule and NaN rule as in
// assembly/pool.ts (PyTorch's CPU kernel): row-major scan, a value replaces the running maximum only if
// strictly greater or NaN.
//
// `relu` (a constant at every call site, folded away after inlining) applies max(x, 0) to every
// element as it is loaded, exactly as relu_forward does (f32x4.pmax(x, 0), scalar x < 0 ? 0 : x): the
// pooled values and indices are then those of maxpool2d_forward over relu_forward's output.
// Indices: an element loaded from src at element i is recorded as base + i.

import { ldf, stf } from "./simd";

/** max(x, 0) as relu_forward computes it (a NaN and -0 pass). */
@inline function relu1(x: f32, relu: bool): f32 {
  return relu && x < 0 ? 0 : x;
}

@inline function relu4(v: v128, relu: bool): v128 {
  return relu ? f32x4.pmax(v, f32x4.splat(0)) : v;
}

/** Four adjacent windows, the first with top-left element src[i00]; writes out[o..o+3], argmax[o..o+3]. */
@inline export function pool_four(out: usize, argmax: usize, src: usize, i00: i32, W: i32, o: i32, base: i32,
                                  relu: bool): void {
  const a0 = relu4(v128.load(src + (<usize>i00 << 2)), relu);
  const a1 = relu4(v128.load(src + (<usize>(i00 + 4) << 2)), relu);
  const b0 = relu4(v128.load(src + (<usize>(i00 + W) << 2)), relu);
  const b1 = relu4(v128.load(src + (<usize>(i00 + W + 4) << 2)), relu);
  const v01 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  const v10 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  const v11 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  const i00v = i32x4.add(i32x4.splat(base + i00), i32x4(0, 2, 4, 6));
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

/** One window whose top-left element is src[i00]; writes out[o] and argmax[o]. */
@inline export function pool_one(out: usize, argmax: usize, src: usize, i00: i32, W: i32, o: i32, base: i32,
                                 relu: bool): void {
  let m = relu1(ldf(src, i00), relu);
  let ix = i00;
  let v = relu1(ldf(src, i00 + 1), relu);
  if (v > m || v != v) { m = v; ix = i00 + 1; }
  v = relu1(ldf(src, i00 + W), relu);
  if (v > m || v != v) { m = v; ix = i00 + W; }
  v = relu1(ldf(src, i00 + W + 1), relu);
  if (v > m || v != v) { m = v; ix = i00 + W + 1; }
  stf(out, o, m);
  store<i32>(argmax + (<usize>o << 2), base + ix);
}

/** `planes` planes of H x W at src pooled into planes of (H >> 1) x (W >> 1) at out / argmax: four
 *  windows at a time; a row whose output width is not a multiple of 4 ends with one group overlapping
 *  the previous one (it rewrites equal values), so only rows narrower than 4 take the scalar path. */
@inline export function pool_planes(out: usize, argmax: usize, src: usize, planes: i32, H: i32, W: i32, base: i32,
                                    relu: bool): void {
  const Ho = H >> 1;
  const Wo = W >> 1;
  for (let pl = 0; pl < planes; pl++) {
    const ib = pl * H * W; // element index of the input plane
    const ob = pl * Ho * Wo; // element index of the output plane
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = ib + 2 * oh * W; // top input row of this output row
      const o = ob + oh * Wo;
      if (Wo < 4) {
        for (let ow = 0; ow < Wo; ow++) pool_one(out, argmax, src, r0 + 2 * ow, W, o + ow, base, relu);
        continue;
      }
      let ow = 0;
      for (; ow + 4 <= Wo; ow += 4) pool_four(out, argmax, src, r0 + 2 * ow, W, o + ow, base, relu);
      if (ow < Wo) pool_four(out, argmax, src, r0 + 2 * (Wo - 4), W, o + Wo - 4, base, relu);
    }
  }
}
