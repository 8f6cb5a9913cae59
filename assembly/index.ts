// The ABI of the augsal core: every kernel the host may call, and nothing else.
// Conventions (docs/abi.md has the long form):
// - Pointers are byte offsets into the one exported linear memory; f32 tensors are NCHW, row-major,
//   16-byte aligned. Arguments and results are usize / i32 / u32 / f32, and f64 where f32 would round
//   too early: the optimizer hyper-parameters (sgd_step, adam_step and their twins), map_kl's eps, and
//   the results of softmax_xent_forward, rng_uniform64, rng_normal and the map_* metrics (no BigInt,
//   no strings).
// - A kernel never allocates; scratch space ("ws") is passed in by the caller.
// - Backward kernels ADD into their d-outputs; the caller zeroes gradients once per step. The one
//   exception, maxpool2d_relu_backward, writes all of its activation gradient (no zeroing pass).
// - Every SIMD kernel has a scalar twin named *_ref that the tests hold it against.
// Not re-exported (internal to the kernels): assembly/tiles.ts (GEMM micro-kernels), assembly/im2col.ts
// (conv2d's packers) and assembly/inline/ (@inline helpers).
export * from "./mem";
export * from "./rng";
export * from "./gemm";
export * from "./linear";
export * from "./conv";
export * from "./pool";
export * from "./act";
export * from "./loss";
export * from "./optim";
export * from "./augment";
export * from "./metrics";
