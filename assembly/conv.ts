// 2-D convolution, stride 1, square kernel, zero padding (PyTorch's nn.Conv2d with stride=1,
// dilation=1, groups=1, padding_mode='zeros'; like PyTorch it is a cross-correlation: no kernel flip).
//
// Legend: N batch, Cin / Cout input / output channels, H x W input size, K kernel size, pad zero
// padding on every side, Hp = H + 2 pad, Wp = W + 2 pad (padded input), Ho = Hp - K + 1,
// Wo = Wp - K + 1 (output), HW = Ho * Wo, CKK = Cin * K * K (the reduction length), r = (ci, kh, kw)
// the index of one of the CKK taps, p = (oh, ow) an output position. Tensors are NCHW f32,
// row-major, 16-byte aligned.
//
//   out[n, co, oh, ow] = bias[co] + Σ_{ci, kh, kw} weight[co, ci, kh, kw] · x[n, ci, oh + kh - pad, ow + kw - pad]
//
// with x = 0 outside the image. Per image this is one GEMM, out (Cout, HW) = weight (Cout, CKK) ·
// col (CKK, HW), where col is the im2col matrix (Chellapilla, Puri & Simard 2006; Caffe). The fast
// kernels build col one image at a time in the caller's scratch, so scratch is O(one image), never
// O(batch):
//   forward   im2col (assembly/im2col.ts) straight into the packed 8-column panels of assembly/tiles.ts,
//             weights packed once per call, then the 4x8 outer-product tile.
//   dweight   dW (Cout, CKK) += dout_n (Cout, HW) · col^T: the 2x4 inner-product tile (vectorized
//             along HW, so no transposes) on col and dout_n packed in 4-f32 chunks, 4 taps resp.
//             2 rows interleaved, which im2col writes directly.
//   dinp      dcol (CKK, HW) = weight^T · dout_n with the outer-product tile, eight taps at a time
//             (two row panels; a last <= 4 columns by the transposed 8x4 tile over both), into a ring
//             of rows; once an input channel's taps are all there, each of its inputs gathers its
//             taps' terms in order in registers and dinp += s (no col2im scatter).
//   dbias     row sums of dout_n.
//
// Summation orders (fixed, so results are bit-reproducible; the *_ref twins spell them out):
//   out:   s = Σ_r w·x over r = (ci, kh, kw) in order from +0 (padding taps add an exact +0), out = bias + s.
//   dinp:  for each tap (kh, kw) in order, t = Σ_co w·dout from +0; s = Σ_taps t from +0; dinp += s.
//   dbias: s = Σ_p dout from +0 per image; dbias += s, images in order.
//   dweight: per image, lane l (0..3) sums dout·x over p ≡ l (mod 4) in order (positions past HW
//          add an exact +0), s = (l0 + l2) + (l1 + l3), dweight += s, images in order — equal to the
//          twin's sequential sum up to rounding.
// So conv2d_forward, dinp and dbias equal their twins bit for bit; dweight to rounding.
//
// Where the MNIST network's conv2 (16 -> 32, 5x5, pad 2, 14x14) spends its time (perf samples, Zen 3,
// V8 11.3, one thread, 2026-12-02): forward, tile4x8 ~81%, im2col_panels ~6%, the 4-column edge tile
// (tile4x4, bound by the latency of its 4 add chains) ~3%, padding and the bias fill ~2%. Backward
// (dweight + dbias + dinp; Zen 5 host, V8 11.3, 2026-12-02, after the 8x4 edge tile and the two-row
// gather): tile4x8 in dinp ~41%, dot2x4p in dweight with its item loop and pack_rows2 ~42%, dinp's
// gather ~4.8%, im2col_chunks ~2.9%, the 8x4 edge tile ~1.0% (tile4x4 in its place: ~1.5% plus ~0.2%
// of tile_edge), dbias ~0.8%, pad_image ~0.7%. dinp alone (batch 100): tile4x8 ~80%, the gather ~8.5%
// (9.4% with one row at a time), the edge ~2% (3.6% as tile4x4).
// Tried without gain: im2col of 1, 2 or 4 column panels at a time between the tiles, and im2col_chunks
// in blocks of 4-16 tap groups (both bound by their stores, not by cache misses); an 8x4 edge tile over
// two row panels with pre-splatted A (V8 loads its 9 operands up front and spills an accumulator: 4.6% of
// the forward against tile4x4's 3.1%; the transposed tile8x4t, A as plain vectors and B pre-splatted,
// has 6 operands and does not spill). The two-row gather spills two accumulators (8 sums, 8 loads and
// 2 masks live at once): its gain is less than the halved load of tap addresses and masks would give.
// Not done because it would change bytes: dinp as one GEMM over (co, kh, kw) against an im2col of dout
// (one chain per input instead of per-tap sums) would trade the gather (~8.5% of dinp's time) for that
// im2col (~6%, like the forward's): a few % of dinp, an estimate, not measured.

import { tile_row, pack_a_splat, pack_b_edge, pack_b_splat, tile8x4t, dot2x4p, dot2x4p_in } from "./tiles";
import { merge_tile } from "./tiles";
import { SPLAT_K, PANEL_K, TILE_BYTES, PAIR_CHUNK, QUAD_CHUNK } from "./tiles";
import { SLACK, pad_zero, pad_image, tap_table, im2col_panels, im2col_chunks, pack_rows2 } from "./im2col";
import { f32s, vecs, al64 } from "./inline/mem";
import { pool_one, pool_planes } from "./inline/pool";

// ---------------------------------------------------------------------------------------------------
// Scratch layout (every region 64-byte aligned). Panels of 4 rows (pre-splatted A: SPLAT_K bytes per
// k), column panels of 8 positions (PANEL_K bytes per tap), chunks of 4 positions (QUAD_CHUNK bytes
// per group of 4 taps, PAIR_CHUNK bytes per pair of rows); see assembly/tiles.ts and im2col.ts.

/** Panels of 4 (rows of C, taps), pairs of rows, 8-column panels and 4-position chunks in n. */
@inline function quads(n: i32): usize { return <usize>((n + 3) >> 2); }
@inline function pairs(n: i32): usize { return <usize>((n + 1) >> 1); }
@inline function octs(n: i32): usize { return <usize>((n + 7) >> 3); }

/** The zero-padded image (Cin, Hp, Wp) with SLACK bytes on either side. */
@inline function padBytes(Cin: i32, Hp: i32, Wp: i32): usize {
  return al64(f32s(<usize>Cin * Hp * Wp)) + 2 * SLACK;
}

// Forward scratch, one layout for fwd_setup and fwd_image:
//   F_A     weights pre-splatted (ceil(Cout/4), CKK, 4, 4)
//   F_PAD   the padded image (padBytes: SLACK on either side)
//   F_COL   col in 8-column panels (ceil(HW/8), CKK, 8)
//   F_TMP   the scratch tile
//   F_TAB   tap offsets (CKK) i32
//   F_CONV  one image's conv output (Cout, HW), for the fused epilogue only
const F_A = 0, F_PAD = 1, F_COL = 2, F_TMP = 3, F_TAB = 4, F_CONV = 5, F_END = 6;

/** Start of forward scratch region `which` (F_PAD: the padded image itself, after its leading SLACK);
 *  F_END from ws = 0: the bytes of the whole layout. */
@inline function fwdAt(which: i32, ws: usize, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): usize {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const CKK = <usize>Cin * K * K;
  let p = ws;
  if (which == F_A) return p;
  p += al64(quads(Cout) * CKK * SPLAT_K);
  if (which == F_PAD) return p + SLACK;
  p += padBytes(Cin, Hp, Wp);
  if (which == F_COL) return p;
  p += al64(octs(Ho * Wo) * CKK * PANEL_K);
  if (which == F_TMP) return p;
  p += TILE_BYTES;
  if (which == F_TAB) return p;
  p += al64(f32s(CKK));
  if (which == F_CONV) return p;
  return p + al64(f32s(<usize>Cout * Ho * Wo));
}

// Backward scratch: one layout for conv2d_backward_params (P) and conv2d_backward_input (I), so both
// compute it the same way (chunks = ceil(HW/4), S = dcolSlack(K), nvec = ceil(W/4)):
//   B_AT    weight^T pre-splatted (ceil(CKK/4), Cout, 4, 4)                                  I
//   B_PAD   the padded image (padBytes: SLACK on either side)                                P
//   B_COL   col in chunk-interleaved groups of 4 taps (ceil(CKK/4), chunks, 4, 4)            P
//           | S bytes, the dcol ring (ringTaps(K), HW), S bytes (B_DCOL: the ring itself)    I
//   B_DOUT  dout_n in chunk-interleaved pairs of rows (ceil(Cout/2), chunks, 2, 4)           P
//   B_EDGE  the dout edge panel (Cout, 8), or its last <= 4 columns pre-splatted (Cout, 4, 4)     I
//   B_TMP   the scratch tile                                                                 P, I
//   B_TAB   tap offsets (CKK) i32                                                            P
//   B_MASK  the gather's lane masks (nvec, K) f32x4 and clean flags (nvec) i32               I
//   B_TAPS  the gather's tap rows (K * K) i32                                                I
const B_AT = 0, B_PAD = 1, B_COL = 2, B_DCOL = 3, B_DOUT = 4, B_EDGE = 5, B_TMP = 6, B_TAB = 7, B_MASK = 8;
const B_TAPS = 9, B_END = 10;

/** Rows of conv2d_backward_input's dcol ring: tap r's t lives in row r mod ringTaps. A channel's K * K
 *  taps are gathered once the pair of groups of 4 holding its last one is done; by then up to 7 taps of
 *  the next channel are written too, so K * K + 7 rows, rounded up to a multiple of 4 (a group's rows are
 *  then consecutive in the ring), keep every tap until it is read. 32 rows of 196 f32 (25 KB) for the
 *  MNIST network's conv2: it stays in cache, where a whole dcol (313 KB) did not. */
@inline function ringTaps(K: i32): i32 { return (K * K + 10) & ~3; }

/** Slack (bytes) before and after the ring: the gather reads up to K - 1 f32 before a row and K + 2 after
 *  (lanes it masks out). */
@inline function dcolSlack(K: i32): usize { return al64(f32s(<usize>K + 4)); }

/** Start of backward scratch region `which` (B_PAD: the padded image itself, after its leading SLACK);
 *  B_END from ws = 0: the bytes of the whole layout. */
@inline function bwdAt(which: i32, ws: usize, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): usize {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const CKK = Cin * K * K;
  const chunks = quads(Ho * Wo);
  let p = ws;
  if (which == B_AT) return p;
  p += al64(quads(CKK) * <usize>Cout * SPLAT_K);
  if (which == B_PAD) return p + SLACK;
  p += padBytes(Cin, Hp, Wp);
  if (which == B_COL) return p;
  const S = dcolSlack(K);
  if (which == B_DCOL) return p + S;
  const col = al64(quads(CKK) * chunks * QUAD_CHUNK), ring = al64(f32s(<usize>ringTaps(K) * Ho * Wo)) + 2 * S;
  p += col > ring ? col : ring;
  if (which == B_DOUT) return p;
  p += al64(pairs(Cout) * chunks * PAIR_CHUNK);
  if (which == B_EDGE) return p;
  p += al64(<usize>Cout * SPLAT_K);
  if (which == B_TMP) return p;
  p += TILE_BYTES;
  if (which == B_TAB) return p;
  p += al64(f32s(CKK));
  if (which == B_MASK) return p;
  p += al64(vecs(quads(W) * <usize>K) + f32s(quads(W)));
  if (which == B_TAPS) return p;
  return p + al64(f32s(<usize>K * K));
}

/**
 * Scratch bytes conv2d_forward, conv2d_relu_maxpool_forward and conv2d_backward need (the largest), for
 * one image at a time: independent of N (kept in the signature so callers need not know). For the MNIST
 * network's conv2 (16 -> 32, 5x5, pad 2, 14x14) about 0.6 MB.
 */
export function conv2d_ws_bytes(N: i32, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): usize {
  const f = fwdAt(F_END, 0, Cin, H, W, Cout, K, pad), b = bwdAt(B_END, 0, Cin, H, W, Cout, K, pad);
  return f > b ? f : b;
}

/** dst[i] += Σ_p src[i][p] for rows i < rows of length n at stride ld bytes; every row summed
 *  sequentially from +0. Eight rows at a time in the lanes of two vectors (lane l of s0 sums row i + l,
 *  of s1 row i + 4 + l): each step loads 4 positions of 4 rows, transposes them 4x4 and adds the four
 *  position vectors in order, so each lane is its row's sequential sum, with two chains of vector adds
 *  instead of eight scalar chains (a quarter of the loads and adds). Positions past n & ~3 and rows
 *  past rows & ~7 one by one. */
function row_sums_add(dst: usize, src: usize, ld: usize, rows: i32, n: i32): void {
  const nB = f32s(n), n4 = f32s(n & ~3);
  let i = 0;
  for (; i + 8 <= rows; i += 8) {
    const r = src + <usize>i * ld;
    let s0 = f32x4.splat(0), s1 = s0;
    let o: usize = 0;
    for (; o < n4; o += 16) {
      s0 = add_transposed(s0, r + o, ld);
      s1 = add_transposed(s1, r + 4 * ld + o, ld);
    }
    const d = dst + f32s(i);
    let a0 = f32x4.extract_lane(s0, 0), a1 = f32x4.extract_lane(s0, 1);
    let a2 = f32x4.extract_lane(s0, 2), a3 = f32x4.extract_lane(s0, 3);
    let a4 = f32x4.extract_lane(s1, 0), a5 = f32x4.extract_lane(s1, 1);
    let a6 = f32x4.extract_lane(s1, 2), a7 = f32x4.extract_lane(s1, 3);
    for (; o < nB; o += 4) {
      const q = r + o;
      a0 += load<f32>(q);
      a1 += load<f32>(q + ld);
      a2 += load<f32>(q + 2 * ld);
      a3 += load<f32>(q + 3 * ld);
      a4 += load<f32>(q + 4 * ld);
      a5 += load<f32>(q + 5 * ld);
      a6 += load<f32>(q + 6 * ld);
      a7 += load<f32>(q + 7 * ld);
    }
    store<f32>(d, load<f32>(d) + a0);
    store<f32>(d, load<f32>(d, 4) + a1, 4);
    store<f32>(d, load<f32>(d, 8) + a2, 8);
    store<f32>(d, load<f32>(d, 12) + a3, 12);
    store<f32>(d, load<f32>(d, 16) + a4, 16);
    store<f32>(d, load<f32>(d, 20) + a5, 20);
    store<f32>(d, load<f32>(d, 24) + a6, 24);
    store<f32>(d, load<f32>(d, 28) + a7, 28);
  }
  for (; i < rows; i++) {
    const r = src + <usize>i * ld;
    let s: f32 = 0;
    for (let o: usize = 0; o < nB; o += 4) s += load<f32>(r + o);
    const d = dst + f32s(i);
    store<f32>(d, load<f32>(d) + s);
  }
}

/** s + x_p for the four positions p of the vectors at q, q + ld, q + 2 ld, q + 3 ld (four rows), in
 *  order of p, where x_p holds position p of the four rows in its lanes (a 4x4 transpose). */
@inline function add_transposed(s: v128, q: usize, ld: usize): v128 {
  const r0 = v128.load(q), r1 = v128.load(q + ld), r2 = v128.load(q + 2 * ld), r3 = v128.load(q + 3 * ld);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5); // p0 p0 p1 p1
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7); // p2 p2 p3 p3
  s = f32x4.add(s, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  s = f32x4.add(s, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  s = f32x4.add(s, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  return f32x4.add(s, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

// ---------------------------------------------------------------------------------------------------
// Forward

/** The forward's per-call setup: the tap table and the weights pre-splatted in panels of 4 output
 *  channels (once per call). */
@inline function fwd_setup(weight: usize, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32, ws: usize): void {
  const CKK = Cin * K * K;
  const wsA = fwdAt(F_A, ws, Cin, H, W, Cout, K, pad);
  tap_table(fwdAt(F_TAB, ws, Cin, H, W, Cout, K, pad), Cin, H + 2 * pad, W + 2 * pad, K);
  pad_zero(fwdAt(F_PAD, ws, Cin, H, W, Cout, K, pad), Cin, H, W, pad);
  for (let i = 0; i < Cout; i += 4) {
    pack_a_splat(wsA + <usize>(i >> 2) * CKK * SPLAT_K, weight + f32s(<usize>i * CKK), f32s(CKK), 4, min(4, Cout - i),
                 CKK);
  }
}

/** One image's conv output o (Cout, HW) = bias + weight · col of image x (after fwd_setup). */
@inline function fwd_image(o: usize, x: usize, bias: usize, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32,
                           ws: usize): void {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const HW = Ho * Wo, CKK = Cin * K * K;
  const wsA = fwdAt(F_A, ws, Cin, H, W, Cout, K, pad);
  const wsPad = fwdAt(F_PAD, ws, Cin, H, W, Cout, K, pad);
  const wsCol = fwdAt(F_COL, ws, Cin, H, W, Cout, K, pad);
  const wsTmp = fwdAt(F_TMP, ws, Cin, H, W, Cout, K, pad);
  const wsTab = fwdAt(F_TAB, ws, Cin, H, W, Cout, K, pad);
  const ldc = f32s(HW);
  const panelB = <usize>CKK * PANEL_K; // one column panel: CKK taps x 8 positions
  const nfull = HW >> 3;
  pad_image(wsPad, x, Cin, H, W, pad);
  im2col_panels(wsCol, wsPad, wsTab, Cin, Hp, Wp, K, Ho, Wo);
  // out = bias, then += weight · col: bias + s, s summed from +0 (the twin's order)
  for (let co = 0; co < Cout; co++) {
    const b = load<f32>(bias + f32s(co));
    const row = o + <usize>co * ldc;
    const bv = f32x4.splat(b);
    let p = 0;
    for (; p + 4 <= HW; p += 4) v128.store(row + f32s(p), bv);
    for (; p < HW; p++) store<f32>(row + f32s(p), b);
  }
  for (let i = 0; i < Cout; i += 4) {
    tile_row(o + <usize>i * ldc, ldc, wsA + <usize>(i >> 2) * CKK * SPLAT_K, min(4, Cout - i),
             wsCol, panelB, PANEL_K, wsCol + <usize>nfull * panelB, PANEL_K, HW, CKK, 1, wsTmp);
  }
}

/**
 * out = conv2d(inp, weight) + bias, stride 1, zero padding `pad` (PyTorch's F.conv2d).
 *   out:    (N, Cout, Ho, Wo), Ho = H + 2 pad - K + 1, Wo = W + 2 pad - K + 1
 *   inp:    (N, Cin, H, W)
 *   weight: (Cout, Cin, K, K)
 *   bias:   (Cout)
 *   ws:     conv2d_ws_bytes(N, Cin, H, W, Cout, K, pad) bytes, 16-byte aligned
 * All f32, row-major, 16-byte aligned. Requires Ho, Wo >= 1. Bit-identical to conv2d_forward_ref.
 */
export function conv2d_forward(out: usize, inp: usize, weight: usize, bias: usize, N: i32, Cin: i32, H: i32,
                               W: i32, Cout: i32, K: i32, pad: i32, ws: usize): void {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const HW = Ho * Wo;
  if (N <= 0 || Cout <= 0 || Ho <= 0 || Wo <= 0) return;
  fwd_setup(weight, Cin, H, W, Cout, K, pad, ws);
  for (let n = 0; n < N; n++) {
    fwd_image(out + f32s(<usize>n * Cout * HW), inp + f32s(<usize>n * Cin * H * W), bias, Cin, H, W, Cout, K, pad, ws);
  }
}

/**
 * conv2d_forward, relu_forward and maxpool2d_forward in one pass (the network's conv -> ReLU -> max-pool):
 * each image's conv output is computed into scratch (where it stays in cache), then ReLU'd and pooled
 * from there, so neither the conv's nor the ReLU's output is written to memory (one pass instead of
 * three). Same values: the conv output is conv2d_forward's (bias + s in the same order), the ReLU and
 * the 2x2 windows are those of relu_forward and maxpool2d_forward (assembly/inline/pool.ts), so out and
 * argmax equal, bit for bit, maxpool2d_forward over relu_forward over conv2d_forward of the same call:
 *   out:    (N, Cout, Ho >> 1, Wo >> 1) f32, the pooled output
 *   argmax: (N, Cout, Ho >> 1, Wo >> 1) i32, flat indices into the (never written) (N, Cout, Ho, Wo)
 *           ReLU output, as maxpool2d_forward records them
 *   inp, weight, bias, ws: as conv2d_forward (ws: conv2d_ws_bytes(...) bytes)
 * Requires Ho, Wo >= 1. The twin is conv2d_relu_maxpool_forward_ref (direct loops).
 */
export function conv2d_relu_maxpool_forward(out: usize, argmax: usize, inp: usize, weight: usize, bias: usize, N: i32,
                                            Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32, ws: usize): void {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const HW = Ho * Wo, PQ = (Ho >> 1) * (Wo >> 1);
  if (N <= 0 || Cout <= 0 || Ho <= 0 || Wo <= 0) return;
  fwd_setup(weight, Cin, H, W, Cout, K, pad, ws);
  const wsConv = fwdAt(F_CONV, ws, Cin, H, W, Cout, K, pad);
  for (let n = 0; n < N; n++) {
    fwd_image(wsConv, inp + f32s(<usize>n * Cin * H * W), bias, Cin, H, W, Cout, K, pad, ws);
    const o = f32s(<usize>n * Cout * PQ);
    pool_planes(out + o, argmax + o, wsConv, Cout, Ho, Wo, n * Cout * HW, true);
  }
}

// ---------------------------------------------------------------------------------------------------
// Backward

/**
 * Gradients of conv2d_forward, ADDED into dinp, dweight and dbias (the caller zeroes them once per step):
 *   dinp    += conv_transpose(dout, weight)   (skipped when dinp == 0, e.g. for the first layer)
 *   dweight += Σ_n dout_n ⋆ inp_n          (skipped when dweight == 0: saliency needs none)
 *   dbias   += Σ_{n, oh, ow} dout          (skipped when dbias == 0)
 * Shapes:
 *   dinp:    (N, Cin, H, W) or 0       dweight: (Cout, Cin, K, K)      dbias: (Cout)
 *   dout:    (N, Cout, Ho, Wo)         inp:     (N, Cin, H, W)         weight: (Cout, Cin, K, K)
 *   ws:      conv2d_ws_bytes(N, Cin, H, W, Cout, K, pad) bytes, 16-byte aligned
 * dinp and dbias are bit-identical to conv2d_backward_ref; dweight equal to rounding (see the top).
 * The same as conv2d_backward_params over all of conv2d_param_items(...) followed by conv2d_backward
 * with dweight = dbias = 0 on any split of the images: what a multi-threaded host does (src/core/parallel.ts).
 */
export function conv2d_backward(dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize,
                                N: i32, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32, ws: usize): void {
  if (dweight || dbias) {
    conv2d_backward_params(dweight, dbias, dout, inp, N, Cin, H, W, Cout, K, pad, ws, 0,
                           conv2d_param_items(Cin, Cout, K));
  }
  if (dinp) conv2d_backward_input(dinp, dout, weight, N, Cin, H, W, Cout, K, pad, ws);
}

/** Work items of the parameter gradients: (groups of 4 taps) x (pairs of output channels), item
 *  i = g * pairs(Cout) + pr covers dweight[2 pr .. 2 pr + 1][4 g .. 4 g + 3] (and, for g = 0, dbias[2 pr ..
 *  2 pr + 1]). A host splits [0, items) into contiguous ranges, one per thread. */
export function conv2d_param_items(Cin: i32, Cout: i32, K: i32): i32 {
  return <i32>(quads(Cin * K * K) * pairs(Cout));
}

/**
 * dweight and dbias of conv2d_backward for the work items [i0, i1) of conv2d_param_items (see there),
 * over all N images. Every dweight / dbias element belongs to exactly one item and is accumulated
 * exactly as conv2d_backward does it (per image: s from +0 over the positions in the documented lane
 * order, then dweight += s, images in order), so any split of the items into ranges run on any
 * threads gives the same bits as one call over all items. Only the tap groups the range touches are
 * im2col'ed, so threads share no redundant work but the padding and the packing of dout.
 *   ws: conv2d_ws_bytes(...) bytes of its own (one per concurrent call)
 */
export function conv2d_backward_params(dweight: usize, dbias: usize, dout: usize, inp: usize, N: i32, Cin: i32,
                                       H: i32, W: i32, Cout: i32, K: i32, pad: i32, ws: usize, i0: i32,
                                       i1: i32): void {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const HW = Ho * Wo, CKK = Cin * K * K;
  if (N <= 0 || Cout <= 0 || Ho <= 0 || Wo <= 0 || i1 <= i0) return;
  const chunks = <i32>quads(HW); // 4-position chunks (positions past HW are zeros)
  const P = <i32>pairs(Cout);
  const g0 = i0 / P, g1 = (i1 - 1) / P + 1; // tap groups the range touches
  // row pairs it touches: all, unless it lies within one group
  const p0 = g1 - g0 == 1 ? i0 - g0 * P : 0, p1 = g1 - g0 == 1 ? i1 - g0 * P : P;
  const wsPad = bwdAt(B_PAD, ws, Cin, H, W, Cout, K, pad);
  const wsCol = bwdAt(B_COL, ws, Cin, H, W, Cout, K, pad);
  const wsDout = bwdAt(B_DOUT, ws, Cin, H, W, Cout, K, pad);
  const wsTmp = bwdAt(B_TMP, ws, Cin, H, W, Cout, K, pad);
  const wsTab = bwdAt(B_TAB, ws, Cin, H, W, Cout, K, pad);
  tap_table(wsTab, Cin, Hp, Wp, K);
  pad_zero(wsPad, Cin, H, W, pad);
  const ldHW = f32s(HW);
  const ldW = f32s(CKK);
  // dbias rows of the pairs whose group-0 item is in the range
  const b1 = g0 == 0 ? min(i1, P) : 0;
  for (let n = 0; n < N; n++) {
    const dn = dout + f32s(<usize>n * Cout * HW);
    if (dbias && i0 < b1) {
      const r0 = 2 * i0, r1 = min(2 * b1, Cout);
      row_sums_add(dbias + f32s(r0), dn + <usize>r0 * ldHW, ldHW, r1 - r0, HW);
    }
    if (!dweight) continue;
    // dweight (Cout, CKK) += dout_n (Cout, HW) · col^T, both packed chunk-interleaved
    pad_image(wsPad, inp + f32s(<usize>n * Cin * H * W), Cin, H, W, pad);
    im2col_chunks(wsCol, wsPad, wsTab, Cin, Hp, Wp, K, Ho, Wo, g0, g1);
    pack_rows2(wsDout + <usize>p0 * chunks * PAIR_CHUNK, dn + <usize>(2 * p0) * ldHW, ldHW,
               min(2 * p1, Cout) - 2 * p0, HW);
    // the items it = g P + pr in [i0, i1), group by group (no division per item)
    for (let g = g0; g < g1; g++) {
      const r = g * 4;
      const pb = wsCol + <usize>g * chunks * QUAD_CHUNK;
      const cols = min(4, CKK - r);
      const pr1 = min(P, i1 - g * P);
      for (let pr = max(0, i0 - g * P); pr < pr1; pr++) {
        const i = pr * 2;
        const pa = wsDout + <usize>pr * chunks * PAIR_CHUNK;
        const c = dweight + <usize>i * ldW + f32s(r);
        const rows = min(2, Cout - i);
        if (rows == 2 && cols == 4) {
          dot2x4p_in(c, ldW, pa, pb, chunks, 1);
        } else {
          dot2x4p(wsTmp, PANEL_K, pa, pb, chunks, 0);
          merge_tile(c, ldW, wsTmp, rows, cols, 1);
        }
      }
    }
  }
}

/** d[0..3] += s when iw + 4 <= W, else only the lanes < W - iw (through tmp, 16 bytes). */
@inline function add_lanes(d: usize, s: v128, iw: i32, W: i32, tmp: usize): void {
  if (iw + 4 <= W) {
    v128.store(d, f32x4.add(v128.load(d), s));
  } else {
    v128.store(tmp, s);
    for (let l = 0; l < W - iw; l++) {
      const o = f32s(l);
      store<f32>(d + o, load<f32>(d + o) + load<f32>(tmp + o));
    }
  }
}

/** One term of the gather: s + (t & mask). */
@inline function term(s: v128, q: usize, m: usize): v128 {
  return f32x4.add(s, v128.and(v128.load(q), v128.load(m)));
}

/**
 * The gather of conv2d_backward_input for one input channel of one image: for every input row ih and
 * vector of 4 columns iw..iw+3, s = Σ over the taps (kh, kw) in order of t_(kh, kw)[oh, ow] with
 * oh = ih + pad - kh, ow = iw + pad - kw, from +0, then dinp += s (the twin's order). Rows oh outside
 * the output are skipped; columns ow outside it are read from the neighbouring row (or the slack) and
 * masked to +0, which adds nothing (s starts at +0, so it is never -0). Four vectors of a row at a time
 * (four independent add chains); a last block of fewer overlaps the one before and stores only its new
 * vectors. The two middle vectors of a block skip the masks when they need none (`clean`: every column
 * they read lies inside the output for every kw, e.g. conv2's iw 4..11).
 * Where a row and the next have every kh and W needs exactly one block with clean middle vectors (conv2),
 * the two rows go together: 8 chains instead of 4, each tap's address and masks loaded once for both
 * (row ih + 1 reads the same tap one output row further on).
 *   taps: (K, K) i32, the byte address of tap (kh, kw)'s row of t in the ring, minus kw f32
 *   mask: (nvec, K) f32x4, lane l of (v, kw) all ones iff 0 <= 4v + l + pad - kw < Wo, then the flags
 *   clean (nvec) i32   drow0: dinp of the channel (H, W)
 */
@inline function gather_channel(drow0: usize, taps: usize, mask: usize, H: i32, W: i32, K: i32, pad: i32, Ho: i32,
                                Wo: i32, tmp: usize): void {
  const nvec = (W + 3) >> 2;
  const mStep = vecs(<usize>K); // from the masks of vector v to those of v + 1
  const clean = mask + <usize>nvec * mStep;
  // two rows at a time (8 add chains) where both have every kh and one block of 4 clean-middle vectors
  const two = nvec == 4 && load<i32>(clean + 4) != 0 && load<i32>(clean + 8) != 0;
  const ldWo = f32s(Wo);
  for (let ih = 0; ih < H; ih++) {
    const drow = drow0 + f32s(<usize>ih * W);
    if (two && ih + 1 < H && ih + pad - K + 1 >= 0 && ih + 1 + pad < Ho) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
      for (let kh = 0; kh < K; kh++) {
        const off = f32s(<usize>(ih + pad - kh) * Wo + <usize>pad);
        let t = taps + f32s(<usize>kh * K);
        let m = mask;
        const tEnd = t + f32s(K);
        for (; t < tEnd; t += 4) {
          const q = <usize>load<i32>(t) + off;
          const m0 = v128.load(m), m3 = v128.load(m + 3 * mStep);
          a0 = f32x4.add(a0, v128.and(v128.load(q), m0));
          a1 = f32x4.add(a1, v128.load(q, 16));
          a2 = f32x4.add(a2, v128.load(q, 32));
          a3 = f32x4.add(a3, v128.and(v128.load(q, 48), m3));
          const q2 = q + ldWo; // row ih + 1, the same tap: output row oh + 1
          b0 = f32x4.add(b0, v128.and(v128.load(q2), m0));
          b1 = f32x4.add(b1, v128.load(q2, 16));
          b2 = f32x4.add(b2, v128.load(q2, 32));
          b3 = f32x4.add(b3, v128.and(v128.load(q2, 48), m3));
          m += 16;
        }
      }
      const drow2 = drow + f32s(W);
      add_lanes(drow, a0, 0, W, tmp);
      add_lanes(drow + 16, a1, 4, W, tmp);
      add_lanes(drow + 32, a2, 8, W, tmp);
      add_lanes(drow + 48, a3, 12, W, tmp);
      add_lanes(drow2, b0, 0, W, tmp);
      add_lanes(drow2 + 16, b1, 4, W, tmp);
      add_lanes(drow2 + 32, b2, 8, W, tmp);
      add_lanes(drow2 + 48, b3, 12, W, tmp);
      ih++;
      continue;
    }
    for (let done = 0; done < nvec; done += 4) {
      // vectors v0 .. v0 + 3 (v0 .. nvec - 1 when there are fewer than 4)
      const v0 = max(0, min(done, nvec - 4));
      const mid = nvec >= 4 && load<i32>(clean + f32s(v0 + 1)) != 0 && load<i32>(clean + f32s(v0 + 2)) != 0;
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
      for (let kh = 0; kh < K; kh++) {
        const oh = ih + pad - kh;
        if (oh < 0 || oh >= Ho) continue;
        const off = f32s(<usize>oh * Wo + <usize>(4 * v0 + pad));
        let t = taps + f32s(<usize>kh * K);
        let m = mask + vecs(<usize>v0 * K);
        const tEnd = t + f32s(K);
        if (mid) {
          for (; t < tEnd; t += 4) {
            const q = <usize>load<i32>(t) + off;
            s0 = term(s0, q, m);
            s1 = f32x4.add(s1, v128.load(q, 16));
            s2 = f32x4.add(s2, v128.load(q, 32));
            s3 = term(s3, q + 48, m + 3 * mStep);
            m += 16;
          }
        } else if (nvec >= 4) {
          for (; t < tEnd; t += 4) {
            const q = <usize>load<i32>(t) + off;
            s0 = term(s0, q, m);
            s1 = term(s1, q + 16, m + mStep);
            s2 = term(s2, q + 32, m + 2 * mStep);
            s3 = term(s3, q + 48, m + 3 * mStep);
            m += 16;
          }
        } else {
          for (; t < tEnd; t += 4) {
            const q = <usize>load<i32>(t) + off;
            s0 = term(s0, q, m);
            if (nvec > 1) s1 = term(s1, q + 16, m + mStep);
            if (nvec > 2) s2 = term(s2, q + 32, m + 2 * mStep);
            m += 16;
          }
        }
      }
      // those below `done` were stored by the block before
      const iw = 4 * v0;
      if (v0 >= done) add_lanes(drow + f32s(iw), s0, iw, W, tmp);
      if (v0 + 1 >= done && v0 + 1 < nvec) add_lanes(drow + f32s(iw + 4), s1, iw + 4, W, tmp);
      if (v0 + 2 >= done && v0 + 2 < nvec) add_lanes(drow + f32s(iw + 8), s2, iw + 8, W, tmp);
      if (v0 + 3 < nvec) add_lanes(drow + f32s(iw + 12), s3, iw + 12, W, tmp);
    }
  }
}

/**
 * dinp of conv2d_backward alone (dinp += conv_transpose(dout, weight)), image by image: each image's
 * gradient depends on that image only, so a host may split the images among threads (each with its own
 * ws) and get the same bits. Per image: t (CKK, HW) = weight^T · dout_n with the outer-product tile,
 * four taps at a time (t = Σ_co w·dout from +0), into a ring of rows that stays in cache; as soon as
 * every tap of an input channel is in it, the channel's inputs gather their taps' t in order in
 * registers (gather_channel) and dinp += s. (Before: each block of 4 taps was scattered (col2im) into
 * a padded accumulator with shifted, overlapping read-modify-writes, then the accumulator added to
 * dinp: about 13% of the time for conv2, the gather about 5%.)
 */
export function conv2d_backward_input(dinp: usize, dout: usize, weight: usize, N: i32, Cin: i32, H: i32, W: i32,
                                      Cout: i32, K: i32, pad: i32, ws: usize): void {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const HW = Ho * Wo, CKK = Cin * K * K, KK = K * K;
  if (N <= 0 || Cout <= 0 || Ho <= 0 || Wo <= 0 || !dinp) return;
  const wsAT = bwdAt(B_AT, ws, Cin, H, W, Cout, K, pad);
  const wsRing = bwdAt(B_DCOL, ws, Cin, H, W, Cout, K, pad);
  const wsEdge = bwdAt(B_EDGE, ws, Cin, H, W, Cout, K, pad);
  const wsTmp = bwdAt(B_TMP, ws, Cin, H, W, Cout, K, pad);
  const wsMask = bwdAt(B_MASK, ws, Cin, H, W, Cout, K, pad);
  const wsTaps = bwdAt(B_TAPS, ws, Cin, H, W, Cout, K, pad);
  const R = ringTaps(K);
  // weight^T (CKK, Cout) as pre-splatted panels of 4 taps: element (r, co) at weight + co CKK 4 + r 4
  for (let r = 0; r < CKK; r += 4) {
    pack_a_splat(wsAT + <usize>(r >> 2) * Cout * SPLAT_K, weight + f32s(r), 4, f32s(CKK), min(4, CKK - r), Cout);
  }
  // the gather's lane masks, (v, kw) lane l valid iff 0 <= ow = 4v + l + pad - kw < Wo, and whether all
  // of vector v's are
  const nvec = (W + 3) >> 2;
  const wsClean = wsMask + vecs(<usize>nvec * K);
  for (let v = 0; v < nvec; v++) {
    let all = i32x4.splat(-1);
    for (let kw = 0; kw < K; kw++) {
      const ow = i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(4 * v + pad - kw));
      const ok = v128.and(i32x4.ge_s(ow, i32x4.splat(0)), i32x4.lt_s(ow, i32x4.splat(Wo)));
      v128.store(wsMask + vecs(<usize>(v * K + kw)), ok);
      all = v128.and(all, ok);
    }
    store<i32>(wsClean + f32s(v), i32x4.all_true(all) ? 1 : 0);
  }
  const ldHW = f32s(HW);
  const tail = HW & 7;
  // a tail of <= 4 columns: the 8x4 edge tile over both groups of a pair (8 add chains) where tile_row
  // would run tile4x4 on each (4 chains, bound by their latency: ~3% of the time for conv2)
  const splat = tail > 0 && tail <= 4;
  const nMain = splat ? HW - tail : HW;
  for (let n = 0; n < N; n++) {
    const dn = dout + f32s(<usize>n * Cout * HW);
    const di = dinp + f32s(<usize>n * Cin * H * W);
    if (splat) pack_b_splat(wsEdge, dn + f32s(HW - tail), ldHW, tail, Cout);
    else if (tail) pack_b_edge(wsEdge, dn + f32s(HW - tail), ldHW, tail, Cout);
    let ci = 0; // channels gathered so far
    let rr = 0; // r mod R: the ring row of tap r (counted, not divided: the divisions were ~0.5% of the time)
    for (let r = 0; r < CKK; r += 8) {
      // the groups of taps r .. r + 3 and r + 4 .. r + 7 (rows of them valid)
      const rowsA = min(4, CKK - r), rowsB = min(4, CKK - r - 4);
      const ringA = wsRing + <usize>rr * ldHW;
      rr += 4;
      if (rr >= R) rr -= R;
      const ringB = wsRing + <usize>rr * ldHW;
      if (rowsB > 0) {
        rr += 4;
        if (rr >= R) rr -= R;
      }
      const pair = splat && rowsB == 4;
      tile_row(ringA, ldHW, wsAT + <usize>(r >> 2) * Cout * SPLAT_K, rowsA, dn, PANEL_K, ldHW, wsEdge, PANEL_K, nMain,
               Cout, 0, wsTmp);
      if (rowsB > 0) {
        tile_row(ringB, ldHW, wsAT + <usize>((r >> 2) + 1) * Cout * SPLAT_K, rowsB, dn, PANEL_K, ldHW, wsEdge, PANEL_K,
                 nMain, Cout, 0, wsTmp);
      }
      if (pair) {
        // t[r + i][nMain + j] = Σ_co weight[co][r + i] · dout[co][nMain + j] from +0, as tile4x4 sums it
        tile8x4t(ringA + f32s(nMain), ringB + f32s(nMain), ldHW, weight + f32s(r), f32s(CKK), wsEdge, Cout, tail,
                 wsTmp);
      } else if (splat) {
        // a last, partial pair: the edge from the splatted panel one group at a time (lane by lane)
        edge_splat(ringA + f32s(nMain), ldHW, weight + f32s(r), f32s(CKK), wsEdge, Cout, rowsA, tail);
        if (rowsB > 0) {
          edge_splat(ringB + f32s(nMain), ldHW, weight + f32s(r + 4), f32s(CKK), wsEdge, Cout, rowsB, tail);
        }
      }
      const done = r + rowsA + max(rowsB, 0);
      // every channel whose taps are all in the ring now (while they are still in cache)
      for (; (ci + 1) * KK <= done; ci++) {
        let row = (ci * KK) % R, kw = 0; // ring row and kw of tap (ci, k)
        for (let k = 0; k < KK; k++) {
          store<i32>(wsTaps + f32s(k), <i32>(wsRing + <usize>row * ldHW - f32s(kw)));
          if (++row == R) row = 0;
          if (++kw == K) kw = 0;
        }
        gather_channel(di + f32s(<usize>ci * H * W), wsTaps, wsMask, H, W, K, pad, Ho, Wo, wsTmp);
      }
    }
  }
}

/** C[i][j] = Σ_k w[k][i] · b_j(k) from +0 for rows i < rows, columns j < cols: the scalar form of
 *  tile8x4t (same order) for a last group that has no partner. w: row k at w + k lda; b: pack_b_splat. */
function edge_splat(C: usize, ldc: usize, w: usize, lda: usize, b: usize, K: i32, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s: f32 = 0;
      for (let k = 0; k < K; k++) {
        s += load<f32>(w + <usize>k * lda + f32s(i)) * load<f32>(b + <usize>k * SPLAT_K + vecs(j));
      }
      store<f32>(C + <usize>i * ldc + f32s(j), s);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Scalar twins: direct loops, the specification (orders as stated at the top).

/** One output of the forward twin: bias[co] + s, s = Σ_{ci, kh, kw} w·x in that order from +0 (taps in
 *  the padding skipped: they would add an exact +0). */
function conv_at_ref(inp: usize, weight: usize, bias: usize, n: i32, co: i32, oh: i32, ow: i32, Cin: i32, H: i32,
                     W: i32, K: i32, pad: i32): f32 {
  let s: f32 = 0;
  for (let ci = 0; ci < Cin; ci++) {
    for (let kh = 0; kh < K; kh++) {
      const ih = oh + kh - pad;
      if (ih < 0 || ih >= H) continue;
      for (let kw = 0; kw < K; kw++) {
        const iw = ow + kw - pad;
        if (iw < 0 || iw >= W) continue;
        s += load<f32>(weight + ((<usize>((co * Cin + ci) * K + kh) * K + kw) << 2)) *
             load<f32>(inp + ((<usize>((n * Cin + ci) * H + ih) * W + iw) << 2));
      }
    }
  }
  return load<f32>(bias + (<usize>co << 2)) + s;
}

/** Scalar twin of conv2d_forward (same arguments without ws). */
export function conv2d_forward_ref(out: usize, inp: usize, weight: usize, bias: usize, N: i32, Cin: i32, H: i32,
                                   W: i32, Cout: i32, K: i32, pad: i32): void {
  const Ho = H + 2 * pad - K + 1, Wo = W + 2 * pad - K + 1;
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Cout; co++) {
      for (let oh = 0; oh < Ho; oh++) {
        for (let ow = 0; ow < Wo; ow++) {
          store<f32>(out + ((<usize>((n * Cout + co) * Ho + oh) * Wo + ow) << 2),
                     conv_at_ref(inp, weight, bias, n, co, oh, ow, Cin, H, W, K, pad));
        }
      }
    }
  }
}

/** Scalar twin of conv2d_relu_maxpool_forward (same arguments without ws): every window's four conv
 *  outputs by conv_at_ref, ReLU'd and compared as the scalar max-pool twin does (assembly/inline/pool.ts
 *  pool_one over a 2x2 block of ReLU'd values). */
export function conv2d_relu_maxpool_forward_ref(out: usize, argmax: usize, inp: usize, weight: usize, bias: usize,
                                                N: i32, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): void {
  const Ho = H + 2 * pad - K + 1, Wo = W + 2 * pad - K + 1;
  const Po = Ho >> 1, Qo = Wo >> 1;
  const win = memory.data(16); // the window's four conv outputs, row-major (2 x 2)
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Cout; co++) {
      for (let ph = 0; ph < Po; ph++) {
        for (let pw = 0; pw < Qo; pw++) {
          for (let k = 0; k < 4; k++) {
            const v = conv_at_ref(inp, weight, bias, n, co, 2 * ph + (k >> 1), 2 * pw + (k & 1), Cin, H, W, K, pad);
            store<f32>(win + (<usize>k << 2), v);
          }
          // pool_one reads the window as a plane of width 2 starting at element 0 and records
          // base + (0 | 1 | 2 | 3): map those back to the (n, co) plane of width Wo
          const o = ((n * Cout + co) * Po + ph) * Qo + pw;
          pool_one(out, argmax, win, 0, 2, o, 0, true);
          const k = load<i32>(argmax + (<usize>o << 2));
          store<i32>(argmax + (<usize>o << 2), ((n * Cout + co) * Ho + 2 * ph + (k >> 1)) * Wo + 2 * pw + (k & 1));
        }
      }
    }
  }
}

/** Scalar twin of conv2d_backward_params (same arguments without ws): for each work item in [i0, i1)
 *  (item i = g * pairs(Cout) + pr: output channels 2 pr, 2 pr + 1, taps 4 g .. 4 g + 3, and for g = 0
 *  the bias of those channels), per image in order s = Σ_p over the positions in order from +0, then
 *  d += s. dbias bit-identical; dweight sums sequentially, the fast kernel in four lanes (equal to
 *  rounding, see the top). A d-output of 0 is skipped. */
export function conv2d_backward_params_ref(dweight: usize, dbias: usize, dout: usize, inp: usize, N: i32, Cin: i32,
                                           H: i32, W: i32, Cout: i32, K: i32, pad: i32, i0: i32, i1: i32): void {
  const Ho = H + 2 * pad - K + 1, Wo = W + 2 * pad - K + 1;
  if (Ho <= 0 || Wo <= 0) return;
  const CKK = Cin * K * K, KK = K * K;
  const P = <i32>pairs(Cout);
  for (let it = max(i0, 0); it < i1; it++) {
    const g = it / P, pr = it - g * P;
    for (let co = 2 * pr; co < min(2 * pr + 2, Cout); co++) {
      for (let n = 0; dbias && g == 0 && n < N; n++) {
        let s: f32 = 0;
        for (let p = 0; p < Ho * Wo; p++) s += load<f32>(dout + ((<usize>(n * Cout + co) * Ho * Wo + p) << 2));
        store<f32>(dbias + (<usize>co << 2), load<f32>(dbias + (<usize>co << 2)) + s);
      }
      for (let r = 4 * g; dweight && r < min(4 * g + 4, CKK); r++) {
        const ci = r / KK, kh = (r - ci * KK) / K, kw = r - ci * KK - kh * K;
        for (let n = 0; n < N; n++) {
          let s: f32 = 0;
          for (let oh = 0; oh < Ho; oh++) {
            const ih = oh + kh - pad;
            if (ih < 0 || ih >= H) continue;
            for (let ow = 0; ow < Wo; ow++) {
              const iw = ow + kw - pad;
              if (iw < 0 || iw >= W) continue;
              s += load<f32>(dout + ((<usize>((n * Cout + co) * Ho + oh) * Wo + ow) << 2)) *
                   load<f32>(inp + ((<usize>((n * Cin + ci) * H + ih) * W + iw) << 2));
            }
          }
          const d = dweight + ((<usize>(co * CKK + r)) << 2);
          store<f32>(d, load<f32>(d) + s);
        }
      }
    }
  }
}

/** Scalar twin of conv2d_backward_input (same arguments without ws; dinp = 0 is skipped): per input
 *  element, for each tap (kh, kw) in order t = Σ_co w·dout from +0, s = Σ_taps t from +0, dinp += s.
 *  Bit-identical. */
export function conv2d_backward_input_ref(dinp: usize, dout: usize, weight: usize, N: i32, Cin: i32, H: i32, W: i32,
                                          Cout: i32, K: i32, pad: i32): void {
  const Ho = H + 2 * pad - K + 1, Wo = W + 2 * pad - K + 1;
  if (dinp == 0) return;
  for (let n = 0; n < N; n++) {
    for (let ci = 0; ci < Cin; ci++) {
      for (let ih = 0; ih < H; ih++) {
        for (let iw = 0; iw < W; iw++) {
          let s: f32 = 0;
          for (let kh = 0; kh < K; kh++) {
            const oh = ih + pad - kh;
            if (oh < 0 || oh >= Ho) continue;
            for (let kw = 0; kw < K; kw++) {
              const ow = iw + pad - kw;
              if (ow < 0 || ow >= Wo) continue;
              let t: f32 = 0;
              for (let co = 0; co < Cout; co++) {
                t += load<f32>(weight + ((<usize>((co * Cin + ci) * K + kh) * K + kw) << 2)) *
                     load<f32>(dout + ((<usize>((n * Cout + co) * Ho + oh) * Wo + ow) << 2));
              }
              s += t;
            }
          }
          const d = dinp + ((<usize>((n * Cin + ci) * H + ih) * W + iw) << 2);
          store<f32>(d, load<f32>(d) + s);
        }
      }
    }
  }
}

/** Scalar twin of conv2d_backward (same arguments without ws; a d-output of 0 is skipped): the
 *  parameter twin over all items, then the input twin (the outputs are disjoint, so the order between
 *  the two does not matter). */
export function conv2d_backward_ref(dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize,
                                    N: i32, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): void {
  conv2d_backward_params_ref(dweight, dbias, dout, inp, N, Cin, H, W, Cout, K, pad, 0, conv2d_param_items(Cin, Cout, K));
  conv2d_backward_input_ref(dinp, dout, weight, N, Cin, H, W, Cout, K, pad);
}
