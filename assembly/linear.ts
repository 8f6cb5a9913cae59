// Fully connected layer (PyTorch's nn.Linear: y = x W^T + b, weight stored (out_features, in_features)).
//
// Legend: N batch, In input features, Out output features. Tensors are row-major f32, 16-byte aligned.
//
//   forward   out (N,Out) = inp (N,In) · W^T + b                  gemm_nt (inner products along In)
//   backward  dinp (N,In) += dout (N,Out) · W                      gemm_nn (skipped if dinp == 0)
//             dW (Out,In) += dout^T · inp                          gemm_tn
//             db (Out)    += Σ_n dout[n, :]                        column sums
//
// Numerics: out = b + s with s the inner-product tile's sum (4 interleaved partial sums, see
// assembly/tiles.ts), equal to the twin's sequential sum up to rounding; dinp, dW and db are
// sequential sums from +0 added into the gradient, bit-identical to linear_backward_ref.

import { gemm_nn, gemm_tn, gemm_nt } from "./gemm";
import { panels_ws_bytes, dot_run_ws_bytes } from "./tiles";
import { f32s } from "./inline/mem";

/**
 * Scratch bytes linear_forward and linear_backward need (the larger): forward gemm_nt's zero row of
 * In f32 and tile; backward gemm_tn's and gemm_nn's panels for reduction length N (dW) or Out (dinp).
 */
export function linear_ws_bytes(N: i32, In: i32, Out: i32): usize {
  const f = dot_run_ws_bytes(In);
  const bn = panels_ws_bytes(N), bo = panels_ws_bytes(Out);
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
  const ldo = f32s(Out);
  for (let n = 0; n < N; n++) {
    const row = out + <usize>n * ldo;
    for (let o: usize = 0; o < ldo; o += 4) store<f32>(row + o, load<f32>(bias + o));
  }
  gemm_nt(out, inp, weight, N, Out, In, 1, ws); // out (N,Out) += inp (N,In) · weight (Out,In)^T
}

/**
 * Gradients of linear_forward, ADDED into dinp, dweight and dbias (each skipped when its pointer is 0).
 *   dinp:  (N, In) or 0   dweight: (Out, In)   dbias: (Out)
 *   dout:  (N, Out)       inp:     (N, In)     weight: (Out, In)
 *   ws:    linear_ws_bytes(N, In, Out) bytes, 16-byte aligned
 */
export function linear_backward(dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize,
                                N: i32, In: i32, Out: i32, ws: usize): void {
  if (N <= 0 || Out <= 0) return;
  const ldo = f32s(Out);
  // dbias[o] += Σ_n dout[n][o], sequential over n, four outputs per vector
  let o = dbias ? 0 : Out;
  for (; o + 4 <= Out; o += 4) {
    let s = f32x4.splat(0);
    for (let n = 0; n < N; n++) s = f32x4.add(s, v128.load(dout + <usize>n * ldo + f32s(o)));
    const b = dbias + f32s(o);
    v128.store(b, f32x4.add(v128.load(b), s));
  }
  for (; dbias && o < Out; o++) {
    let s: f32 = 0;
    for (let n = 0; n < N; n++) s += load<f32>(dout + <usize>n * ldo + f32s(o));
    const b = dbias + f32s(o);
    store<f32>(b, load<f32>(b) + s);
  }
  if (dweight) gemm_tn(dweight, dout, inp, Out, In, N, 1, ws); // dW (Out,In) += dout (N,Out)^T · inp (N,In)
  if (dinp) gemm_nn(dinp, dout, weight, N, In, Out, 1, ws); // dinp (N,In) += dout (N,Out) · weight (Out,In)
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
