// The ABI of the wasm core, typed for TypeScript: the same list as assembly/index.ts.
// Every pointer is a byte offset into `memory` (f32 buffers 16-byte aligned, NCHW row-major);
// arguments are numbers only. Backward kernels ADD into their d-outputs. `ws` is caller-owned
// scratch whose size the matching *_ws_bytes function returns. A null pointer (0) for an optional
// d-output skips that gradient. docs/abi.md documents each in full.

type P = number; // usize: byte offset into memory
type I = number; // i32
type F = number; // f32 (f64 where noted)
// Argument lists several exports share, as labelled tuples a signature spreads (`...a: GemmArgs`).
type GemmArgs = [C: P, A: P, B: P, M: I, N: I, K: I, acc: I];
type ConvDims = [N: I, Cin: I, H: I, W: I, Cout: I, K: I, pad: I];

export interface CoreExports {
  memory: WebAssembly.Memory;

  // mem
  heap_base(): P;
  zero(ptr: P, bytes: number): void;
  copy(dst: P, src: P, bytes: number): void;

  // rng: state = 16 bytes { key u64, counter u64 }
  rng_seed(state: P, seed: I, purpose: I, a: I, b: I, c: I): void;
  rng_u32(state: P): number;
  rng_uniform(state: P): F;
  rng_uniform64(state: P): F;
  rng_below(state: P, bound: I): number;
  rng_fill_uniform(state: P, out: P, n: I, lo: F, hi: F): void;
  rng_normal(state: P): F;
  rng_fill_normal(state: P, out: P, n: I, mean: F, std: F): void;
  rng_permutation(state: P, out: P, n: I): void;
  kaiming_uniform(state: P, out: P, n: I, fanIn: I): void;

  // gemm: C(M,N) = [acc ? C : 0] + op(A) · op(B)
  //   nn: A (M,K), B (K,N)    tn: A (K,M), B (K,N)    nt: A (M,K), B (N,K)
  // peak_probe: 48 flop of independent f32x4 mul+add per iteration; returns a checksum.
  peak_probe(iters: I): F;
  gemm_ws_bytes(M: I, N: I, K: I): number;
  gemm_nn(...a: [...GemmArgs, ws: P]): void;
  gemm_tn(...a: [...GemmArgs, ws: P]): void;
  gemm_nt(...a: [...GemmArgs, ws: P]): void;
  gemm_nn_ref(...a: GemmArgs): void;
  gemm_tn_ref(...a: GemmArgs): void;
  gemm_nt_ref(...a: GemmArgs): void;

  // linear: out (N,Out) = inp (N,In) · W (Out,In)^T + b (Out)
  linear_ws_bytes(N: I, In: I, Out: I): number;
  linear_forward(out: P, inp: P, weight: P, bias: P, N: I, In: I, Out: I, ws: P): void;
  linear_backward(dinp: P, dweight: P, dbias: P, dout: P, inp: P, weight: P, N: I, In: I, Out: I, ws: P): void;
  linear_forward_ref(out: P, inp: P, weight: P, bias: P, N: I, In: I, Out: I): void;
  linear_backward_ref(dinp: P, dweight: P, dbias: P, dout: P, inp: P, weight: P, N: I, In: I, Out: I): void;

  // conv2d, stride 1, square kernel K, zero padding pad:
  //   inp (N,Cin,H,W), weight (Cout,Cin,K,K), bias (Cout), out (N,Cout,Ho,Wo), Ho = H + 2pad - K + 1
  conv2d_ws_bytes(...dims: ConvDims): number;
  conv2d_forward(out: P, inp: P, weight: P, bias: P, ...d: [...ConvDims, ws: P]): void;
  // conv -> ReLU -> 2x2 max-pool in one pass: out and argmax (N,Cout,Ho>>1,Wo>>1) as maxpool2d_forward's
  conv2d_relu_maxpool_forward(out: P, argmax: P, inp: P, weight: P, bias: P, ...d: [...ConvDims, ws: P]): void;
  conv2d_backward(dinp: P, dweight: P, dbias: P, dout: P, inp: P, weight: P, ...d: [...ConvDims, ws: P]): void;
  // parallel pieces of conv2d_backward: parameter gradients over work items [i0, i1), input gradient
  conv2d_param_items(Cin: I, Cout: I, K: I): number;
  conv2d_backward_params(dweight: P, dbias: P, dout: P, inp: P, ...d: [...ConvDims, ws: P, i0: I, i1: I]): void;
  conv2d_backward_input(dinp: P, dout: P, weight: P, ...d: [...ConvDims, ws: P]): void;
  conv2d_forward_ref(out: P, inp: P, weight: P, bias: P, ...d: ConvDims): void;
  conv2d_relu_maxpool_forward_ref(out: P, argmax: P, inp: P, weight: P, bias: P, ...d: ConvDims): void;
  conv2d_backward_params_ref(dweight: P, dbias: P, dout: P, inp: P, ...d: [...ConvDims, i0: I, i1: I]): void;
  conv2d_backward_input_ref(dinp: P, dout: P, weight: P, ...d: ConvDims): void;
  conv2d_backward_ref(dinp: P, dweight: P, dbias: P, dout: P, inp: P, weight: P, ...d: ConvDims): void;

  // maxpool 2x2 stride 2 (floor): inp (N,C,H,W), out and argmax (N,C,H>>1,W>>1);
  // argmax (i32) is the flat index into inp of the first maximum in row-major order (PyTorch's tie rule).
  maxpool2d_forward(out: P, argmax: P, inp: P, N: I, C: I, H: I, W: I): void;
  maxpool2d_backward(dinp: P, dout: P, argmax: P, N: I, C: I, H: I, W: I): void;
  maxpool2d_relu_backward(dinp: P, dout: P, argmax: P, pooled: P, N: I, C: I, H: I, W: I): void;
  maxpool2d_relu_backward_ref(dinp: P, dout: P, argmax: P, pooled: P, N: I, C: I, H: I, W: I): void;
  maxpool2d_forward_ref(out: P, argmax: P, inp: P, N: I, C: I, H: I, W: I): void;

  // relu: out = max(inp, 0); backward dinp += dout * (out > 0)
  relu_forward(out: P, inp: P, n: I): void;
  relu_backward(dinp: P, dout: P, out: P, n: I): void;
  relu_forward_ref(out: P, inp: P, n: I): void;
  relu_backward_ref(dinp: P, dout: P, out: P, n: I): void;

  // loss: logits/probs (N,C) f32, labels (N) i32
  softmax_forward(probs: P, logits: P, N: I, C: I): void;
  softmax_xent_forward(probs: P, logits: P, labels: P, N: I, C: I): F; // mean loss (f64)
  softmax_xent_backward(dlogits: P, probs: P, labels: P, N: I, C: I): void; // += (p - onehot) / N
  count_correct(logits: P, labels: P, N: I, C: I): I;
  argmax_rows(out: P, x: P, N: I, C: I): void;

  // optim over flat regions of n f32 (PyTorch's torch.optim.SGD / torch.optim.Adam semantics). The hyper-parameters
  // cross as f64 and are rounded to f32 inside, where PyTorch rounds them (1 - f32(0.999) is not f32(0.001)).
  sgd_step(p: P, g: P, buf: P, n: I, lr: F, momentum: F, dampening: F, weightDecay: F, nesterov: I, first: I): void;
  adam_step(p: P, g: P, m: P, v: P, n: I, lr: F, beta1: F, beta2: F, eps: F, weightDecay: F, step: I): void;
  sgd_step_ref(p: P, g: P, buf: P, n: I, lr: F, momentum: F, dampening: F, weightDecay: F, nesterov: I, first: I): void;
  adam_step_ref(p: P, g: P, m: P, v: P, n: I, lr: F, beta1: F, beta2: F, eps: F, weightDecay: F, step: I): void;

  // augment (assembly/augment.ts): images inp, out (N,H,W) f32 in [0,1], out never overlapping inp.
  // Deterministic forms apply one parameter set to all N images; *_random forms draw per image, in
  // turn, from the one stream at `state`. Pixel centres at (j + 0.5, i + 0.5) (align_corners=False),
  // bilinear, zero fill where pixels move. field/noise are (2,H,W): plane 0 = dx, plane 1 = dy (px).
  aug_scale_ws_bytes(H: I, W: I): number;
  aug_scale(out: P, inp: P, N: I, H: I, W: I, factor: F, ws: P): void;
  aug_scale_ref(out: P, inp: P, N: I, H: I, W: I, factor: F, ws: P): void;
  aug_scale_random(out: P, inp: P, N: I, H: I, W: I, s: F, state: P, ws: P): void; // factor ~ U[1-s, 1+s]
  aug_crop(out: P, inp: P, N: I, H: I, W: I, pad: I, top: I, left: I): void; // window of the zero-padded image
  aug_crop_random(out: P, inp: P, N: I, H: I, W: I, pad: I, state: P): void; // top, left ~ U{0..2pad}
  aug_resized_crop_ws_bytes(H: I, W: I): number;
  aug_resized_crop(out: P, inp: P, N: I, H: I, W: I, top: I, left: I, h: I, w: I, ws: P): void;
  aug_resized_crop_ref(out: P, inp: P, N: I, H: I, W: I, top: I, left: I, h: I, w: I, ws: P): void;
  aug_resized_crop_random(out: P, inp: P, N: I, H: I, W: I, scaleMin: F, state: P, ws: P): void; // RandomResizedCrop
  aug_erase(out: P, inp: P, N: I, H: I, W: I, top: I, left: I, h: I, w: I, value: F): void;
  aug_erase_random(out: P, inp: P, N: I, H: I, W: I, scaleLo: F, scaleHi: F, state: P): void; // RandomErasing(p=1)
  gaussian_radius(sigma: F): I; // ceil(3 sigma), 0 for sigma <= 0
  gaussian_kernel(out: P, sigma: F, radius: I): void; // out (2r+1) f32, sums to 1
  aug_blur_ws_bytes(H: I, W: I, sigmaMax: F): number;
  aug_blur(out: P, inp: P, N: I, H: I, W: I, sigma: F, ws: P): void; // separable, reflect edges
  aug_blur_ref(out: P, inp: P, N: I, H: I, W: I, sigma: F, ws: P): void;
  aug_blur_random(out: P, inp: P, N: I, H: I, W: I, sigmaLo: F, sigmaHi: F, state: P, ws: P): void;
  aug_elastic_ws_bytes(H: I, W: I, sigma: F): number;
  aug_elastic_field(field: P, noise: P, H: I, W: I, alpha: F, sigma: F, ws: P): void; // ws: aug_blur_ws_bytes
  aug_warp(out: P, inp: P, N: I, H: I, W: I, field: P): void;
  aug_elastic(out: P, inp: P, N: I, H: I, W: I, noise: P, alpha: F, sigma: F, ws: P): void;
  aug_elastic_ref(out: P, inp: P, N: I, H: I, W: I, noise: P, alpha: F, sigma: F, ws: P): void;
  aug_elastic_random(out: P, inp: P, N: I, H: I, W: I, alpha: F, sigma: F, state: P, ws: P): void;

  // metrics (assembly/metrics.ts): saliency-map metrics in f64 (f64 returns and eps). p, q: (n) f32
  // maps, already |.|; q is the reference (baseline) map. Undefined cases (constant map, zero sum) give NaN.
  map_cc(p: P, q: P, n: I): F; // Pearson r (MIT CC.m)
  map_kl(p: P, q: P, n: I, eps: F): F; // MIT KLdiv.m: sum Q log(eps + Q / (P + eps)), maps normalised to sum 1
  map_sim(p: P, q: P, n: I): F; // MIT similarity.m: sum min(P, Q) after [0,1] rescaling and sum-1 normalisation
  map_entropy_spatial(p: P, n: I): F; // -sum P log P (nats), P = p / sum p
  map_entropy_hist_ws_bytes(bins: I): number;
  map_entropy_hist(p: P, n: I, bins: I, ws: P): F; // bits; numpy.histogram(p, bins, range=(0, max p))
  map_spearman_ws_bytes(n: I): number;
  map_spearman(p: P, q: P, n: I, ws: P): F; // Pearson r of average ranks
}
