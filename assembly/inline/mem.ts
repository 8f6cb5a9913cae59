// Small @inline memory helpers shared by the kernels (one place, as thi-ng/umbrella's assembly/inline):
// byte sizes with names, alignment of scratch offsets, and an add loop. Not part of the ABI.
//
// Pointers are byte offsets into the one memory, so an element count becomes a byte count by a
// shift; the helpers below give those shifts names (f32s(n) reads "n f32", not "n << 2").

/** Bytes of n f32 (or i32) elements: n << 2. */
@inline export function f32s(n: usize): usize { return n << 2; }

/** Bytes of n f32x4 vectors (4 f32 each): n << 4. */
@inline export function vecs(n: usize): usize { return n << 4; }

/** b rounded up to a multiple of 16 (an f32x4). */
@inline export function al16(b: usize): usize { return (b + 15) & ~(<usize>15); }

/** b rounded up to a multiple of 64 (a cache line): scratch regions start on one. */
@inline export function al64(b: usize): usize { return (b + 63) & ~(<usize>63); }

/** dst[0..n) += src[0..n) for f32 (any alignment): vectors, then a scalar tail. */
@inline export function add_into(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = f32s(i);
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = f32s(i);
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}
