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
//   forward   im2col straight into the packed 8-column panels of assembly/inline/tiles.ts, weights
//             packed once per call, then the 4x8 outer-product tile.
//   dweight   dW (Cout, CKK) += dout_n (Cout, HW) · col^T: the 2x4 inner-product tile (vectorized
//             along HW, so no transposes) on col and dout_n packed in 4-f32 chunks, 4 taps resp.
//             2 rows interleaved, which im2col writes directly.
//   dinp      dcol (CKK, HW) = weight^T · dout_n with the outer-product tile, four taps at a time,
//             each block added (col2im) into a zero-padded copy of dinp right away, taps in order;
//             finally the copy's interior is added to dinp.
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

import { tile_row, pack_a_splat, pack_b_edge, dot2x4p, merge_tile } from "./inline/tiles";

// ---------------------------------------------------------------------------------------------------
// Geometry and scratch layout (all offsets 64-byte aligned).

@inline function al64(b: usize): usize { return (b + 63) & ~(<usize>63); }

/** Slack (bytes) before and after the padded image: the vector im2col reads up to 8 f32 outside. */
const SLACK: usize = 64;

@inline function padBytes(Cin: i32, Hp: i32, Wp: i32): usize {
  return al64(<usize>Cin * Hp * Wp * 4) + 2 * SLACK;
}

/** Forward scratch: [A: weights pre-splatted (ceil(Cout/4), CKK, 4, 4)] [padded image] [col panels] [tile]
 *  [tap offsets (CKK) i32]. */
@inline function fwdBytes(Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): usize {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const CKK = <usize>Cin * K * K;
  const panels = <usize>((Ho * Wo + 7) >> 3);
  return al64(<usize>((Cout + 3) >> 2) * CKK * 64) + padBytes(Cin, Hp, Wp) + al64(panels * CKK * 32) + 128 + al64(CKK * 4);
}

/** Backward scratch: [AT: weight^T pre-splatted (ceil(CKK/4), Cout, 4, 4)] [padded image]
 *  [col in chunk-interleaved groups of 4 taps (ceil(CKK/4), HW4/4, 4, 4), reused for 4 rows of dcol (4, HW)]
 *  [dout_n in chunk-interleaved pairs of rows (ceil(Cout/2), HW4/4, 2, 4)] [padded dinp]
 *  [dout edge panel (Cout, 8)] [tile] [tap offsets (CKK) i32]. */
@inline function bwdBytes(Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): usize {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const CKK = <usize>Cin * K * K;
  const HW4 = <usize>((Ho * Wo + 3) & ~3);
  return al64(((CKK + 3) >> 2) * <usize>Cout * 64) + padBytes(Cin, Hp, Wp) + al64(((CKK + 3) >> 2) * HW4 * 16) +
    al64(<usize>((Cout + 1) >> 1) * HW4 * 8) + al64(<usize>Cin * Hp * Wp * 4 + 16) + al64(<usize>Cout * 32) + 128 +
    al64(CKK * 4);
}

/**
 * Scratch bytes conv2d_forward and conv2d_backward need (the larger of the two), for one image at a
 * time: independent of N (kept in the signature so callers need not know). For the MNIST network's
 * conv2 (16 -> 32, 5x5, pad 2, 14x14) about 0.6 MB.
 */
export function conv2d_ws_bytes(N: i32, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): usize {
  const f = fwdBytes(Cin, H, W, Cout, K, pad), b = bwdBytes(Cin, H, W, Cout, K, pad);
  return f > b ? f : b;
}

/** Copy image x (Cin, H, W) into the zero-padded buffer dst (Cin, Hp, Wp). */
function pad_image(dst: usize, x: usize, Cin: i32, H: i32, W: i32, pad: i32): void {
  const Hp = H + 2 * pad, Wp = W + 2 * pad;
  if (pad > 0) memory.fill(dst, 0, <usize>Cin * Hp * Wp * 4);
  const rowBytes = <usize>W << 2;
  const vecB = <usize>(W >> 2) << 4;
  for (let c = 0; c < Cin; c++) {
    let d = dst + ((<usize>c * Hp * Wp + <usize>pad * Wp + pad) << 2);
    let s = x + ((<usize>c * H * W) << 2);
    for (let y = 0; y < H; y++) {
      // (memory.copy is a runtime call in V8: too slow for rows of a few floats)
      for (let o: usize = 0; o < vecB; o += 16) v128.store(d + o, v128.load(s + o));
      for (let o = vecB; o < rowBytes; o += 4) store<f32>(d + o, load<f32>(s + o));
      d += <usize>Wp << 2;
      s += rowBytes;
    }
  }
}

/** Byte offsets of every tap r = (ci, kh, kw) in the padded image: tab[r] (i32), r < CKK. */
function tap_table(tab: usize, Cin: i32, Hp: i32, Wp: i32, K: i32): void {
  for (let ci = 0; ci < Cin; ci++) {
    for (let kh = 0; kh < K; kh++) {
      for (let kw = 0; kw < K; kw++) {
        store<i32>(tab, <i32>(((ci * Hp + kh) * Wp + kw) << 2));
        tab += 4;
      }
    }
  }
}

/**
 * im2col of one padded image straight into packed column panels: panel j (columns p = 8j .. 8j+7)
 * holds for every tap r the 8 values col[r][p] = xp[ci][oh + kh][ow + kw] at dst + (j CKK + r) 32
 * (zeros for p >= HW). A panel whose 8 positions lie in one output row is two unaligned vector
 * copies per tap; one that wraps to the next row blends two such loads with a lane mask; panels
 * that wrap more than once (Wo < 8) or run past HW go lane by lane.  tab: tap_table(...)
 */
function im2col_panels(dst: usize, xp: usize, tab: usize, Cin: i32, Hp: i32, Wp: i32, K: i32, Ho: i32, Wo: i32): void {
  const CKK = Cin * K * K, HW = Ho * Wo;
  const panels = (HW + 7) >> 3;
  const delta = <usize>(Wp - Wo) << 2;
  const tabEnd = tab + (<usize>CKK << 2);
  let oh = 0, ow = 0;
  for (let j = 0; j < panels; j++) {
    const a = Wo - ow; // positions of this panel in output row oh
    const s1 = xp + ((<usize>oh * Wp + ow) << 2);
    let d = dst + (<usize>j * CKK << 5);
    if ((j << 3) + 8 <= HW && a >= 8) {
      let t = tab;
      for (; t + 16 <= tabEnd; t += 16) { // four taps per iteration (fewer loop instructions)
        let q = s1 + <usize>load<i32>(t);
        v128.store(d, v128.load(q));
        v128.store(d, v128.load(q, 16), 16);
        q = s1 + <usize>load<i32>(t, 4);
        v128.store(d, v128.load(q), 32);
        v128.store(d, v128.load(q, 16), 48);
        q = s1 + <usize>load<i32>(t, 8);
        v128.store(d, v128.load(q), 64);
        v128.store(d, v128.load(q, 16), 80);
        q = s1 + <usize>load<i32>(t, 12);
        v128.store(d, v128.load(q), 96);
        v128.store(d, v128.load(q, 16), 112);
        d += 128;
      }
      for (; t < tabEnd; t += 4) {
        const q = s1 + <usize>load<i32>(t);
        v128.store(d, v128.load(q));
        v128.store(d, v128.load(q, 16), 16);
        d += 32;
      }
    } else if ((j << 3) + 8 <= HW && 8 - a <= Wo) {
      // lanes < a from row oh (from ow on), lanes >= a from row oh + 1 (from its start)
      const sa = i32x4.splat(a);
      const mLo = i32x4.lt_s(i32x4(0, 1, 2, 3), sa), mHi = i32x4.lt_s(i32x4(4, 5, 6, 7), sa);
      for (let t = tab; t < tabEnd; t += 4) {
        const q = s1 + <usize>load<i32>(t);
        const q2 = q + delta;
        v128.store(d, v128.bitselect(v128.load(q), v128.load(q2), mLo));
        v128.store(d, v128.bitselect(v128.load(q, 16), v128.load(q2, 16), mHi), 16);
        d += 32;
      }
    } else {
      for (let t = tab; t < tabEnd; t += 4) {
        const base = xp + <usize>load<i32>(t);
        for (let l = 0; l < 8; l++) {
          const p = (j << 3) + l;
          let v: f32 = 0;
          if (p < HW) {
            const y = p / Wo, x = p - y * Wo;
            v = load<f32>(base + ((<usize>y * Wp + x) << 2));
          }
          store<f32>(d + (<usize>l << 2), v);
        }
        d += 32;
      }
    }
    ow += 8;
    while (ow >= Wo) {
      ow -= Wo;
      oh++;
    }
  }
}

/**
 * im2col of one padded image in chunk-interleaved groups of 4 taps, the B operand of dot2x4p:
 * col[r][p] (r = 4g + l) at dst + g (HW4 / 4) 64 + (p >> 2) 64 + 16 l + 4 (p & 3); zeros for p >= HW
 * and for taps r >= CKK. Chunk by chunk (4 output positions), then every group of taps: a chunk
 * inside one output row is one unaligned vector load per tap; one that wraps to the next row blends
 * two loads with a lane mask; the rest (Wo < 4, the last chunk, a last partial group of taps) goes
 * lane by lane.  tab: tap_table(...)
 */
function im2col_chunks(dst: usize, xp: usize, tab: usize, Cin: i32, Hp: i32, Wp: i32, K: i32, Ho: i32, Wo: i32): void {
  const CKK = Cin * K * K, HW = Ho * Wo, chunks = (HW + 3) >> 2;
  const groups = CKK >> 2, rest = CKK & 3;
  const gStride = <usize>chunks << 6;
  const delta = <usize>(Wp - Wo) << 2;
  const tabEnd = tab + (<usize>groups << 4);
  let oh = 0, ow = 0;
  for (let c = 0; c < chunks; c++) {
    const a = Wo - ow; // positions of this chunk in output row oh
    const s1 = xp + ((<usize>oh * Wp + ow) << 2);
    const d0 = dst + (<usize>c << 6);
    const inside = (c << 2) + 4 <= HW;
    if (inside && 4 - a <= Wo) {
      // a >= 4: one vector per tap; otherwise lanes >= a come from row oh + 1 (from its start)
      const m = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(a));
      const s2 = a >= 4 ? s1 : s1 + delta;
      let d = d0;
      if (a >= 4) {
        for (let t = tab; t < tabEnd; t += 16) {
          v128.store(d, v128.load(s1 + <usize>load<i32>(t)));
          v128.store(d, v128.load(s1 + <usize>load<i32>(t, 4)), 16);
          v128.store(d, v128.load(s1 + <usize>load<i32>(t, 8)), 32);
          v128.store(d, v128.load(s1 + <usize>load<i32>(t, 12)), 48);
          d += gStride;
        }
      } else {
        for (let t = tab; t < tabEnd; t += 16) {
          let o = <usize>load<i32>(t);
          v128.store(d, v128.bitselect(v128.load(s1 + o), v128.load(s2 + o), m));
          o = <usize>load<i32>(t, 4);
          v128.store(d, v128.bitselect(v128.load(s1 + o), v128.load(s2 + o), m), 16);
          o = <usize>load<i32>(t, 8);
          v128.store(d, v128.bitselect(v128.load(s1 + o), v128.load(s2 + o), m), 32);
          o = <usize>load<i32>(t, 12);
          v128.store(d, v128.bitselect(v128.load(s1 + o), v128.load(s2 + o), m), 48);
          d += gStride;
        }
      }
      // the partial last group: its taps, then zero rows
      for (let l = 0; l < rest; l++) {
        const o = <usize>load<i32>(tabEnd + (<usize>l << 2));
        v128.store(d + (<usize>l << 4), v128.bitselect(v128.load(s1 + o), v128.load(s2 + o), m));
      }
      if (rest) for (let l = rest; l < 4; l++) v128.store(d + (<usize>l << 4), f32x4.splat(0));
    } else {
      // lane by lane (Wo < 4 or the last chunk): every group, zeros past HW and past CKK
      for (let g = 0; g < (CKK + 3) >> 2; g++) {
        const d = d0 + <usize>g * gStride;
        for (let l = 0; l < 4; l++) {
          const r = (g << 2) + l;
          for (let q = 0; q < 4; q++) {
            const p = (c << 2) + q;
            let v: f32 = 0;
            if (r < CKK && p < HW) {
              const y = p / Wo, x = p - y * Wo;
              v = load<f32>(xp + <usize>load<i32>(tab + (<usize>r << 2)) + ((<usize>y * Wp + x) << 2));
            }
            store<f32>(d + (<usize>(l * 4 + q) << 2), v);
          }
        }
      }
    }
    ow += 4;
    while (ow >= Wo) {
      ow -= Wo;
      oh++;
    }
  }
}

/** Rows of src (rows, HW) at stride ld bytes in chunk-interleaved pairs, the A operand of dot2x4p:
 *  row 2g + i, chunk c at dst + g (HW4 / 4) 32 + 32 c + 16 i; zeros past HW and for a missing row. */
function pack_rows2(dst: usize, src: usize, ld: usize, rows: i32, HW: i32): void {
  const full = HW >> 2, rem = HW & 3;
  const z = f32x4.splat(0);
  for (let g = 0; g < rows; g += 2) {
    const a0 = src + <usize>g * ld;
    const two = g + 1 < rows;
    const a1 = a0 + ld;
    for (let c = 0; c < full; c++) {
      const o = <usize>c << 4;
      v128.store(dst, v128.load(a0 + o));
      v128.store(dst, two ? v128.load(a1 + o) : z, 16);
      dst += 32;
    }
    if (rem) {
      v128.store(dst, z);
      v128.store(dst, z, 16);
      const o = <usize>full << 4;
      for (let q = 0; q < rem; q++) {
        const b = <usize>q << 2;
        store<f32>(dst + b, load<f32>(a0 + o + b));
        if (two) store<f32>(dst + 16 + b, load<f32>(a1 + o + b));
      }
      dst += 32;
    }
  }
}

/** Add f32 src[0..n) into dst[0..n) (any alignment): vectors, then a scalar tail. */
@inline function add_into(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** col2im of the taps r0 .. r0+n-1: dp[ci][oh + kh][ow + kw] += dcol[r - r0][oh Wo + ow], tap by tap
 *  in order.  dcol: (n, HW) row-major   dp: (Cin, Hp, Wp) + 16 bytes of slack   tab: tap_table(...)
 *  Each output row is `vecs` = ceil(Wo / 4) whole vectors; the last one's lanes past Wo are masked
 *  to +0 (mask `last`), so they add +0 to the cells after the row, which changes nothing: the cells
 *  start at +0 and a sum that starts at +0 is never -0. */
function col2im_taps(dp: usize, dcol: usize, tab: usize, r0: i32, n: i32, Hp: i32, Wp: i32, Ho: i32, Wo: i32,
                     vecs: i32, last: v128): void {
  const rowB = <usize>Wp << 2, segB = <usize>Wo << 2;
  const lastO = <usize>(vecs - 1) << 4;
  for (let r = r0; r < r0 + n; r++) {
    let d = dp + <usize>load<i32>(tab + (<usize>r << 2));
    for (let oh = 0; oh < Ho; oh++) {
      for (let o: usize = 0; o < lastO; o += 16) {
        v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(dcol + o)));
      }
      v128.store(d + lastO, f32x4.add(v128.load(d + lastO), v128.and(v128.load(dcol + lastO), last)));
      d += rowB;
      dcol += segB;
    }
  }
}

/** dst[i] += Σ_p src[i][p] for rows i < rows of length n at stride ld bytes; every row summed
 *  sequentially from +0 (eight rows at a time, so eight independent add chains hide the latency). */
function row_sums_add(dst: usize, src: usize, ld: usize, rows: i32, n: i32): void {
  const nB = <usize>n << 2;
  let i = 0;
  for (; i + 8 <= rows; i += 8) {
    const r = src + <usize>i * ld;
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
    for (let o: usize = 0; o < nB; o += 4) {
      const q = r + o;
      s0 += load<f32>(q);
      s1 += load<f32>(q + ld);
      s2 += load<f32>(q + 2 * ld);
      s3 += load<f32>(q + 3 * ld);
      s4 += load<f32>(q + 4 * ld);
      s5 += load<f32>(q + 5 * ld);
      s6 += load<f32>(q + 6 * ld);
      s7 += load<f32>(q + 7 * ld);
    }
    const d = dst + (<usize>i << 2);
    store<f32>(d, load<f32>(d) + s0);
    store<f32>(d, load<f32>(d, 4) + s1, 4);
    store<f32>(d, load<f32>(d, 8) + s2, 8);
    store<f32>(d, load<f32>(d, 12) + s3, 12);
    store<f32>(d, load<f32>(d, 16) + s4, 16);
    store<f32>(d, load<f32>(d, 20) + s5, 20);
    store<f32>(d, load<f32>(d, 24) + s6, 24);
    store<f32>(d, load<f32>(d, 28) + s7, 28);
  }
  for (; i < rows; i++) {
    const r = src + <usize>i * ld;
    let s: f32 = 0;
    for (let o: usize = 0; o < nB; o += 4) s += load<f32>(r + o);
    const d = dst + (<usize>i << 2);
    store<f32>(d, load<f32>(d) + s);
  }
}

// ---------------------------------------------------------------------------------------------------
// Forward

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
  const HW = Ho * Wo, CKK = Cin * K * K;
  if (N <= 0 || Cout <= 0 || Ho <= 0 || Wo <= 0) return;
  const wsA = ws;
  const wsPad = wsA + al64(<usize>((Cout + 3) >> 2) * CKK * 64) + SLACK;
  const wsCol = wsPad - SLACK + padBytes(Cin, Hp, Wp);
  const panels = (HW + 7) >> 3;
  const wsTmp = wsCol + al64(<usize>panels * CKK * 32);
  const wsTab = wsTmp + 128;
  tap_table(wsTab, Cin, Hp, Wp, K);
  // weights, pre-splatted in panels of 4 output channels: once per call
  for (let i = 0; i < Cout; i += 4) {
    pack_a_splat(wsA + <usize>(i >> 2) * CKK * 64, weight + <usize>i * CKK * 4, <usize>CKK << 2, 4, min(4, Cout - i), CKK);
  }
  const ldc = <usize>HW << 2;
  const panelB = <usize>CKK << 5;
  const nfull = HW >> 3;
  for (let n = 0; n < N; n++) {
    pad_image(wsPad, inp + <usize>n * Cin * H * W * 4, Cin, H, W, pad);
    im2col_panels(wsCol, wsPad, wsTab, Cin, Hp, Wp, K, Ho, Wo);
    const o = out + <usize>n * Cout * HW * 4;
    // out = bias, then += weight · col: bias + s, s summed from +0 (the twin's order)
    for (let co = 0; co < Cout; co++) {
      const b = load<f32>(bias + (<usize>co << 2));
      const row = o + <usize>co * ldc;
      const bv = f32x4.splat(b);
      let p = 0;
      for (; p + 4 <= HW; p += 4) v128.store(row + (<usize>p << 2), bv);
      for (; p < HW; p++) store<f32>(row + (<usize>p << 2), b);
    }
    for (let i = 0; i < Cout; i += 4) {
      tile_row(o + <usize>i * ldc, ldc, wsA + <usize>(i >> 2) * CKK * 64, min(4, Cout - i),
               wsCol, panelB, 32, wsCol + <usize>nfull * panelB, 32, HW, CKK, 1, wsTmp);
    }
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
 */
export function conv2d_backward(dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize,
                                N: i32, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32, ws: usize): void {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const HW = Ho * Wo, CKK = Cin * K * K, HW4 = (HW + 3) & ~3;
  if (N <= 0 || Cout <= 0 || Ho <= 0 || Wo <= 0) return;
  const chunks = HW4 >> 2;
  const wsAT = ws;
  const wsPad = wsAT + al64(<usize>((CKK + 3) >> 2) * Cout * 64) + SLACK;
  const wsCol = wsPad - SLACK + padBytes(Cin, Hp, Wp);
  const wsDout = wsCol + al64(<usize>((CKK + 3) >> 2) * HW4 * 16);
  const wsDp = wsDout + al64(<usize>((Cout + 1) >> 1) * HW4 * 8);
  const wsEdge = wsDp + al64(<usize>Cin * Hp * Wp * 4 + 16);
  const wsTmp = wsEdge + al64(<usize>Cout * 32);
  const wsTab = wsTmp + 128;
  tap_table(wsTab, Cin, Hp, Wp, K);
  if (dinp) {
    // weight^T (CKK, Cout) as pre-splatted panels of 4 taps: element (r, co) at weight + co CKK 4 + r 4
    for (let r = 0; r < CKK; r += 4) {
      pack_a_splat(wsAT + <usize>(r >> 2) * Cout * 64, weight + (<usize>r << 2), 4, <usize>CKK << 2, min(4, CKK - r), Cout);
    }
  }
  const ldHW = <usize>HW << 2;
  const ldW = <usize>CKK << 2;
  const vecs = (Wo + 3) >> 2;
  const lastMask = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(Wo - ((vecs - 1) << 2)));
  const tail = HW & 7;
  for (let n = 0; n < N; n++) {
    const dn = dout + <usize>n * Cout * HW * 4;
    if (dbias) row_sums_add(dbias, dn, ldHW, Cout, HW);
    // dweight (Cout, CKK) += dout_n (Cout, HW) · col^T, both packed chunk-interleaved (skipped when
    // dweight == 0: saliency needs only the input gradient)
    if (dweight) {
      pad_image(wsPad, inp + <usize>n * Cin * H * W * 4, Cin, H, W, pad);
      im2col_chunks(wsCol, wsPad, wsTab, Cin, Hp, Wp, K, Ho, Wo);
      pack_rows2(wsDout, dn, ldHW, Cout, HW);
    }
    for (let r = 0; dweight && r < CKK; r += 4) {
      const pb = wsCol + <usize>(r >> 2) * chunks * 64;
      const cols = min(4, CKK - r);
      for (let i = 0; i < Cout; i += 2) {
        const pa = wsDout + <usize>(i >> 1) * chunks * 32;
        const c = dweight + <usize>i * ldW + (<usize>r << 2);
        const rows = min(2, Cout - i);
        if (rows == 2 && cols == 4) {
          dot2x4p(c, ldW, pa, pb, chunks, 1);
        } else {
          dot2x4p(wsTmp, 32, pa, pb, chunks, 0);
          merge_tile(c, ldW, wsTmp, rows, cols, 1);
        }
      }
    }
    if (dinp) {
      // dcol (CKK, HW) = weight^T · dout_n four taps at a time (in L1), each block added into the
      // zero-padded accumulator right away: taps in order, as col2im of the whole dcol would
      if (tail) pack_b_edge(wsEdge, dn + (<usize>(HW - tail) << 2), ldHW, tail, Cout);
      memory.fill(wsDp, 0, <usize>Cin * Hp * Wp * 4);
      for (let r = 0; r < CKK; r += 4) {
        const rows = min(4, CKK - r);
        tile_row(wsCol, ldHW, wsAT + <usize>(r >> 2) * Cout * 64, rows, dn, 32, ldHW, wsEdge, 32, HW, Cout, 0, wsTmp);
        col2im_taps(wsDp, wsCol, wsTab, r, rows, Hp, Wp, Ho, Wo, vecs, lastMask);
      }
      // dinp_n += interior of the padded accumulator
      const di = dinp + <usize>n * Cin * H * W * 4;
      for (let c = 0; c < Cin; c++) {
        for (let y = 0; y < H; y++) {
          add_into(di + ((<usize>(c * H + y) * W) << 2), wsDp + ((<usize>(c * Hp + y + pad) * Wp + pad) << 2), W);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Scalar twins: direct loops, the specification (orders as stated at the top).

/** Scalar twin of conv2d_forward (same arguments without ws). */
export function conv2d_forward_ref(out: usize, inp: usize, weight: usize, bias: usize, N: i32, Cin: i32, H: i32,
                                   W: i32, Cout: i32, K: i32, pad: i32): void {
  const Ho = H + 2 * pad - K + 1, Wo = W + 2 * pad - K + 1;
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Cout; co++) {
      for (let oh = 0; oh < Ho; oh++) {
        for (let ow = 0; ow < Wo; ow++) {
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
          store<f32>(out + ((<usize>((n * Cout + co) * Ho + oh) * Wo + ow) << 2), load<f32>(bias + (<usize>co << 2)) + s);
        }
      }
    }
  }
}

/** Scalar twin of conv2d_backward (same arguments without ws; a d-output of 0 is skipped). */
export function conv2d_backward_ref(dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize,
                                    N: i32, Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): void {
  const Ho = H + 2 * pad - K + 1, Wo = W + 2 * pad - K + 1;
  for (let n = 0; n < N; n++) {
    for (let co = 0; dbias && co < Cout; co++) {
      let s: f32 = 0;
      for (let p = 0; p < Ho * Wo; p++) s += load<f32>(dout + ((<usize>(n * Cout + co) * Ho * Wo + p) << 2));
      store<f32>(dbias + (<usize>co << 2), load<f32>(dbias + (<usize>co << 2)) + s);
    }
    for (let co = 0; dweight && co < Cout; co++) {
      for (let ci = 0; ci < Cin; ci++) {
        for (let kh = 0; kh < K; kh++) {
          for (let kw = 0; kw < K; kw++) {
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
            const d = dweight + ((<usize>((co * Cin + ci) * K + kh) * K + kw) << 2);
            store<f32>(d, load<f32>(d) + s);
          }
        }
      }
    }
    if (dinp == 0) continue;
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
