// Small @inline SIMD helpers shared by the kernels (one place, as thi-ng/umbrella's assembly/inline).

/** Load four f32 at byte offset ptr + (i << 2). */
@inline export function ld4(ptr: usize, i: i32): v128 {
  return v128.load(ptr + (<usize>i << 2));
}

/** Store four f32 at byte offset ptr + (i << 2). */
@inline export function st4(ptr: usize, i: i32, v: v128): void {
  v128.store(ptr + (<usize>i << 2), v);
}

/** Load one f32 at element i. */
@inline export function ldf(ptr: usize, i: i32): f32 {
  return load<f32>(ptr + (<usize>i << 2));
}

/** Store one f32 at element i. */
@inline export function stf(ptr: usize, i: i32, v: f32): void {
  store<f32>(ptr + (<usize>i << 2), v);
}
