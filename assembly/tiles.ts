// Register-blocked f32x4 micro-kernels of the GEMM family and their packers, shared by assembly/gemm.ts,
// linear.ts (through gemm's drivers) and conv.ts. Not part of the ABI: assembly/index.ts does not
// re-export this file.
//
// Legend: C the output tile, A and B the operands, K the reduction length; "row" and "col" are C's.
// Strides (ldc, ldb, sr, sk) are in BYTES. All pointers are byte offsets into the one memory.
//
// Why these shapes (measured on V8 11.3 / Node 20, x64): TurboFan gives wasm SIMD 15 usable xmm
// registers (xmm15 is its scratch) and schedules every load of a loop body at the top of the body,
// so all values loaded in one iteration are live at once. A 4x8 tile (8 f32x4 accumulators) with
// 2 B vectors and 4 A vectors per k is the largest that runs without spills; unrolling k spills.
// Broadcast loads (v128.load32_splat) with a non-zero offset cost V8 an extra `lea` each, so the A
// panel is stored PRE-SPLATTED (each A value repeated in 4 lanes, 64 bytes per k), so the inner loop
// is 6 plain loads + 8 mul + 8 add. Plain f32x4.mul + f32x4.add (no relaxed fma), so every runtime
// rounds the same way.
//
// Summation order (what makes results reproducible and lets tests compare bits):
// - tile4x8 / tile4x4 (outer product): every C element is s = Σ_k a_k b_k accumulated sequentially
//   from k = 0 starting at +0, then C = acc ? C + s : s: exactly the naive scalar loop's order.
// - tile8x4t (outer product, transposed, acc = 0): the same sequential sums, C = s.
// - dot2x4 (inner product): lane l of an accumulator sums the terms k ≡ l (mod 4) of the first
//   K & ~3 terms in order; the lanes are combined as (l0 + l2) + (l1 + l3); the last K & 3 terms are
//   then added one by one; finally C = acc ? C + s : s. Fixed, but not the naive order.
// - dot2x4p (inner product on packed, zero-padded operands): as dot2x4 with every term in the lanes
//   (the padding adds an exact +0, so for K a multiple of 4 the two agree bit for bit).
// Their loop bodies compile to 30 x64 instructions per 64 flop (6 loads, 16 arithmetic, 2 pointer
// bumps, 2 zero-extending moves, V8's loop stack check and the branch) and run at ~90% of
// peak_probe when the operands sit in L1/L2.

import { f32s, vecs, al64 } from "./inline/mem";

// Panel geometry in bytes (the packers in this file and in assembly/im2col.ts write these layouts).
/** Columns of C one outer-product tile covers, and f32 per k step of a packed B panel. */
export const TILE_COLS = 8;
/** One k step of a pre-splatted A panel: 4 rows x 4 lanes f32. */
export const SPLAT_K: usize = 64;
/** One k step of a packed B panel (TILE_COLS f32); also the row stride of the scratch tile. */
export const PANEL_K: usize = 32;
/** The scratch tile an edge tile is computed in: 4 rows x TILE_COLS f32. */
export const TILE_BYTES: usize = 128;
/** One 4-f32 chunk of dot2x4p's operands: 2 interleaved A rows (PAIR_CHUNK), 4 B rows (QUAD_CHUNK). */
export const PAIR_CHUNK: usize = 32;
export const QUAD_CHUNK: usize = 64;

/** Scratch of a panel driver (gemm_nn / gemm_tn: pack_a_splat + pack_b_edge + tile_row) for reduction
 *  length K: one pre-splatted A panel, one zero-padded B edge panel, then the scratch tile. */
@inline export function panels_ws_bytes(K: i32): usize {
  return al64(<usize>K * (SPLAT_K + PANEL_K) + TILE_BYTES);
}

/** Scratch of dot_run (gemm_nt) for reduction length K: the zero row (K f32), then the scratch tile. */
@inline export function dot_run_ws_bytes(K: i32): usize {
  return al64(f32s(K)) + TILE_BYTES;
}

// ---------------------------------------------------------------------------------------------------
// Outer-product kernel: C (4 rows x 8 cols, row stride ldc) = [acc ? C : 0] + Σ_k a(k) ⊗ b(k)
//   pa: A panel (K, 4 rows, 4 lanes): A[row][k] splatted at pa + 64k + 16row
//   pb: b(k) = 8 consecutive f32 at pb + k * ldb (row-major B, or a packed (K, 8) panel)

/** Full 4x8 tile. */
export function tile4x8(C: usize, ldc: usize, pa: usize, pb: usize, ldb: usize, K: i32, acc: i32): void {
  tile4x8_in(C, ldc, pa, pb, ldb, K, acc);
}

/** tile4x8's body, inlined into tile_row's loop over full panels (saves a call per tile: for short
 *  reductions such as conv2d_backward_input's K = Cout the call was ~5% of the tile's time). */
@inline function tile4x8_in(C: usize, ldc: usize, pa: usize, pb: usize, ldb: usize, K: i32, acc: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const end = pa + <usize>K * SPLAT_K;
  while (pa < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load(pa, 16);
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load(pa, 32);
    c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load(pa, 48);
    c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += SPLAT_K;
    pb += ldb;
  }
  if (acc) {
    c00 = f32x4.add(v128.load(C), c00); c01 = f32x4.add(v128.load(C, 16), c01);
    c10 = f32x4.add(v128.load(C + ldc), c10); c11 = f32x4.add(v128.load(C + ldc, 16), c11);
    c20 = f32x4.add(v128.load(C + 2 * ldc), c20); c21 = f32x4.add(v128.load(C + 2 * ldc, 16), c21);
    c30 = f32x4.add(v128.load(C + 3 * ldc), c30); c31 = f32x4.add(v128.load(C + 3 * ldc, 16), c31);
  }
  v128.store(C, c00); v128.store(C, c01, 16);
  C += ldc;
  v128.store(C, c10); v128.store(C, c11, 16);
  C += ldc;
  v128.store(C, c20); v128.store(C, c21, 16);
  C += ldc;
  v128.store(C, c30); v128.store(C, c31, 16);
}

/** 4x4 tile: the left half of tile4x8 (for a last panel with at most 4 valid columns). */
export function tile4x4(C: usize, ldc: usize, pa: usize, pb: usize, ldb: usize, K: i32, acc: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  const end = pa + <usize>K * SPLAT_K;
  while (pa < end) {
    const b = v128.load(pb);
    c0 = f32x4.add(c0, f32x4.mul(v128.load(pa), b));
    c1 = f32x4.add(c1, f32x4.mul(v128.load(pa, 16), b));
    c2 = f32x4.add(c2, f32x4.mul(v128.load(pa, 32), b));
    c3 = f32x4.add(c3, f32x4.mul(v128.load(pa, 48), b));
    pa += SPLAT_K;
    pb += ldb;
  }
  if (acc) {
    c0 = f32x4.add(v128.load(C), c0);
    c1 = f32x4.add(v128.load(C + ldc), c1);
    c2 = f32x4.add(v128.load(C + 2 * ldc), c2);
    c3 = f32x4.add(v128.load(C + 3 * ldc), c3);
  }
  v128.store(C, c0);
  v128.store(C + ldc, c1);
  v128.store(C + 2 * ldc, c2);
  v128.store(C + 3 * ldc, c3);
}

/**
 * The 8x4 edge tile, transposed: C rows 0..3 at C0 and rows 4..7 at C1 (row stride ldc), columns 0..3
 * (cols of them stored, 1..4) = Σ_k a(k) ⊗ b(k) from +0, overwriting C (acc = 0). It is tile4x8's loop
 * with the operands' roles swapped (B pre-splatted as tile4x8's A, the 8 rows of A as its two B
 * vectors), so it has 8 independent add chains where tile4x4 has 4 (tile4x4 is bound by their latency);
 * that loop's 4x8 result (row j: column j of rows 0..7) goes through tmp (TILE_BYTES) and is transposed
 * into C. IEEE multiplication commutes, so every element is the same sequential sum as tile4x4's.
 *   pa: a(k) = rows 0..7 at pa + k lda (8 consecutive f32: e.g. a row-major (K, 8 +) matrix)
 *   pb: b(k) column j splatted at pb + 64k + 16j (pack_b_splat)
 */
export function tile8x4t(C0: usize, C1: usize, ldc: usize, pa: usize, lda: usize, pb: usize, K: i32,
                         cols: i32, tmp: usize): void {
  tile4x8_in(tmp, 32, pb, pa, lda, K, 0);
  const c0 = v128.load(tmp), d0 = v128.load(tmp, 16), c1 = v128.load(tmp, 32), d1 = v128.load(tmp, 48);
  const c2 = v128.load(tmp, 64), d2 = v128.load(tmp, 80), c3 = v128.load(tmp, 96), d3 = v128.load(tmp, 112);
  store_t4(C0, ldc, c0, c1, c2, c3, cols, tmp);
  store_t4(C1, ldc, d0, d1, d2, d3, cols, tmp);
}

/** Store the 4x4 block whose columns are c0..c3 as 4 rows at C (stride ldc): the first `cols` f32 of
 *  each row (a 4x4 transpose, then whole vectors, or through tmp (64 bytes) for cols < 4). */
@inline function store_t4(C: usize, ldc: usize, c0: v128, c1: v128, c2: v128, c3: v128, cols: i32, tmp: usize): void {
  const t0 = i32x4.shuffle(c0, c1, 0, 4, 1, 5), t1 = i32x4.shuffle(c2, c3, 0, 4, 1, 5); // rows 0, 1
  const t2 = i32x4.shuffle(c0, c1, 2, 6, 3, 7), t3 = i32x4.shuffle(c2, c3, 2, 6, 3, 7); // rows 2, 3
  const r0 = i32x4.shuffle(t0, t1, 0, 1, 4, 5), r1 = i32x4.shuffle(t0, t1, 2, 3, 6, 7);
  const r2 = i32x4.shuffle(t2, t3, 0, 1, 4, 5), r3 = i32x4.shuffle(t2, t3, 2, 3, 6, 7);
  if (cols == 4) {
    v128.store(C, r0);
    v128.store(C + ldc, r1);
    v128.store(C + 2 * ldc, r2);
    v128.store(C + 3 * ldc, r3);
    return;
  }
  v128.store(tmp, r0); v128.store(tmp, r1, 16); v128.store(tmp, r2, 32); v128.store(tmp, r3, 48);
  for (let r = 0; r < 4; r++) {
    for (let j = 0; j < cols; j++) store<f32>(C + <usize>r * ldc + f32s(j), load<f32>(tmp + f32s(r * 4 + j)));
  }
}

/** Pack the last `cols` (1..4) columns of a row-major B pre-splatted for tile8x4t: dst + 64k + 16j =
 *  splat(B[k][j]) for j < cols, zeros for cols..3.  src: K rows at stride ldb bytes. */
export function pack_b_splat(dst: usize, src: usize, ldb: usize, cols: i32, K: i32): void {
  const z = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < 4; j++) v128.store(dst + vecs(j), j < cols ? v128.load32_splat(src + f32s(j)) : z);
    src += ldb;
    dst += SPLAT_K;
  }
}

/** Merge the valid rows x cols corner of a 4x8 scratch tile (row stride 32 bytes, computed with
 *  acc = 0) into C: C = acc ? C + t : t, element by element (the same arithmetic as the full path). */
export function merge_tile(C: usize, ldc: usize, tmp: usize, rows: i32, cols: i32, acc: i32): void {
  for (let r = 0; r < rows; r++) {
    const c = C + <usize>r * ldc;
    const t = tmp + <usize>r * PANEL_K;
    for (let j = 0; j < cols; j++) {
      const o = f32s(j);
      const v = load<f32>(t + o);
      store<f32>(c + o, acc ? load<f32>(c + o) + v : v);
    }
  }
}

/** A tile of `rows` (1..4) x `cols` (1..8) valid elements: computed in the 128-byte scratch `tmp`, then
 *  merged, so the panel may be zero-padded and C is never written outside the valid corner. */
export function tile_edge(C: usize, ldc: usize, pa: usize, pb: usize, ldb: usize, K: i32, acc: i32,
                          rows: i32, cols: i32, tmp: usize): void {
  if (rows == 4 && cols == 8) { tile4x8(C, ldc, pa, pb, ldb, K, acc); return; }
  if (rows == 4 && cols == 4) { tile4x4(C, ldc, pa, pb, ldb, K, acc); return; }
  if (cols <= 4) tile4x4(tmp, PANEL_K, pa, pb, ldb, K, 0);
  else tile4x8(tmp, PANEL_K, pa, pb, ldb, K, 0);
  merge_tile(C, ldc, tmp, rows, cols, acc);
}

/** Pack a pre-splatted A panel: dst + 64k + 16r = splat(A[r][k]) for r < rows, zeros for rows..3.
 *  Element (r, k) of the source is at src + r * sr + k * sk (so row-major A (M,K) has sr = 4K, sk = 4;
 *  A stored transposed (K,M) has sr = 4, sk = 4M).  dst: usize (K, 4, 4) f32, 16-byte aligned. */
export function pack_a_splat(dst: usize, src: usize, sr: usize, sk: usize, rows: i32, K: i32): void {
  const z = f32x4.splat(0);
  if (rows == 4 && sr == 4) {
    // A stored (K, M): the four values of step k are adjacent; splat them from one vector load.
    for (let k = 0; k < K; k++) {
      const v = v128.load(src);
      v128.store(dst, i32x4.shuffle(v, v, 0, 0, 0, 0));
      v128.store(dst, i32x4.shuffle(v, v, 1, 1, 1, 1), 16);
      v128.store(dst, i32x4.shuffle(v, v, 2, 2, 2, 2), 32);
      v128.store(dst, i32x4.shuffle(v, v, 3, 3, 3, 3), 48);
      src += sk;
      dst += SPLAT_K;
    }
    return;
  }
  for (let k = 0; k < K; k++) {
    for (let r = 0; r < 4; r++) {
      const o = vecs(r);
      v128.store(dst + o, r < rows ? v128.load32_splat(src + <usize>r * sr) : z);
    }
    src += sk;
    dst += SPLAT_K;
  }
}

/** Pack the last, partial column panel of a row-major B: dst + 32k + 4c = B[k][c] for c < cols,
 *  zeros for cols..7.  src: usize (K rows at stride ldb bytes)   dst: usize (K, 8) f32 */
export function pack_b_edge(dst: usize, src: usize, ldb: usize, cols: i32, K: i32): void {
  const z = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    v128.store(dst, z);
    v128.store(dst, z, 16);
    for (let c = 0; c < cols; c++) store<f32>(dst + f32s(c), load<f32>(src + f32s(c)));
    src += ldb;
    dst += PANEL_K;
  }
}

/**
 * One row panel of C (rows 1..4 valid) against N columns of B with a pre-splatted A panel `pa`:
 * column panel j (8 columns) of B starts at B + j * bjs with k-stride ldb; the last, partial panel
 * (N & 7 columns) is read from `bTail` with k-stride ldbTail (a zero-padded packed copy, or a packed
 * panel that is already zero-padded).
 */
export function tile_row(C: usize, ldc: usize, pa: usize, rows: i32, B: usize, bjs: usize, ldb: usize,
                         bTail: usize, ldbTail: usize, N: i32, K: i32, acc: i32, tmp: usize): void {
  const nfull = N >> 3;
  if (rows == 4) {
    for (let j = 0; j < nfull; j++) tile4x8_in(C + f32s(j * TILE_COLS), ldc, pa, B + <usize>j * bjs, ldb, K, acc);
  } else {
    for (let j = 0; j < nfull; j++) {
      tile_edge(C + f32s(j * TILE_COLS), ldc, pa, B + <usize>j * bjs, ldb, K, acc, rows, 8, tmp);
    }
  }
  const tail = N & 7;
  if (tail) tile_edge(C + f32s(nfull * TILE_COLS), ldc, pa, bTail, ldbTail, K, acc, rows, tail, tmp);
}

// ---------------------------------------------------------------------------------------------------
// Inner-product kernel: C[i][j] (2 rows x 4 cols) = [acc ? C : 0] + Σ_k A_i[k] B_j[k] where the rows
// A_0, A_1 and B_0..B_3 are K contiguous f32 each (any alignment). Vectorized along k, so no
// packing at all: this is the form for C = A · B^T with both operands row-major along K.

/** 4 partial-sum vectors (one per column) -> one vector of the 4 column sums, lanes combined as
 *  (l0 + l2) + (l1 + l3). */
@inline function reduce4(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  // [s0.0+s0.2, s1.0+s1.2, s0.1+s0.3, s1.1+s1.3]
  const t01 = f32x4.add(i32x4.shuffle(s0, s1, 0, 4, 1, 5), i32x4.shuffle(s0, s1, 2, 6, 3, 7));
  const t23 = f32x4.add(i32x4.shuffle(s2, s3, 0, 4, 1, 5), i32x4.shuffle(s2, s3, 2, 6, 3, 7));
  // [(s0.0+s0.2)+(s0.1+s0.3), (s1...), (s2...), (s3...)]
  return f32x4.add(i32x4.shuffle(t01, t23, 0, 1, 4, 5), i32x4.shuffle(t01, t23, 2, 3, 6, 7));
}

/** Add the last K & 3 terms of row a against rows b0..b3 to the four sums in v, sequentially. */
@inline function dot_tail4(v: v128, a: usize, b0: usize, b1: usize, b2: usize, b3: usize, k0: i32, K: i32): v128 {
  let s0 = f32x4.extract_lane(v, 0), s1 = f32x4.extract_lane(v, 1);
  let s2 = f32x4.extract_lane(v, 2), s3 = f32x4.extract_lane(v, 3);
  for (let k = k0; k < K; k++) {
    const o = f32s(k);
    const x = load<f32>(a + o);
    s0 += x * load<f32>(b0 + o);
    s1 += x * load<f32>(b1 + o);
    s2 += x * load<f32>(b2 + o);
    s3 += x * load<f32>(b3 + o);
  }
  return f32x4(s0, s1, s2, s3);
}

/** The 2x4 inner-product tile (see the order above). C rows at stride ldc; writes 2 x 4 f32. */
export function dot2x4(C: usize, ldc: usize, a0: usize, a1: usize,
                       b0: usize, b1: usize, b2: usize, b3: usize, K: i32, acc: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  const K4 = K & ~3;
  let x0 = a0, x1 = a1, y0 = b0, y1 = b1, y2 = b2, y3 = b3;
  const end = a0 + f32s(K4);
  while (x0 < end) {
    const u = v128.load(x0), w = v128.load(x1);
    let b = v128.load(y0);
    c00 = f32x4.add(c00, f32x4.mul(u, b)); c10 = f32x4.add(c10, f32x4.mul(w, b));
    b = v128.load(y1);
    c01 = f32x4.add(c01, f32x4.mul(u, b)); c11 = f32x4.add(c11, f32x4.mul(w, b));
    b = v128.load(y2);
    c02 = f32x4.add(c02, f32x4.mul(u, b)); c12 = f32x4.add(c12, f32x4.mul(w, b));
    b = v128.load(y3);
    c03 = f32x4.add(c03, f32x4.mul(u, b)); c13 = f32x4.add(c13, f32x4.mul(w, b));
    x0 += 16; x1 += 16; y0 += 16; y1 += 16; y2 += 16; y3 += 16;
  }
  let r0 = reduce4(c00, c01, c02, c03);
  let r1 = reduce4(c10, c11, c12, c13);
  if (K4 < K) {
    r0 = dot_tail4(r0, a0, b0, b1, b2, b3, K4, K);
    r1 = dot_tail4(r1, a1, b0, b1, b2, b3, K4, K);
  }
  if (acc) {
    r0 = f32x4.add(v128.load(C), r0);
    r1 = f32x4.add(v128.load(C + ldc), r1);
  }
  v128.store(C, r0);
  v128.store(C + ldc, r1);
}

/**
 * The 2x4 inner-product tile on chunk-interleaved (packed) rows, for operands the caller packs anyway
 * (conv2d's weight gradient): one pointer per operand instead of one per row.
 *   pa: 2 rows of A interleaved by 4-f32 chunks: A_i[4c .. 4c+3] at pa + 32c + 16i
 *   pb: 4 rows of B interleaved the same way:     B_j[4c .. 4c+3] at pb + 64c + 16j
 * over `chunks` chunks (rows zero-padded to a multiple of 4). Lane l sums the terms k ≡ l (mod 4)
 * in order, the lanes are combined as (l0 + l2) + (l1 + l3), then C = acc ? C + s : s.
 */
export function dot2x4p(C: usize, ldc: usize, pa: usize, pb: usize, chunks: i32, acc: i32): void {
  dot2x4p_in(C, ldc, pa, pb, chunks, acc);
}

/** dot2x4p's body, for callers that inline it into their loop over items (conv2d_backward_params). */
@inline export function dot2x4p_in(C: usize, ldc: usize, pa: usize, pb: usize, chunks: i32, acc: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  const end = pb + <usize>chunks * QUAD_CHUNK;
  while (pb < end) {
    const u = v128.load(pa), w = v128.load(pa, 16);
    let b = v128.load(pb);
    c00 = f32x4.add(c00, f32x4.mul(u, b)); c10 = f32x4.add(c10, f32x4.mul(w, b));
    b = v128.load(pb, 16);
    c01 = f32x4.add(c01, f32x4.mul(u, b)); c11 = f32x4.add(c11, f32x4.mul(w, b));
    b = v128.load(pb, 32);
    c02 = f32x4.add(c02, f32x4.mul(u, b)); c12 = f32x4.add(c12, f32x4.mul(w, b));
    b = v128.load(pb, 48);
    c03 = f32x4.add(c03, f32x4.mul(u, b)); c13 = f32x4.add(c13, f32x4.mul(w, b));
    pa += PAIR_CHUNK;
    pb += QUAD_CHUNK;
  }
  let r0 = reduce4(c00, c01, c02, c03);
  let r1 = reduce4(c10, c11, c12, c13);
  if (acc) {
    r0 = f32x4.add(v128.load(C), r0);
    r1 = f32x4.add(v128.load(C + ldc), r1);
  }
  v128.store(C, r0);
  v128.store(C + ldc, r1);
}

/**
 * C (M,N) (row stride ldc bytes) = [acc ? C : 0] + A · B^T with A (M,K) at row stride lda and
 * B (N,K) at row stride ldb (bytes). Missing rows/cols of an edge tile read the zero row `zrow`
 * (K f32 of zeros) and are computed in the 128-byte scratch `tmp`, never written to C.
 * Loop order: a block of 4 B rows (stays in L1) against all row pairs of A.
 */
export function dot_run(C: usize, ldc: usize, A: usize, lda: usize, B: usize, ldb: usize,
                        M: i32, N: i32, K: i32, acc: i32, zrow: usize, tmp: usize): void {
  for (let j = 0; j < N; j += 4) {
    const cols = min(4, N - j);
    const b0 = B + <usize>j * ldb;
    const b1 = cols > 1 ? b0 + ldb : zrow;
    const b2 = cols > 2 ? b0 + 2 * ldb : zrow;
    const b3 = cols > 3 ? b0 + 3 * ldb : zrow;
    for (let i = 0; i < M; i += 2) {
      const rows = min(2, M - i);
      const a0 = A + <usize>i * lda;
      const a1 = rows > 1 ? a0 + lda : zrow;
      const c = C + <usize>i * ldc + f32s(j);
      if (rows == 2 && cols == 4) {
        dot2x4(c, ldc, a0, a1, b0, b1, b2, b3, K, acc);
      } else {
        dot2x4(tmp, PANEL_K, a0, a1, b0, b1, b2, b3, K, 0);
        merge_tile(c, ldc, tmp, rows, cols, acc);
      }
    }
  }
}
