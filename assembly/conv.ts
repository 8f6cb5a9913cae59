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
//   dweight   dW (Cout, CKK) += dout_n (Cout, HW) · col^T: the 2x4 inner-product tile on col's rows
//             (no transposes, no packing of dout).
//   dinp      dcol (CKK, HW) = weight^T · dout_n with the outer-product tile, then col2im adds dcol
//             into a zero-padded copy of dinp tap by tap, whose interior is finally added to dinp.
//   dbias     row sums of dout_n.
//
// Summation orders (fixed, so results are bit-reproducible; the *_ref twins spell them out):
//   out:   s = Σ_r w·x over r = (ci, kh, kw) in order from +0 (padding taps add an exact +0), out = bias + s.
//   dinp:  for each tap (kh, kw) in order, t = Σ_co w·dout from +0; s = Σ_taps t from +0; dinp += s.
//   dbias: s = Σ_p dout from +0 per image; dbias += s, images in order.
//   dweight: per image s = Σ_p dout·x in the inner-product tile's order (4 interleaved partial sums,
//          see tiles.ts), dweight += s, images in order — equal to the twin's sequential sum up to rounding.
// So conv2d_forward, dinp and dbias equal their twins bit for bit; dweight to rounding.

import { tile_row, pack_a_splat, pack_b_edge, dot_run } from "./inline/tiles";

// ---------------------------------------------------------------------------------------------------
// Geometry and scratch layout (all offsets 64-byte aligned).

@inline function al64(b: usize): usize { return (b + 63) & ~(<usize>63); }

/** Slack (bytes) before and after the padded image: the vector im2col reads up to 8 f32 outside. */
const SLACK: usize = 64;

@inline function padBytes(Cin: i32, Hp: i32, Wp: i32): usize {
  return al64(<usize>Cin * Hp * Wp * 4) + 2 * SLACK;
}

/** Forward scratch: [A: weights pre-splatted (ceil(Cout/4), CKK, 4, 4)] [padded image] [col panels] [tile]. */
@inline function fwdBytes(Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): usize {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const CKK = <usize>Cin * K * K;
  const panels = <usize>((Ho * Wo + 7) >> 3);
  return al64(<usize>((Cout + 3) >> 2) * CKK * 64) + padBytes(Cin, Hp, Wp) + al64(panels * CKK * 32) + 128;
}

/** Backward scratch: [AT: weight^T pre-splatted (ceil(CKK/4), Cout, 4, 4)] [padded image]
 *  [col rows (CKK, HW4) / dcol (CKK, HW)] [padded dinp] [dout edge panel (Cout, 8)] [zero row HW4] [tile]. */
@inline function bwdBytes(Cin: i32, H: i32, W: i32, Cout: i32, K: i32, pad: i32): usize {
  const Hp = H + 2 * pad, Wp = W + 2 * pad, Ho = Hp - K + 1, Wo = Wp - K + 1;
  const CKK = <usize>Cin * K * K;
  const HW4 = <usize>((Ho * Wo + 3) & ~3);
  return al64(((CKK + 3) >> 2) * <usize>Cout * 64) + padBytes(Cin, Hp, Wp) + al64(CKK * HW4 * 4 + 64) +
    al64(<usize>Cin * Hp * Wp * 4) + al64(<usize>Cout * 32) + al64(HW4 * 4) + 128;
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
  for (let c = 0; c < Cin; c++) {
    let d = dst + ((<usize>c * Hp * Wp + <usize>pad * Wp + pad) << 2);
    let s = x + ((<usize>c * H * W) << 2);
    for (let y = 0; y < H; y++) {
      memory.copy(d, s, rowBytes);
      d += <usize>Wp << 2;
      s += rowBytes;
    }
  }
}

/**
 * im2col of one padded image straight into packed column panels: panel j (columns p = 8j .. 8j+7)
 * holds for every tap r the 8 values col[r][p] = xp[ci][oh + kh][ow + kw] at dst + (j CKK + r) 32
 * (zeros for p >= HW). A panel whose 8 positions lie in one output row is two unaligned vector
 * copies per tap; one that wraps to the next row blends two such loads with a lane mask; panels
 * that wrap more than once (Wo < 8) or run past HW go lane by lane.
 */
function im2col_panels(dst: usize, xp: usize, Cin: i32, Hp: i32, Wp: i32, K: i32, Ho: i32, Wo: i32): void {
  const HW = Ho * Wo;
  const panels = (HW + 7) >> 3;
  const plane = <usize>Hp * Wp << 2;
  const rowB = <usize>Wp << 2;
  const iotaLo = i32x4(0, 1, 2, 3), iotaHi = i32x4(4, 5, 6, 7);
  for (let j = 0; j < panels; j++) {
    const p0 = j << 3;
    const oh0 = p0 / Wo, ow0 = p0 - oh0 * Wo;
    const a = Wo - ow0; // positions of this panel in output row oh0
    let d = dst + (<usize>j * Cin * K * K << 5);
    if (p0 + 8 <= HW && a >= 8) {
      const s = xp + ((<usize>oh0 * Wp + ow0) << 2);
      for (let ci = 0; ci < Cin; ci++) {
        for (let kh = 0; kh < K; kh++) {
          let q = s + <usize>ci * plane + <usize>kh * rowB;
          for (let kw = 0; kw < K; kw++) {
            v128.store(d, v128.load(q));
            v128.store(d, v128.load(q, 16), 16);
            d += 32;
            q += 4;
          }
        }
      }
    } else if (p0 + 8 <= HW && 8 - a <= Wo) {
      // lanes < a from row oh0 (starting at ow0), lanes >= a from row oh0 + 1 (starting at 0)
      const s1 = xp + ((<usize>oh0 * Wp + ow0) << 2);
      const s2 = xp + ((<usize>(oh0 + 1) * Wp - a) << 2);
      const sa = i32x4.splat(a);
      const mLo = i32x4.lt_s(iotaLo, sa), mHi = i32x4.lt_s(iotaHi, sa);
      const delta = s2 - s1;
      for (let ci = 0; ci < Cin; ci++) {
        for (let kh = 0; kh < K; kh++) {
          let q = s1 + <usize>ci * plane + <usize>kh * rowB;
          for (let kw = 0; kw < K; kw++) {
            const q2 = q + delta;
            v128.store(d, v128.bitselect(v128.load(q), v128.load(q2), mLo));
            v128.store(d, v128.bitselect(v128.load(q, 16), v128.load(q2, 16), mHi), 16);
            d += 32;
            q += 4;
          }
        }
      }
    } else {
      for (let ci = 0; ci < Cin; ci++) {
        for (let kh = 0; kh < K; kh++) {
          for (let kw = 0; kw < K; kw++) {
            const base = xp + <usize>ci * plane + ((<usize>kh * Wp + kw) << 2);
            for (let l = 0; l < 8; l++) {
              const p = p0 + l;
              let v: f32 = 0;
              if (p < HW) {
                const oh = p / Wo, ow = p - oh * Wo;
                v = load<f32>(base + ((<usize>oh * Wp + ow) << 2));
              }
              store<f32>(d + (<usize>l << 2), v);
            }
            d += 32;
          }
        }
      }
    }
  }
}

/** im2col rows of one padded image: col[r][p] at dst + (r HW4 + p) 4 for p < HW (row stride HW4 f32).
 *  Each output row is copied with whole vectors; the overshoot lands where the next copy (or the
 *  unread tail p >= HW, or the scratch slack) goes. */
function im2col_rows(dst: usize, xp: usize, Cin: i32, Hp: i32, Wp: i32, K: i32, Ho: i32, Wo: i32, HW4: i32): void {
  const vecs = (Wo + 3) >> 2;
  const rowB = <usize>Wp << 2;
  const outB = <usize>Wo << 2;
  for (let ci = 0; ci < Cin; ci++) {
    for (let kh = 0; kh < K; kh++) {
      for (let kw = 0; kw < K; kw++) {
        let s = xp + ((<usize>(ci * Hp + kh) * Wp + kw) << 2);
        let d = dst;
        for (let oh = 0; oh < Ho; oh++) {
          for (let v = 0; v < vecs; v++) {
            const o = <usize>v << 4;
            v128.store(d + o, v128.load(s + o));
          }
          s += rowB;
          d += outB;
        }
        dst += <usize>HW4 << 2;
      }
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

/** col2im: dp[ci][oh + kh][ow + kw] += dcol[r][oh Wo + ow] tap by tap, r = (ci, kh, kw) in order.
 *  dcol: (CKK, HW) row-major   dp: (Cin, Hp, Wp), zeroed by the caller. */
function col2im(dp: usize, dcol: usize, Cin: i32, Hp: i32, Wp: i32, K: i32, Ho: i32, Wo: i32): void {
  for (let ci = 0; ci < Cin; ci++) {
    for (let kh = 0; kh < K; kh++) {
      for (let kw = 0; kw < K; kw++) {
        let d = dp + ((<usize>(ci * Hp + kh) * Wp + kw) << 2);
        for (let oh = 0; oh < Ho; oh++) {
          add_into(d, dcol, Wo);
          d += <usize>Wp << 2;
          dcol += <usize>Wo << 2;
        }
      }
    }
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
  // weights, pre-splatted in panels of 4 output channels: once per call
  for (let i = 0; i < Cout; i += 4) {
    pack_a_splat(wsA + <usize>(i >> 2) * CKK * 64, weight + <usize>i * CKK * 4, <usize>CKK << 2, 4, min(4, Cout - i), CKK);
  }
  const ldc = <usize>HW << 2;
  const panelB = <usize>CKK << 5;
  const nfull = HW >> 3;
  for (let n = 0; n < N; n++) {
    pad_image(wsPad, inp + <usize>n * Cin * H * W * 4, Cin, H, W, pad);
    im2col_panels(wsCol, wsPad, Cin, Hp, Wp, K, Ho, Wo);
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
 *   dweight += Σ_n dout_n ⋆ inp_n
 *   dbias   += Σ_{n, oh, ow} dout
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
  const wsAT = ws;
  const wsPad = wsAT + al64(<usize>((CKK + 3) >> 2) * Cout * 64) + SLACK;
  const wsCol = wsPad - SLACK + padBytes(Cin, Hp, Wp);
  const wsDp = wsCol + al64(<usize>CKK * HW4 * 4 + 64);
  const wsEdge = wsDp + al64(<usize>Cin * Hp * Wp * 4);
  const wsZero = wsEdge + al64(<usize>Cout * 32);
  const wsTmp = wsZero + al64(<usize>HW4 * 4);
  memory.fill(wsZero, 0, <usize>HW4 << 2);
  if (dinp) {
    // weight^T (CKK, Cout) as pre-splatted panels of 4 taps: element (r, co) at weight + co CKK 4 + r 4
    for (let r = 0; r < CKK; r += 4) {
      pack_a_splat(wsAT + <usize>(r >> 2) * Cout * 64, weight + (<usize>r << 2), 4, <usize>CKK << 2, min(4, CKK - r), Cout);
    }
  }
  const ldHW = <usize>HW << 2;
  const tail = HW & 7;
  for (let n = 0; n < N; n++) {
    const dn = dout + <usize>n * Cout * HW * 4;
    // dbias: sequential row sums, four rows at a time (skipped when dbias == 0)
    let co = dbias ? 0 : Cout;
    for (; co + 4 <= Cout; co += 4) {
      const r0 = dn + <usize>co * ldHW;
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      for (let p = 0; p < HW; p++) {
        const o = <usize>p << 2;
        s0 += load<f32>(r0 + o);
        s1 += load<f32>(r0 + ldHW + o);
        s2 += load<f32>(r0 + 2 * ldHW + o);
        s3 += load<f32>(r0 + 3 * ldHW + o);
      }
      const b = dbias + (<usize>co << 2);
      store<f32>(b, load<f32>(b) + s0);
      store<f32>(b, load<f32>(b, 4) + s1, 4);
      store<f32>(b, load<f32>(b, 8) + s2, 8);
      store<f32>(b, load<f32>(b, 12) + s3, 12);
    }
    for (; dbias && co < Cout; co++) {
      const r0 = dn + <usize>co * ldHW;
      let s: f32 = 0;
      for (let p = 0; p < HW; p++) s += load<f32>(r0 + (<usize>p << 2));
      const b = dbias + (<usize>co << 2);
      store<f32>(b, load<f32>(b) + s);
    }
    // dweight (Cout, CKK) += dout_n (Cout, HW) · col^T, col rows (CKK, HW) at stride HW4
    if (dweight) {
      pad_image(wsPad, inp + <usize>n * Cin * H * W * 4, Cin, H, W, pad);
      im2col_rows(wsCol, wsPad, Cin, Hp, Wp, K, Ho, Wo, HW4);
      dot_run(dweight, <usize>CKK << 2, dn, ldHW, wsCol, <usize>HW4 << 2, Cout, CKK, HW, 1, wsZero, wsTmp);
    }
    if (dinp) {
      // dcol (CKK, HW) = weight^T · dout_n, into the col buffer (no longer needed)
      if (tail) pack_b_edge(wsEdge, dn + (<usize>(HW - tail) << 2), ldHW, tail, Cout);
      for (let r = 0; r < CKK; r += 4) {
        tile_row(wsCol + <usize>r * ldHW, ldHW, wsAT + <usize>(r >> 2) * Cout * 64, min(4, CKK - r),
                 dn, 32, ldHW, wsEdge, 32, HW, Cout, 0, wsTmp);
      }
      memory.fill(wsDp, 0, <usize>Cin * Hp * Wp * 4);
      col2im(wsDp, wsCol, Cin, Hp, Wp, K, Ho, Wo);
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
