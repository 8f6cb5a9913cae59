// The ABI of the augsal core: every kernel the host may call, and nothing else.
// Conventions (docs/abi.md has the long form):
// - Pointers are byte offsets into the one exported linear memory; f32 tensors are NCHW, row-major,
//   16-byte aligned. Arguments are usize / i32 / f32, and f64 for optimizer hyper-parameters and
//   map-metric results (no BigInt, no strings).
// - A kernel never allocates; scratch space ("ws") is passed in by the caller.
// - Backward kernels ADD into their d-outputs; the caller zeroes gradients once per step.
// - Every SIMD kernel has a scalar twin named *_ref that the tests hold it against.
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
