// General matrix multiply on row-major f32, three operand layouts, plus the machine's peak probe.
//
//   C (M,N) = [acc ? C : 0] + op(A) · op(B)
//   nn: A (M,K), B (K,N)      tn: A stored (K,M), used as A^T      nt: B stored (N,K), used as B^T
//
// Legend: M rows of C, N columns of C, K the reduction length. All matrices are dense row-major f32
// (row stride = the row length), 4-byte aligned at least (16 recommended). `acc` != 0 adds into C,
// acc = 0 overwrites it (C's old contents are then never read, so it may hold garbage or NaN).
// BLAS's sgemm is the model (Goto & van de Geijn 2008: packed panels feeding a register-blocked
// micro-kernel); the micro-kernels and packers live in assembly/tiles.ts.
//
// Numerics: nn and tn sum every C element sequentially over k from +0 and then add it to C, which is
// exactly what their scalar twins do, so fast and twin agree bit for bit. nt vectorizes along k
// (4 interleaved partial sums, combined in a fixed order), so it agrees with its twin to rounding.
// No relaxed SIMD, no fma: every runtime gives the same bits.

import { tile_row, pack_a_splat, pack_b_edge, dot_run, panels_ws_bytes, SPLAT_K, PANEL_K } from "./tiles";
import { f32s, al64 } from "./inline/mem";

/** Constants of peak_probe, read from memory so that neither Binaryen nor V8 can fold them or
 *  re-materialize them inside the loop (V8 schedules pure values next to their uses). */
const PROBE = memory.data<f32>([
  1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3,
  0.4, 0.4, 0.4, 0.4, 0.5, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.6,
], 16);

/**
 * Peak-throughput probe: the GEMM micro-kernel's instruction mix without its loads. Six independent
 * accumulators c_i += a_i * m (f32x4 mul then add), `iters` times: 48 flop per iteration
 * (6 x 4 lanes x (1 mul + 1 add)). Six chains cover the add latency on current x64 cores (2 adds
 * per cycle x 3 cycles); more accumulators spill in V8 (15 usable xmm registers). Returns a
 * checksum so the work cannot be optimized away. GFLOP/s = 48 * iters / seconds / 1e9.
 */
export function peak_probe(iters: i32): f32 {
  const m = v128.load(PROBE);
  const a0 = v128.load(PROBE, 16), a1 = v128.load(PROBE, 32), a2 = v128.load(PROBE, 48);
  const a3 = v128.load(PROBE, 64), a4 = v128.load(PROBE, 80), a5 = v128.load(PROBE, 96);
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  for (let i = 0; i < iters; i++) {
    c0 = f32x4.add(c0, f32x4.mul(a0, m)); c1 = f32x4.add(c1, f32x4.mul(a1, m));
    c2 = f32x4.add(c2, f32x4.mul(a2, m)); c3 = f32x4.add(c3, f32x4.mul(a3, m));
    c4 = f32x4.add(c4, f32x4.mul(a4, m)); c5 = f32x4.add(c5, f32x4.mul(a5, m));
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(c4, c5));
  return (f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
}

/** Scratch bytes the fast gemm_* need for (M, N, K), any of the three forms (the panel forms need the
 *  most). Independent of M and N. */
export function gemm_ws_bytes(M: i32, N: i32, K: i32): usize {
  return panels_ws_bytes(K);
}

/** Layout of the panel scratch: A panel, B edge panel, tile. */
@inline function wsPanelB(ws: usize, K: i32): usize { return ws + <usize>K * SPLAT_K; }
@inline function wsTile(ws: usize, K: i32): usize { return ws + <usize>K * (SPLAT_K + PANEL_K); }

/** The packed-panel driver behind gemm_nn and gemm_tn: A element (i, k) at A + i * sr + k * sk;
 *  B (K,N) row-major. */
function gemm_panels(C: usize, A: usize, sr: usize, sk: usize, B: usize, M: i32, N: i32, K: i32,
                     acc: i32, ws: usize): void {
  if (M <= 0 || N <= 0) return;
  const ldc = f32s(N);
  const ldb = f32s(N);
  const tail = N & 7;
  const edge = wsPanelB(ws, K);
  const tmp = wsTile(ws, K);
  if (tail) pack_b_edge(edge, B + f32s(N - tail), ldb, tail, K);
  for (let i = 0; i < M; i += 4) {
    const rows = min(4, M - i);
    pack_a_splat(ws, A + <usize>i * sr, sr, sk, rows, K);
    tile_row(C + <usize>i * ldc, ldc, ws, rows, B, PANEL_K, ldb, edge, PANEL_K, N, K, acc, tmp);
  }
}

/**
 * C = [acc ? C : 0] + A · B.
 *   C: (M,N)   A: (M,K)   B: (K,N)   ws: gemm_ws_bytes(M,N,K) bytes, 16-byte aligned
 * Per 4 rows of C, A's rows are packed pre-splatted; B is read in place (8-column strips).
 */
export function gemm_nn(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, acc: i32, ws: usize): void {
  gemm_panels(C, A, f32s(K), 4, B, M, N, K, acc, ws);
}

/**
 * C = [acc ? C : 0] + A^T · B.
 *   C: (M,N)   A: stored (K,M)   B: (K,N)   ws: gemm_ws_bytes(M,N,K) bytes, 16-byte aligned
 */
export function gemm_tn(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, acc: i32, ws: usize): void {
  gemm_panels(C, A, 4, f32s(M), B, M, N, K, acc, ws);
}

/**
 * C = [acc ? C : 0] + A · B^T, vectorized along K (inner products, no packing).
 *   C: (M,N)   A: (M,K)   B: stored (N,K)   ws: gemm_ws_bytes(M,N,K) bytes, 16-byte aligned (of which it
 *   uses the first al64(4K) + 128: a zero row and the scratch tile)
 */
export function gemm_nt(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, acc: i32, ws: usize): void {
  if (M <= 0 || N <= 0) return;
  const lda = f32s(K);
  memory.fill(ws, 0, lda); // the zero row that stands in for missing rows of an edge tile
  dot_run(C, f32s(N), A, lda, B, lda, M, N, K, acc, ws, ws + al64(lda)); // = dot_run_ws_bytes(K)
}

// ---------------------------------------------------------------------------------------------------
// Scalar twins: the specification. s = Σ_k in order from +0, then C = acc ? C + s : s.

/** Scalar twin of gemm_nn.  C (M,N), A (M,K), B (K,N). */
export function gemm_nn_ref(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, acc: i32): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s: f32 = 0;
      for (let k = 0; k < K; k++) {
        s += load<f32>(A + ((<usize>i * K + k) << 2)) * load<f32>(B + ((<usize>k * N + j) << 2));
      }
      const c = C + ((<usize>i * N + j) << 2);
      store<f32>(c, acc ? load<f32>(c) + s : s);
    }
  }
}

/** Scalar twin of gemm_tn.  C (M,N), A stored (K,M), B (K,N). */
export function gemm_tn_ref(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, acc: i32): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s: f32 = 0;
      for (let k = 0; k < K; k++) {
        s += load<f32>(A + ((<usize>k * M + i) << 2)) * load<f32>(B + ((<usize>k * N + j) << 2));
      }
      const c = C + ((<usize>i * N + j) << 2);
      store<f32>(c, acc ? load<f32>(c) + s : s);
    }
  }
}

/** Scalar twin of gemm_nt.  C (M,N), A (M,K), B stored (N,K). */
export function gemm_nt_ref(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, acc: i32): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s: f32 = 0;
      for (let k = 0; k < K; k++) {
        s += load<f32>(A + ((<usize>i * K + k) << 2)) * load<f32>(B + ((<usize>j * K + k) << 2));
      }
      const c = C + ((<usize>i * N + j) << 2);
      store<f32>(c, acc ? load<f32>(c) + s : s);
    }
  }
}
