// The data movement behind conv2d (assembly/conv.ts): zero padding, the tap table, im2col straight into
// the packed operand layouts of the micro-kernels in assembly/tiles.ts. Not part of the
// ABI: assembly/index.ts does not re-export this file.
//
// Legend (as in conv.ts): Cin input channels, H x W the image, pad zero padding, Hp x Wp the padded
// image, K kernel size, Ho x Wo the output, HW = Ho * Wo output positions p = (oh, ow), CKK = Cin * K * K
// taps r = (ci, kh, kw). All pointers are byte offsets; sizes are named through assembly/inline/mem.ts
// (f32s(n) = bytes of n f32) and the panel strides of assembly/tiles.ts:
//   PANEL_K    one tap row of a column panel: TILE_COLS (8) output positions, 32 bytes
//   QUAD_CHUNK one chunk (4 positions) of a group of 4 taps: 4 x 4 f32, 64 bytes
//   PAIR_CHUNK one chunk (4 positions) of a pair of rows: 2 x 4 f32, 32 bytes

import { f32s, vecs } from "./inline/mem";
import { TILE_COLS, PANEL_K, PAIR_CHUNK, QUAD_CHUNK } from "./tiles";

/** Positions per chunk of the chunk-interleaved layouts (one f32x4). */
const CHUNK = 4;

/** Slack (bytes) the caller leaves before and after the padded image: the vector im2col reads up to
 *  TILE_COLS f32 outside it. */
export const SLACK: usize = 64;

/** Zero the padded buffer dst (Cin, Hp, Wp): once per call, before the images are copied in by
 *  pad_image (which writes the interior only, so the border stays zero for every image). */
export function pad_zero(dst: usize, Cin: i32, H: i32, W: i32, pad: i32): void {
  if (pad > 0) memory.fill(dst, 0, f32s(<usize>Cin * (H + 2 * pad) * (W + 2 * pad)));
}

/** Copy image x (Cin, H, W) into the interior of the padded buffer dst (Cin, Hp, Wp), whose border
 *  pad_zero has zeroed. */
export function pad_image(dst: usize, x: usize, Cin: i32, H: i32, W: i32, pad: i32): void {
  const Wp = W + 2 * pad, Hp = H + 2 * pad;
  const rowBytes = f32s(W);
  const vecBytes = vecs(W >> 2);
  // rows of at least 4 f32: whole vectors, the last one ending at the row's end (overlapping the one
  // before when W is not a multiple of 4), so no scalar tail
  const lastVec = rowBytes - 16;
  for (let c = 0; c < Cin; c++) {
    let d = dst + f32s(<usize>c * Hp * Wp + <usize>pad * Wp + pad);
    let s = x + f32s(<usize>c * H * W);
    for (let y = 0; y < H; y++) {
      // (memory.copy is a runtime call in V8: too slow for rows of a few floats)
      for (let o: usize = 0; o < vecBytes; o += 16) v128.store(d + o, v128.load(s + o));
      if (W >= 4) v128.store(d + lastVec, v128.load(s + lastVec));
      else for (let o = vecBytes; o < rowBytes; o += 4) store<f32>(d + o, load<f32>(s + o));
      d += f32s(Wp);
      s += rowBytes;
    }
  }
}

/** Byte offsets of every tap r = (ci, kh, kw) in the padded image: tab[r] (i32), r < CKK. */
export function tap_table(tab: usize, Cin: i32, Hp: i32, Wp: i32, K: i32): void {
  for (let ci = 0; ci < Cin; ci++) {
    for (let kh = 0; kh < K; kh++) {
      for (let kw = 0; kw < K; kw++) {
        store<i32>(tab, <i32>f32s((ci * Hp + kh) * Wp + kw));
        tab += 4;
      }
    }
  }
}

/**
 * im2col of one padded image straight into packed column panels (the B operand of tile4x8): panel j
 * (columns p = 8j .. 8j+7) holds for every tap r the 8 values col[r][p] = xp[ci][oh + kh][ow + kw] at
 * dst + (j CKK + r) PANEL_K (zeros for p >= HW). A panel whose 8 positions lie in one output row is
 * two unaligned vector copies per tap; one that wraps to the next row blends two such loads with a
 * lane mask; a last, partial panel inside one row masks the lanes past HW; the rest (panels that wrap
 * more than once (Wo < 8), a last one that wraps) goes lane by lane.  tab: tap_table(...)
 */
export function im2col_panels(dst: usize, xp: usize, tab: usize, Cin: i32, Hp: i32, Wp: i32, K: i32, Ho: i32,
                              Wo: i32): void {
  const CKK = Cin * K * K, HW = Ho * Wo;
  const panels = (HW + TILE_COLS - 1) / TILE_COLS;
  const nextRow = f32s(Wp - Wo); // from past the end of an output row's window to the next row's start
  const tabEnd = tab + f32s(CKK);
  let oh = 0, ow = 0;
  for (let j = 0; j < panels; j++) {
    const a = Wo - ow; // positions of this panel in output row oh
    const p0 = j * TILE_COLS;
    const s1 = xp + f32s(<usize>oh * Wp + ow);
    let d = dst + <usize>j * CKK * PANEL_K;
    if (p0 + TILE_COLS <= HW && a >= TILE_COLS) {
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
        d += 4 * PANEL_K;
      }
      for (; t < tabEnd; t += 4) {
        const q = s1 + <usize>load<i32>(t);
        v128.store(d, v128.load(q));
        v128.store(d, v128.load(q, 16), 16);
        d += PANEL_K;
      }
    } else if (p0 + TILE_COLS <= HW && TILE_COLS - a <= Wo) {
      // lanes < a from row oh (from ow on), lanes >= a from row oh + 1 (from its start): only the
      // vector holding lane a blends two loads, the other is one plain load (both when a = 4). (Blending
      // both vectors made the wrapping panels, 3 in 7 for Wo = 14, about 2/3 of im2col's time.)
      const sa = i32x4.splat(a);
      const s2 = s1 + nextRow;
      if (a == 4) {
        for (let t = tab; t < tabEnd; t += 4) {
          const o = <usize>load<i32>(t);
          v128.store(d, v128.load(s1 + o));
          v128.store(d, v128.load(s2 + o, 16), 16);
          d += PANEL_K;
        }
      } else if (a > 4) {
        const mHi = i32x4.lt_s(i32x4(4, 5, 6, 7), sa);
        for (let t = tab; t < tabEnd; t += 4) {
          const o = <usize>load<i32>(t);
          const q = s1 + o;
          v128.store(d, v128.load(q));
          v128.store(d, v128.bitselect(v128.load(q, 16), v128.load(s2 + o, 16), mHi), 16);
          d += PANEL_K;
        }
      } else {
        const mLo = i32x4.lt_s(i32x4(0, 1, 2, 3), sa);
        for (let t = tab; t < tabEnd; t += 4) {
          const o = <usize>load<i32>(t);
          const q2 = s2 + o;
          v128.store(d, v128.bitselect(v128.load(s1 + o), v128.load(q2), mLo));
          v128.store(d, v128.load(q2, 16), 16);
          d += PANEL_K;
        }
      }
    } else if (p0 + TILE_COLS > HW && HW - p0 <= a) {
      // the last, partial panel inside one output row: as a panel inside a row, with the lanes past HW
      // zeroed (the reads past the row stay inside the padded image or its SLACK). Lane by lane (a
      // division per lane and tap) it was ~10% of the forward's im2col time for the MNIST conv2.
      const sv = i32x4.splat(HW - p0);
      const mLo = i32x4.lt_s(i32x4(0, 1, 2, 3), sv), mHi = i32x4.lt_s(i32x4(4, 5, 6, 7), sv);
      for (let t = tab; t < tabEnd; t += 4) {
        const q = s1 + <usize>load<i32>(t);
        v128.store(d, v128.and(v128.load(q), mLo));
        v128.store(d, v128.and(v128.load(q, 16), mHi), 16);
        d += PANEL_K;
      }
    } else {
      for (let t = tab; t < tabEnd; t += 4) {
        const base = xp + <usize>load<i32>(t);
        for (let l = 0; l < TILE_COLS; l++) {
          const p = p0 + l;
          let v: f32 = 0;
          if (p < HW) {
            const y = p / Wo, x = p - y * Wo;
            v = load<f32>(base + f32s(<usize>y * Wp + x));
          }
          store<f32>(d + f32s(l), v);
        }
        d += PANEL_K;
      }
    }
    ow += TILE_COLS;
    while (ow >= Wo) {
      ow -= Wo;
      oh++;
    }
  }
}

/**
 * im2col of one padded image in chunk-interleaved groups of 4 taps, the B operand of dot2x4p:
 * col[r][p] (r = 4g + l) at dst + (g chunks + p / 4) QUAD_CHUNK + vecs(l) + f32s(p % 4), chunks =
 * ceil(HW / 4); zeros for p >= HW and for taps r >= CKK. Chunk by chunk (4 output positions), then
 * every group of taps: a chunk inside one output row is one unaligned vector load per tap; one that
 * wraps to the next row blends two loads with a lane mask; the rest (Wo < 4, the last chunk, a last
 * partial group of taps) goes lane by lane. Only the groups g0 .. g1-1 are written (a thread's share of
 * conv2d_backward_params; 0 .. ceil(CKK / 4) for all).  tab: tap_table(...)
 */
export function im2col_chunks(dst: usize, xp: usize, tab: usize, Cin: i32, Hp: i32, Wp: i32, K: i32, Ho: i32,
                              Wo: i32, g0: i32, g1: i32): void {
  const CKK = Cin * K * K, HW = Ho * Wo, chunks = (HW + CHUNK - 1) / CHUNK;
  // whole groups of 4 taps in [g0, g1), and the taps of the last partial group if [g0, g1) reaches it
  const groups = min(CKK >> 2, g1), rest = g1 > (CKK >> 2) ? CKK & 3 : 0;
  const groupStride = <usize>chunks * QUAD_CHUNK;
  const nextRow = f32s(Wp - Wo);
  const tabStart = tab + f32s(g0 * 4);
  const tabEnd = tab + f32s(groups * 4);
  const dg0 = <usize>g0 * groupStride;
  let oh = 0, ow = 0;
  for (let c = 0; c < chunks; c++) {
    const a = Wo - ow; // positions of this chunk in output row oh
    const s1 = xp + f32s(<usize>oh * Wp + ow);
    const d0 = dst + <usize>c * QUAD_CHUNK;
    const dg = d0 + dg0; // the chunk in group g0
    const inside = c * CHUNK + CHUNK <= HW;
    if (inside && CHUNK - a <= Wo) {
      // a >= 4: one vector per tap; otherwise lanes >= a come from row oh + 1 (from its start)
      const m = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(a));
      const s2 = a >= CHUNK ? s1 : s1 + nextRow;
      let d = dg;
      if (a >= CHUNK) {
        for (let t = tabStart; t < tabEnd; t += 16) {
          v128.store(d, v128.load(s1 + <usize>load<i32>(t)));
          v128.store(d, v128.load(s1 + <usize>load<i32>(t, 4)), 16);
          v128.store(d, v128.load(s1 + <usize>load<i32>(t, 8)), 32);
          v128.store(d, v128.load(s1 + <usize>load<i32>(t, 12)), 48);
          d += groupStride;
        }
      } else {
        for (let t = tabStart; t < tabEnd; t += 16) {
          let o = <usize>load<i32>(t);
          v128.store(d, v128.bitselect(v128.load(s1 + o), v128.load(s2 + o), m));
          o = <usize>load<i32>(t, 4);
          v128.store(d, v128.bitselect(v128.load(s1 + o), v128.load(s2 + o), m), 16);
          o = <usize>load<i32>(t, 8);
          v128.store(d, v128.bitselect(v128.load(s1 + o), v128.load(s2 + o), m), 32);
          o = <usize>load<i32>(t, 12);
          v128.store(d, v128.bitselect(v128.load(s1 + o), v128.load(s2 + o), m), 48);
          d += groupStride;
        }
      }
      // the partial last group: its taps, then zero rows
      for (let l = 0; l < rest; l++) {
        const o = <usize>load<i32>(tabEnd + f32s(l));
        v128.store(d + vecs(l), v128.bitselect(v128.load(s1 + o), v128.load(s2 + o), m));
      }
      if (rest) for (let l = rest; l < 4; l++) v128.store(d + vecs(l), f32x4.splat(0));
    } else {
      // lane by lane (Wo < 4 or the last chunk): every group, zeros past HW and past CKK
      for (let g = g0; g < min(g1, (CKK + 3) >> 2); g++) {
        const d = d0 + <usize>g * groupStride;
        for (let l = 0; l < 4; l++) {
          const r = g * 4 + l;
          for (let q = 0; q < CHUNK; q++) {
            const p = c * CHUNK + q;
            let v: f32 = 0;
            if (r < CKK && p < HW) {
              const y = p / Wo, x = p - y * Wo;
              v = load<f32>(xp + <usize>load<i32>(tab + f32s(r)) + f32s(<usize>y * Wp + x));
            }
            store<f32>(d + f32s(l * CHUNK + q), v);
          }
        }
      }
    }
    ow += CHUNK;
    while (ow >= Wo) {
      ow -= Wo;
      oh++;
    }
  }
}

/** Rows of src (rows, HW) at stride ld bytes in chunk-interleaved pairs, the A operand of dot2x4p:
 *  row 2g + i, chunk c at dst + (g chunks + c) PAIR_CHUNK + vecs(i); zeros past HW and for a missing row. */
export function pack_rows2(dst: usize, src: usize, ld: usize, rows: i32, HW: i32): void {
  const full = HW / CHUNK, rem = HW % CHUNK;
  const z = f32x4.splat(0);
  for (let g = 0; g < rows; g += 2) {
    const a0 = src + <usize>g * ld;
    const two = g + 1 < rows;
    const a1 = a0 + ld;
    for (let c = 0; c < full; c++) {
      const o = vecs(c);
      v128.store(dst, v128.load(a0 + o));
      v128.store(dst, two ? v128.load(a1 + o) : z, 16);
      dst += PAIR_CHUNK;
    }
    if (rem) {
      v128.store(dst, z);
      v128.store(dst, z, 16);
      const o = vecs(full);
      for (let q = 0; q < rem; q++) {
        const b = f32s(q);
        store<f32>(dst + b, load<f32>(a0 + o + b));
        if (two) store<f32>(dst + 16 + b, load<f32>(a1 + o + b));
      }
      dst += PAIR_CHUNK;
    }
  }
}
