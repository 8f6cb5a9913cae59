// Seeded, counter-based random numbers: every draw in augsal comes from here.
//
// A stream is named by what it is for, never by the order in which work happens:
//   key = mix(seed, purpose, a, b, c)   e.g. (seed, AUGMENT, set, image, copy)
//   draw i of the stream = splitmix64(key + (i + 1) * GOLDEN)
// The state lives in caller memory (16 bytes, 8-aligned):
//   state: usize /* { key: u64, counter: u64 } */
// so a kernel that draws takes a state pointer, and two workers that name the same stream get the
// same numbers. SplitMix64 (Steele, Lea & Flood 2014) passes BigCrush as a counter-based generator.
// Only u32 / f32 / f64 / usize cross the ABI: the 64-bit state stays in memory (a u64 would be a BigInt
// in the host), and rng_uniform64 / rng_normal return f64.
//
// Legend: n = element count.

import { GOLDEN, absorb, rng_next64 } from "./inline/random";

/** Name a stream: state <- (key = hash(seed, purpose, a, b, c), counter = 0). */
export function rng_seed(state: usize, seed: u32, purpose: u32, a: u32, b: u32, c: u32): void {
  let h: u64 = 0x6A09E667F3BCC909; // sqrt(2) fraction, an arbitrary non-zero start
  h = absorb(h, seed);
  h = absorb(h, purpose);
  h = absorb(h, a);
  h = absorb(h, b);
  h = absorb(h, c);
  store<u64>(state, h);
  store<u64>(state, 0, 8);
}

/** Next 32 random bits (the high half of a 64-bit draw). */
export function rng_u32(state: usize): u32 {
  return <u32>(rng_next64(state) >> 32);
}

/** Uniform f32 in [0, 1): 24 random bits, so every value is exactly representable. */
export function rng_uniform(state: usize): f32 {
  return <f32>(<u32>(rng_next64(state) >> 40)) * (1.0 / 16777216.0);
}

/** Uniform f64 in [0, 1) with 53 random bits. */
export function rng_uniform64(state: usize): f64 {
  return <f64>(rng_next64(state) >> 11) * (1.0 / 9007199254740992.0);
}

/** Unbiased integer in [0, bound) (Lemire's multiply-and-reject, 2019). bound > 0. */
export function rng_below(state: usize, bound: u32): u32 {
  let m: u64 = <u64>rng_u32(state) * <u64>bound;
  let low = <u32>m;
  if (low < bound) {
    const t = (<u32>(-bound)) % bound;
    while (low < t) {
      m = <u64>rng_u32(state) * <u64>bound;
      low = <u32>m;
    }
  }
  return <u32>(m >> 32);
}

/** out[i] = lo + (hi - lo) * u, u uniform in [0, 1) (torch.Tensor.uniform_'s formula).
 *  out: usize (n) f32 */
export function rng_fill_uniform(state: usize, out: usize, n: i32, lo: f32, hi: f32): void {
  const span = hi - lo;
  for (let i = 0; i < n; i++) {
    store<f32>(out + (<usize>i << 2), lo + span * rng_uniform(state));
  }
}

/** One standard normal draw (Box-Muller in f64; AssemblyScript's Math is wasm code, so every
 *  runtime gives the same bits). */
export function rng_normal(state: usize): f64 {
  const u1 = 1.0 - rng_uniform64(state); // (0, 1]
  const u2 = rng_uniform64(state);
  return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
}

/** out[i] = mean + std * N(0, 1).  out: usize (n) f32 */
export function rng_fill_normal(state: usize, out: usize, n: i32, mean: f32, std: f32): void {
  for (let i = 0; i < n; i++) {
    store<f32>(out + (<usize>i << 2), <f32>(<f64>mean + <f64>std * rng_normal(state)));
  }
}

/** A uniform random permutation of 0..n-1 (Fisher-Yates, drawing from the back).
 *  out: usize (n) i32 */
export function rng_permutation(state: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), i);
  for (let i = n - 1; i > 0; i--) {
    const j = <i32>rng_below(state, <u32>(i + 1));
    const pi = out + (<usize>i << 2);
    const pj = out + (<usize>j << 2);
    const t = load<i32>(pi);
    store<i32>(pi, load<i32>(pj));
    store<i32>(pj, t);
  }
}

/** PyTorch's default init for nn.Conv2d and nn.Linear (reset_parameters):
 *  weight ~ kaiming_uniform_(a = sqrt(5)) = U(-b, b) with b = gain * sqrt(3 / fan_in),
 *  gain = sqrt(2 / (1 + a^2)) = sqrt(1/3), so b = 1 / sqrt(fan_in); the bias is U(-1/sqrt(fan_in),
 *  1/sqrt(fan_in)) as well. fan_in = Cin * K * K for a conv, in_features for a linear layer.
 *  out: usize (n) f32 */
export function kaiming_uniform(state: usize, out: usize, n: i32, fan_in: i32): void {
  const gain = Math.sqrt(2.0 / (1.0 + 5.0));
  const bound = <f32>(gain * Math.sqrt(3.0 / <f64>fan_in));
  rng_fill_uniform(state, out, n, -bound, bound);
}
