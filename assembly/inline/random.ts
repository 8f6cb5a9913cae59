// @inline pieces of the generator that other kernels (augment) draw through; not part of the ABI
// (rng_next64 returns a u64, which would be a BigInt on the host). See assembly/rng.ts.

export const GOLDEN: u64 = 0x9E3779B97F4A7C15;

@inline export function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

@inline export function absorb(h: u64, v: u32): u64 {
  return mix64(h + GOLDEN + (<u64>v));
}

/** Next 64 random bits of the stream. */
@inline export function rng_next64(state: usize): u64 {
  const ctr = load<u64>(state, 8) + 1;
  store<u64>(state, ctr, 8);
  return mix64(load<u64>(state) + ctr * GOLDEN);
}

