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

/** The value maxpool2d_relu_backward gives the window maximum of output element i: the bits of
 *  +0 + (pooled[i] > 0 ? +0 + dout[i] : +0), what the two passes leave on zeroed gradients. */
@inline function relu_grad1(dout: usize, pooled: usize, i: i32): f32 {
  return <f32>0 + (ldf(pooled, i) > 0 ? <f32>0 + ldf(dout, i) : <f32>0);
}

/** One window, scalar: its four cells, the maximum's (argmax names it) gets relu_grad1, the rest +0. */
@inline function relu_window1(dinp: usize, dout: usize, argmax: usize, pooled: usize, i: i32, i00: i32, W: i32): void {
  const j = load<i32>(argmax + (<usize>i << 2));
  const g = relu_grad1(dout, pooled, i);
  stf(dinp, i00, j == i00 ? g : 0);
  stf(dinp, i00 + 1, j == i00 + 1 ? g : 0);
  stf(dinp, i00 + W, j == i00 + W ? g : 0);
  stf(dinp, i00 + W + 1, j == i00 + W + 1 ? g : 0);
}

/**
 * maxpool2d_backward followed by relu_backward in one pass, for a max-pool that reads a ReLU's output
 * (the network's relu -> maxpool). WRITES every element of dinp (the one backward kernel that does not
 * add: it replaces zeroing the pool's input gradient and scattering into it): the element argmax[i]
 * names gets +0 + (pooled[i] > 0 ? +0 + dout[i] : +0), every other element +0 (an odd last row or column
 * too). That is exactly what zeroing dinp, maxpool2d_backward and relu_backward leave, bit for bit
 * (+0 + (+0 + dout), or +0 + +0 where the ReLU was off). The ReLU's mask at the window's maximum is read
 * from the POOLED output (pooled[i] is the ReLU output at argmax[i], copied), so the ReLU's output itself
 * need not be kept (conv2d_relu_maxpool_forward never writes it).
 *   dinp: usize (N, C, H, W) f32; dout, argmax, pooled: usize (N, C, H >> 1, W >> 1) as written by
 *   maxpool2d_forward over the ReLU's output (or by conv2d_relu_maxpool_forward) for the same N, C, H, W:
 *   every argmax[i] is a cell of window i.
 * SIMD: four windows at a time, each cell's value selected by comparing argmax with the cell's index and
 * the two window rows written whole (no scatter, no zeroing pass); a row of Wo not a multiple of 4 ends
 * with a group overlapping the one before (it rewrites equal values); rows with Wo < 4 go window by
 * window. Bit-identical to maxpool2d_relu_backward_ref.
 */
export function maxpool2d_relu_backward(dinp: usize, dout: usize, argmax: usize, pooled: usize, N: i32, C: i32,
                                        H: i32, W: i32): void {
  const Ho = H >> 1, Wo = W >> 1, planes = N * C;
  const z = f32x4.splat(0);
  for (let pl = 0; pl < planes; pl++) {
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = (pl * H + 2 * oh) * W; // first element of the window row pair
      const o0 = (pl * Ho + oh) * Wo;
      if (Wo < 4) {
        for (let ow = 0; ow < Wo; ow++) relu_window1(dinp, dout, argmax, pooled, o0 + ow, r0 + 2 * ow, W);
      } else {
        for (let ow = 0; ow < Wo; ow += 4) {
          const w0 = min(ow, Wo - 4);
          const o = o0 + w0, i00 = r0 + 2 * w0;
          const ix = v128.load(argmax + (<usize>o << 2));
          const dv = v128.load(dout + (<usize>o << 2));
          const on = f32x4.gt(v128.load(pooled + (<usize>o << 2)), z);
          const g = f32x4.add(z, v128.and(f32x4.add(z, dv), on)); // +0 + (on ? +0 + dout : +0)
          const c = i32x4.add(i32x4.splat(i00), i32x4(0, 2, 4, 6)); // the windows' top-left indices
          const tl = v128.and(g, i32x4.eq(ix, c));
          const tr = v128.and(g, i32x4.eq(ix, i32x4.add(c, i32x4.splat(1))));
          const bl = v128.and(g, i32x4.eq(ix, i32x4.add(c, i32x4.splat(W))));
          const br = v128.and(g, i32x4.eq(ix, i32x4.add(c, i32x4.splat(W + 1))));
          const top = dinp + (<usize>i00 << 2), bot = top + (<usize>W << 2);
          v128.store(top, i32x4.shuffle(tl, tr, 0, 4, 1, 5));
          v128.store(top, i32x4.shuffle(tl, tr, 2, 6, 3, 7), 16);
          v128.store(bot, i32x4.shuffle(bl, br, 0, 4, 1, 5));
          v128.store(bot, i32x4.shuffle(bl, br, 2, 6, 3, 7), 16);
        }
      }
      if (W & 1) {
        stf(dinp, r0 + W - 1, 0);
        stf(dinp, r0 + 2 * W - 1, 0);
      }
    }
    if (H & 1) memory.fill(dinp + (<usize>((pl + 1) * H - 1) * W << 2), 0, <usize>W << 2);
  }
}

/** Scalar twin of maxpool2d_relu_backward: the specification, zero dinp (N, C, H, W), then for every
 *  output element i in order dinp[argmax[i]] += pooled[i] > 0 ? +0 + dout[i] : +0. */
export function maxpool2d_relu_backward_ref(dinp: usize, dout: usize, argmax: usize, pooled: usize, N: i32, C: i32,
                                            H: i32, W: i32): void {
  for (let i = 0; i < N * C * H * W; i++) stf(dinp, i, 0);
  const total = N * C * (H >> 1) * (W >> 1);
  for (let i = 0; i < total; i++) {
    const j = load<i32>(argmax + (<usize>i << 2));
    const g: f32 = ldf(pooled, i) > 0 ? <f32>0 + ldf(dout, i) : <f32>0;
    stf(dinp, j, ldf(dinp, j) + g);
  }
}
