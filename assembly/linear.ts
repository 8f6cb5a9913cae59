// Fully connected layer (PyTorch's nn.Linear: y = x W^T + b, weight stored (out_features, in_features)).
//
// Legend: N batch, In input features, Out output features. Tensors are row-major f32, 16-byte aligned.
//
//   forward   out (N,Out) = inp (N,In) · W^T + b                  gemm_nt form (inner products along In)
//   backward  dinp (N,In) += dout (N,Out) · W                      gemm_nn form  (skipped if dinp == 0)
//             dW (Out,In) += dout^T · inp                          gemm_tn form
//             db (Out)    += Σ_n dout[n, :]                        column sums
//
// Numerics: out = b + s with s the inner-product tile's sum (4 interleaved partial sums, see
// assembly/inline/tiles.ts), equal to the twin's sequential sum up to rounding; dinp, dW and db are
// sequential sums from +0 added into the gradient, bit-identical to linear_backward_ref.

import { tile_row, pack_a_splat, pack_b_edge, dot_run } from "./inline/tiles";

@inline function al64(b: usize): usize { return (b + 63) & ~(<usize>63); }

/** Scratch of the outer-product drivers for reduction length K: A panel (64 K), B edge panel (32 K), tile. */
@inline function panelBytes(K: i32): usize { return al64(<usize>K * 96) + 128; }

/**
 * Scratch bytes linear_forward and linear_backward need (the larger): forward a zero row of In f32;
 * backward one pre-splatted A panel and one B edge panel for reduction length N (dW) or Out (dinp).
 */
export function linear_ws_bytes(N: i32, In: i32, Out: i32): usize {
  const f = al64(<usize>In << 2) + 128;
  const bn = panelBytes(N), bo = panelBytes(Out);
  const b = bn > bo ? bn : bo;
  return f > b ? f : b;
}

/**
 * out = inp · weight^T + bias.
 *   out: (N, Out)   inp: (N, In)   weight: (Out, In)   bias: (Out)
 *   ws:  linear_ws_bytes(N, In, Out) bytes, 16-byte aligned
 */
export function linear_forward(out: usize, inp: usize, weight: usize, bias: usize, N: i32, In: i32, Out: i32,
                               ws: usize): void {
  if (N <= 0 || Out <= 0) return;
  const ldo = <usize>Out << 2;
  for (let n = 0; n < N; n++) memory.copy(out + <usize>n * ldo, bias, ldo);
  memory.fill(ws, 0, <usize>In << 2);
  const ldi = <usize>In << 2;
  dot_run(out, ldo, inp, ldi, weight, ldi, N, Out, In, 1, ws, ws + al64(ldi));
}

/**
 * Gradients of linear_forward, ADDED into dinp (skipped when 0), dweight and dbias.
 *   dinp:  (N, In) or 0   dweight: (Out, In)   dbias: (Out)
 *   dout:  (N, Out)       inp:     (N, In)     weight: (Out, In)
 *   ws:    linear_ws_bytes(N, In, Out) bytes, 16-byte aligned
 */
export function linear_backward(dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize,
                                N: i32, In: i32, Out: i32, ws: usize): void {
  if (N <= 0 || Out <= 0) return;
  const ldo = <usize>Out << 2, ldi = <usize>In << 2;
  const tail = In & 7;
  // dbias[o] += Σ_n dout[n][o], sequential over n, four outputs per vector
  let o = dbias ? 0 : Out;
  for (; o + 4 <= Out; o += 4) {
    let s = f32x4.splat(0);
    for (let n = 0; n < N; n++) s = f32x4.add(s, v128.load(dout + <usize>n * ldo + (<usize>o << 2)));
    const b = dbias + (<usize>o << 2);
    v128.store(b, f32x4.add(v128.load(b), s));
  }
  for (; dbias && o < Out; o++) {
    let s: f32 = 0;
    for (let n = 0; n < N; n++) s += load<f32>(dout + <usize>n * ldo + (<usize>o << 2));
    const b = dbias + (<usize>o << 2);
    store<f32>(b, load<f32>(b) + s);
  }
  // dweight (Out, In) += dout^T · inp: A = dout stored (K=N, M=Out), B = inp (K=N, In)
  let edge = ws + (<usize>N << 6), tmp = ws + al64(<usize>N * 96);
  if (dweight && tail) pack_b_edge(edge, inp + (<usize>(In - tail) << 2), ldi, tail, N);
  for (let i = 0; dweight && i < Out; i += 4) {
    pack_a_splat(ws, dout + (<usize>i << 2), 4, ldo, min(4, Out - i), N);
    tile_row(dweight + <usize>i * ldi, ldi, ws, min(4, Out - i), inp, 32, ldi, edge, 32, In, N, 1, tmp);
  }
  if (dinp == 0) return;
  // dinp (N, In) += dout · weight: A = dout (M=N, K=Out), B = weight (K=Out, In)
  edge = ws + (<usize>Out << 6);
  tmp = ws + al64(<usize>Out * 96);
  if (tail) pack_b_edge(edge, weight + (<usize>(In - tail) << 2), ldi, tail, Out);
  for (let i = 0; i < N; i += 4) {
    pack_a_splat(ws, dout + <usize>i * ldo, ldo, 4, min(4, N - i), Out);
    tile_row(dinp + <usize>i * ldi, ldi, ws, min(4, N - i), weight, 32, ldi, edge, 32, In, Out, 1, tmp);
  }
}

// ---------------------------------------------------------------------------------------------------
// Scalar twins

/** Scalar twin of linear_forward: out[n][o] = bias[o] + Σ_i inp[n][i] weight[o][i] (sequential). */
export function linear_forward_ref(out: usize, inp: usize, weight: usize, bias: usize, N: i32, In: i32, Out: i32): void {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < Out; o++) {
      let s: f32 = 0;
      for (let i = 0; i < In; i++) {
        s += load<f32>(inp + ((<usize>n * In + i) << 2)) * load<f32>(weight + ((<usize>o * In + i) << 2));
      }
      store<f32>(out + ((<usize>n * Out + o) << 2), load<f32>(bias + (<usize>o << 2)) + s);
    }
  }
}

/** Scalar twin of linear_backward (sequential sums from +0, then added into the gradient). */
export function linear_backward_ref(dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize,
                                    N: i32, In: i32, Out: i32): void {
  for (let o = 0; dbias && o < Out; o++) {
    let s: f32 = 0;
    for (let n = 0; n < N; n++) s += load<f32>(dout + ((<usize>n * Out + o) << 2));
    store<f32>(dbias + (<usize>o << 2), load<f32>(dbias + (<usize>o << 2)) + s);
  }
  for (let o = 0; dweight && o < Out; o++) {
    for (let i = 0; i < In; i++) {
      let s: f32 = 0;
      for (let n = 0; n < N; n++) {
        s += load<f32>(dout + ((<usize>n * Out + o) << 2)) * load<f32>(inp + ((<usize>n * In + i) << 2));
      }
      const d = dweight + ((<usize>o * In + i) << 2);
      store<f32>(d, load<f32>(d) + s);
    }
  }
  if (dinp == 0) return;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < In; i++) {
      let s: f32 = 0;
      for (let o = 0; o < Out; o++) {
        s += load<f32>(dout + ((<usize>n * Out + o) << 2)) * load<f32>(weight + ((<usize>o * In + i) << 2));
      }
      const d = dinp + ((<usize>n * In + i) << 2);
      store<f32>(d, load<f32>(d) + s);
    }
  }
}
