import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertClose, assertSameBits, freshCore, randomF32, snap, type Core } from "../helpers.js";

const f = Math.fround;
const TEST = 0x7e57;

/** A state seeded on the test purpose. */
function state(c: Core, seed: number): number {
  const st = c.arena.alloc(16);
  c.exports.rng_seed(st, seed, TEST, 1, 2, 3);
  return st;
}

/** n images of H x W with values in [lo, hi), in arena memory. */
function images(c: Core, n: number, H: number, W: number, seed: number, lo = 0, hi = 1): number {
  return randomF32(c, n * H * W, seed, lo, hi);
}

const SIZES: [number, number][] = [[1, 1], [3, 5], [7, 4], [13, 17], [28, 28]];

// ---------------------------------------------------------------------------------------------
// Independent JavaScript specifications (f64), held against the kernels with a tolerance.

/** Bilinear sample at index coordinates (x, y), zero outside. */
function bilinearZero(img: Float32Array, H: number, W: number, x: number, y: number): number {
  const x0 = Math.floor(x), y0 = Math.floor(y), ax = x - x0, ay = y - y0;
  const px = (i: number, j: number) => (i >= 0 && i < H && j >= 0 && j < W ? img[i * W + j] : 0);
  return (1 - ay) * ((1 - ax) * px(y0, x0) + ax * px(y0, x0 + 1)) + ay * ((1 - ax) * px(y0 + 1, x0) + ax * px(y0 + 1, x0 + 1));
}

/** Zoom about the centre (W/2, H/2) with pixel centres at (j + 0.5, i + 0.5). */
function zoomJs(img: Float32Array, H: number, W: number, factor: number): Float32Array {
  const out = new Float32Array(H * W);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const x = (j + 0.5 - W / 2) / factor + W / 2 - 0.5;
      const y = (i + 0.5 - H / 2) / factor + H / 2 - 0.5;
      out[i * W + j] = bilinearZero(img, H, W, x, y);
    }
  }
  return out;
}

/** torch.nn.functional.interpolate(crop, (H, W), mode="bilinear", align_corners=False). */
function resizedCropJs(img: Float32Array, H: number, W: number, top: number, left: number, h: number, w: number): Float32Array {
  const src = (d: number, len: number, n: number) => Math.max((len / n) * (d + 0.5) - 0.5, 0);
  const out = new Float32Array(H * W);
  for (let i = 0; i < H; i++) {
    const sy = src(i, h, H), y0 = Math.min(Math.floor(sy), h - 1), y1 = Math.min(y0 + 1, h - 1), ay = sy - y0;
    for (let j = 0; j < W; j++) {
      const sx = src(j, w, W), x0 = Math.min(Math.floor(sx), w - 1), x1 = Math.min(x0 + 1, w - 1), ax = sx - x0;
      const p = (a: number, b: number) => img[(top + a) * W + left + b];
      out[i * W + j] = (1 - ay) * ((1 - ax) * p(y0, x0) + ax * p(y0, x1)) + ay * ((1 - ax) * p(y1, x0) + ax * p(y1, x1));
    }
  }
  return out;
}

/** 2-D Gaussian blur with PyTorch "reflect" padding, f64, radius ceil(3 sigma). */
function blurJs(img: Float32Array, H: number, W: number, sigma: number): Float32Array {
  const r = Math.ceil(3 * sigma);
  const w: number[] = [];
  for (let k = -r; k <= r; k++) w.push(Math.exp(-0.5 * (k / sigma) ** 2));
  const sum = w.reduce((a, b) => a + b, 0);
  const refl = (x: number, n: number) => {
    if (n === 1) return 0;
    const p = 2 * n - 2;
    let k = ((x % p) + p) % p;
    return k < n ? k : p - k;
  };
  const out = new Float32Array(H * W);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      let acc = 0;
      for (let a = -r; a <= r; a++) {
        for (let b = -r; b <= r; b++) acc += (w[a + r] / sum) * (w[b + r] / sum) * img[refl(i + a, H) * W + refl(j + b, W)];
      }
      out[i * W + j] = acc;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
const identity = suite("assembly/augment: identity parameters return the input bit for bit");

identity("zoom factor 1 (SIMD and twin), odd sizes, N = 3", () => {
  const c = freshCore();
  for (const [H, W] of SIZES) {
    const x = images(c, 3, H, W, H * 100 + W);
    const o = c.arena.alloc(3 * H * W * 4);
    const ws = c.arena.alloc(c.exports.aug_scale_ws_bytes(H, W));
    c.exports.aug_scale(o, x, 3, H, W, 1, ws);
    assertSameBits(snap(c, o, 3 * H * W), snap(c, x, 3 * H * W), `aug_scale ${H}x${W}`);
    c.exports.aug_scale_ref(o, x, 3, H, W, 1, ws);
    assertSameBits(snap(c, o, 3 * H * W), snap(c, x, 3 * H * W), `aug_scale_ref ${H}x${W}`);
    const st = state(c, 1);
    c.exports.aug_scale_random(o, x, 3, H, W, 0, st, ws);
    assertSameBits(snap(c, o, 3 * H * W), snap(c, x, 3 * H * W), `aug_scale_random s = 0, ${H}x${W}`);
  }
});

identity("crop: pad 0 at offset 0, pad 4 at offset (4, 4), random with pad 0", () => {
  const c = freshCore();
  for (const [H, W] of SIZES) {
    const x = images(c, 2, H, W, 7);
    const o = c.arena.alloc(2 * H * W * 4);
    c.exports.aug_crop(o, x, 2, H, W, 0, 0, 0);
    assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `pad 0 ${H}x${W}`);
    c.exports.aug_crop(o, x, 2, H, W, 4, 4, 4);
    assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `pad 4 centre ${H}x${W}`);
    c.exports.aug_crop_random(o, x, 2, H, W, 0, state(c, 3));
    assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `random pad 0 ${H}x${W}`);
  }
});

identity("resized crop of the whole image (SIMD and twin)", () => {
  const c = freshCore();
  for (const [H, W] of SIZES) {
    const x = images(c, 2, H, W, 11);
    const o = c.arena.alloc(2 * H * W * 4);
    const ws = c.arena.alloc(c.exports.aug_resized_crop_ws_bytes(H, W));
    c.exports.aug_resized_crop(o, x, 2, H, W, 0, 0, H, W, ws);
    assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `aug_resized_crop ${H}x${W}`);
    c.exports.aug_resized_crop_ref(o, x, 2, H, W, 0, 0, H, W, ws);
    assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `aug_resized_crop_ref ${H}x${W}`);
  }
});

identity("erasing a zero-area rectangle", () => {
  const c = freshCore();
  const H = 28, W = 28;
  const x = images(c, 2, H, W, 13);
  const o = c.arena.alloc(2 * H * W * 4);
  for (const [h, w] of [[0, 5], [5, 0], [0, 0]]) {
    c.exports.aug_erase(o, x, 2, H, W, 3, 4, h, w, 0);
    assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `h ${h} w ${w}`);
  }
});

identity("elastic with alpha = 0 (SIMD and twin, random form); warp by a zero field", () => {
  const c = freshCore();
  for (const [H, W] of SIZES) {
    const x = images(c, 2, H, W, 17);
    const noise = randomF32(c, 2 * H * W, 19, -1, 1);
    const o = c.arena.alloc(2 * H * W * 4);
    const ws = c.arena.alloc(c.exports.aug_elastic_ws_bytes(H, W, 4));
    c.exports.aug_elastic(o, x, 2, H, W, noise, 0, 4, ws);
    assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `aug_elastic ${H}x${W}`);
    c.exports.aug_elastic_ref(o, x, 2, H, W, noise, 0, 4, ws);
    assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `aug_elastic_ref ${H}x${W}`);
    c.exports.aug_elastic_random(o, x, 2, H, W, 0, 4, state(c, 5), ws);
    assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `aug_elastic_random ${H}x${W}`);
    const field = c.arena.allocF32(2 * H * W);
    c.exports.aug_warp(o, x, 2, H, W, field);
    assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `aug_warp ${H}x${W}`);
  }
});

identity("blur with sigma = 0 and sigma -> 0 (SIMD and twin)", () => {
  const c = freshCore();
  for (const [H, W] of SIZES) {
    const x = images(c, 2, H, W, 23);
    const o = c.arena.alloc(2 * H * W * 4);
    const ws = c.arena.alloc(c.exports.aug_blur_ws_bytes(H, W, 1.5));
    for (const sigma of [0, 1e-4, 1e-20]) {
      c.exports.aug_blur(o, x, 2, H, W, sigma, ws);
      assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `aug_blur sigma ${sigma} ${H}x${W}`);
      c.exports.aug_blur_ref(o, x, 2, H, W, sigma, ws);
      assertSameBits(snap(c, o, 2 * H * W), snap(c, x, 2 * H * W), `aug_blur_ref sigma ${sigma} ${H}x${W}`);
    }
  }
});

identity.run();

// ---------------------------------------------------------------------------------------------
const twins = suite("assembly/augment: SIMD kernels match their scalar twins bit for bit");

twins("aug_scale on odd sizes, zoom in and out", () => {
  const c = freshCore();
  for (const [H, W] of SIZES) {
    for (const N of [1, 3]) {
      const x = images(c, N, H, W, H + W + N);
      const a = c.arena.alloc(N * H * W * 4), b = c.arena.alloc(N * H * W * 4);
      const ws = c.arena.alloc(c.exports.aug_scale_ws_bytes(H, W));
      for (const factor of [0.7, 0.913, 1.3, 2.5]) {
        c.exports.aug_scale(a, x, N, H, W, factor, ws);
        c.exports.aug_scale_ref(b, x, N, H, W, factor, ws);
        assertSameBits(snap(c, a, N * H * W), snap(c, b, N * H * W), `factor ${factor} ${N}x${H}x${W}`);
      }
    }
  }
});

twins("aug_resized_crop on odd sizes and boxes", () => {
  const c = freshCore();
  for (const [H, W] of SIZES) {
    const x = images(c, 2, H, W, 31);
    const a = c.arena.alloc(2 * H * W * 4), b = c.arena.alloc(2 * H * W * 4);
    const ws = c.arena.alloc(c.exports.aug_resized_crop_ws_bytes(H, W));
    const boxes = [[0, 0, H, W], [H >> 2, W >> 3, Math.max(1, H >> 1), Math.max(1, W - (W >> 3))], [H - 1, W - 1, 1, 1]];
    for (const [t, l, h, w] of boxes) {
      c.exports.aug_resized_crop(a, x, 2, H, W, t, l, h, w, ws);
      c.exports.aug_resized_crop_ref(b, x, 2, H, W, t, l, h, w, ws);
      assertSameBits(snap(c, a, 2 * H * W), snap(c, b, 2 * H * W), `box ${[t, l, h, w]} on ${H}x${W}`);
    }
  }
});

twins("aug_blur on odd sizes, radius below and above the image size", () => {
  const c = freshCore();
  for (const [H, W] of SIZES) {
    for (const N of [1, 2]) {
      const x = images(c, N, H, W, 37 + N);
      const a = c.arena.alloc(N * H * W * 4), b = c.arena.alloc(N * H * W * 4);
      const ws = c.arena.alloc(c.exports.aug_blur_ws_bytes(H, W, 4));
      for (const sigma of [0.1, 0.8, 1.5, 4]) {
        c.exports.aug_blur(a, x, N, H, W, sigma, ws);
        c.exports.aug_blur_ref(b, x, N, H, W, sigma, ws);
        assertSameBits(snap(c, a, N * H * W), snap(c, b, N * H * W), `sigma ${sigma} ${N}x${H}x${W}`);
      }
    }
  }
});

twins("aug_elastic on odd sizes", () => {
  const c = freshCore();
  for (const [H, W] of SIZES) {
    const x = images(c, 2, H, W, 41);
    const noise = randomF32(c, 2 * H * W, 43, -1, 1);
    const a = c.arena.alloc(2 * H * W * 4), b = c.arena.alloc(2 * H * W * 4);
    for (const sigma of [1, 4]) {
      const ws = c.arena.alloc(c.exports.aug_elastic_ws_bytes(H, W, sigma));
      c.exports.aug_elastic(a, x, 2, H, W, noise, 24, sigma, ws);
      c.exports.aug_elastic_ref(b, x, 2, H, W, noise, 24, sigma, ws);
      assertSameBits(snap(c, a, 2 * H * W), snap(c, b, 2 * H * W), `sigma ${sigma} ${H}x${W}`);
    }
  }
});

twins.run();

// ---------------------------------------------------------------------------------------------
const scaling = suite("assembly/augment: scaling");

scaling("matches an f64 zoom about (W/2, H/2) with zero fill", () => {
  const c = freshCore();
  for (const [H, W] of [[28, 28], [13, 17]]) {
    const x = images(c, 1, H, W, 47);
    const o = c.arena.alloc(H * W * 4);
    const ws = c.arena.alloc(c.exports.aug_scale_ws_bytes(H, W));
    for (const factor of [0.7, 1.3, 2]) {
      c.exports.aug_scale(o, x, 1, H, W, factor, ws);
      assertClose(snap(c, o, H * W), zoomJs(snap(c, x, H * W), H, W, factor), `factor ${factor} ${H}x${W}`, 1e-6, 1e-6);
    }
  }
});

scaling("zoom by 2 of a 4x4 image keeps the centre quarter; zoom by 1/2 leaves a zero frame", () => {
  const c = freshCore();
  const x = c.arena.putF32([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
  const o = c.arena.alloc(16 * 4);
  const ws = c.arena.alloc(c.exports.aug_scale_ws_bytes(4, 4));
  c.exports.aug_scale(o, x, 1, 4, 4, 2, ws);
  // output index 1 maps to source (1.5 - 2) / 2 + 1.5 = 1.25, index 2 to 1.75; so out[1, 1] =
  // 0.75 (0.75 * 1 + 0.25 * 2) + 0.25 (0.75 * 3 + 0.25 * 4) = 1.75, and likewise the others
  const v = snap(c, o, 16);
  assertClose([v[5], v[6], v[9], v[10]], [1.75, 2.25, 2.75, 3.25], "zoom 2 centre", 1e-6, 0);
  c.exports.aug_scale(o, x, 1, 4, 4, 0.5, ws);
  const z = snap(c, o, 16);
  // output pixel 0 maps to source -2.5: fully outside
  for (const k of [0, 3, 12, 15]) assert.is(z[k], 0, `corner ${k}`);
});

scaling("random factor is lo + (hi - lo) u in f32 with u the stream's first uniform", () => {
  const c = freshCore();
  const H = 28, W = 28;
  const x = images(c, 1, H, W, 53);
  const a = c.arena.alloc(H * W * 4), b = c.arena.alloc(H * W * 4);
  const ws = c.arena.alloc(c.exports.aug_scale_ws_bytes(H, W));
  const s = f(0.3), lo = f(1 - s), hi = f(1 + s);
  let min = Infinity, max = -Infinity;
  for (let seed = 0; seed < 200; seed++) {
    c.exports.aug_scale_random(a, x, 1, H, W, s, state(c, seed), ws);
    const u = c.exports.rng_uniform(state(c, seed));
    const factor = f(lo + f(f(hi - lo) * u));
    min = Math.min(min, factor);
    max = Math.max(max, factor);
    c.exports.aug_scale(b, x, 1, H, W, factor, ws);
    assertSameBits(snap(c, a, H * W), snap(c, b, H * W), `seed ${seed}`);
  }
  assert.ok(min >= 0.7 - 1e-6 && max <= 1.3 + 1e-6 && min < 0.75 && max > 1.25, `factors span [${min}, ${max}]`);
});

scaling.run();

// ---------------------------------------------------------------------------------------------
const crop = suite("assembly/augment: crop");

crop("a crop is the shift out[i, j] = inp[i + top - pad, j + left - pad], zero outside", () => {
  const c = freshCore();
  const H = 9, W = 11, pad = 4;
  const x = images(c, 1, H, W, 59, 0.5, 1);
  const xs = snap(c, x, H * W);
  const o = c.arena.alloc(H * W * 4);
  for (const [top, left] of [[0, 0], [8, 8], [2, 7], [4, 0], [20, 3], [-30, 1]]) {
    c.exports.aug_crop(o, x, 1, H, W, pad, top, left);
    const out = snap(c, o, H * W);
    const want = new Float32Array(H * W);
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        const si = i + top - pad, sj = j + left - pad;
        want[i * W + j] = si >= 0 && si < H && sj >= 0 && sj < W ? xs[si * W + sj] : 0;
      }
    }
    assertSameBits(out, want, `top ${top} left ${left}`);
  }
});

crop("random offsets are top = below(2 pad + 1) then left, and cover all 81 offsets for pad 4", () => {
  const c = freshCore();
  const H = 28, W = 28, pad = 4;
  const x = images(c, 1, H, W, 61, 0.5, 1);
  const a = c.arena.alloc(H * W * 4), b = c.arena.alloc(H * W * 4);
  const seen = new Map<string, number>();
  for (let seed = 0; seed < 1600; seed++) {
    c.exports.aug_crop_random(a, x, 1, H, W, pad, state(c, seed));
    const st = state(c, seed);
    const top = c.exports.rng_below(st, 2 * pad + 1), left = c.exports.rng_below(st, 2 * pad + 1);
    c.exports.aug_crop(b, x, 1, H, W, pad, top, left);
    assertSameBits(snap(c, a, H * W), snap(c, b, H * W), `seed ${seed}`);
    seen.set(`${top},${left}`, (seen.get(`${top},${left}`) ?? 0) + 1);
  }
  assert.is(seen.size, 81, `offsets seen: ${seen.size}`);
  for (const [k, n] of seen) assert.ok(n > 4 && n < 45, `offset ${k} drawn ${n} times of 1600 (expected about 20)`);
});

crop("resized crop matches torch's bilinear interpolate of the box", () => {
  const c = freshCore();
  const H = 28, W = 28;
  const x = images(c, 1, H, W, 67);
  const o = c.arena.alloc(H * W * 4);
  const ws = c.arena.alloc(c.exports.aug_resized_crop_ws_bytes(H, W));
  for (const [t, l, h, w] of [[3, 5, 20, 17], [0, 0, 28, 14], [10, 10, 1, 1], [27, 0, 1, 28]]) {
    c.exports.aug_resized_crop(o, x, 1, H, W, t, l, h, w, ws);
    assertClose(snap(c, o, H * W), resizedCropJs(snap(c, x, H * W), H, W, t, l, h, w), `box ${[t, l, h, w]}`, 1e-6, 1e-6);
  }
});

crop("random resized crop: boxes follow RandomResizedCrop's rule within the image", () => {
  const c = freshCore();
  const H = 28, W = 28;
  const x = images(c, 1, H, W, 71);
  const a = c.arena.alloc(H * W * 4), b = c.arena.alloc(H * W * 4);
  const ws = c.arena.alloc(c.exports.aug_resized_crop_ws_bytes(H, W));
  const smin = f(0.6);
  for (let seed = 0; seed < 200; seed++) {
    c.exports.aug_resized_crop_random(a, x, 1, H, W, smin, state(c, seed), ws);
    // replay the documented draws: attempts until the box fits (10 at most, then the whole image)
    const st = state(c, seed);
    let h = H, w = W, top = 0, left = 0;
    for (let k = 0; k < 10; k++) {
      const frac = f(smin + f(f(1 - smin) * c.exports.rng_uniform(st)));
      const ratio = Math.exp(Math.log(3 / 4) + (Math.log(4 / 3) - Math.log(3 / 4)) * c.exports.rng_uniform(st));
      const target = H * W * frac;
      const cw = roundHalfEven(Math.sqrt(target * ratio)), ch = roundHalfEven(Math.sqrt(target / ratio));
      if (cw > 0 && cw <= W && ch > 0 && ch <= H) {
        [h, w] = [ch, cw];
        top = c.exports.rng_below(st, H - h + 1);
        left = c.exports.rng_below(st, W - w + 1);
        break;
      }
    }
    assert.ok(h * w >= 0.6 * H * W - 0.5 * (h + w + 1) - 0.25, `seed ${seed}: box ${h}x${w} is at least 60% of the image`);
    c.exports.aug_resized_crop(b, x, 1, H, W, top, left, h, w, ws);
    assertSameBits(snap(c, a, H * W), snap(c, b, H * W), `seed ${seed}`);
  }
});

crop.run();

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// ---------------------------------------------------------------------------------------------
const erasing = suite("assembly/augment: erasing");

/** The erased rectangle of out vs inp (inp has no zeros), or null if nothing was erased. */
function erasedRect(inp: Float32Array, out: Float32Array, H: number, W: number) {
  let r0 = H, r1 = -1, c0 = W, c1 = -1, count = 0;
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const k = i * W + j;
      if (out[k] !== inp[k]) {
        assert.is(out[k], 0, `pixel (${i}, ${j}) changed to ${out[k]}, not 0`);
        count++;
        r0 = Math.min(r0, i); r1 = Math.max(r1, i); c0 = Math.min(c0, j); c1 = Math.max(c1, j);
      }
    }
  }
  if (count === 0) return null;
  const h = r1 - r0 + 1, w = c1 - c0 + 1;
  assert.is(count, h * w, "the erased pixels form one rectangle");
  return { top: r0, left: c0, h, w };
}

erasing("one rectangle of zeros inside the image, area and aspect within bounds, over 1000 seeds", () => {
  const c = freshCore();
  const H = 28, W = 28;
  const x = images(c, 1, H, W, 73, 0.25, 1); // no zeros, so every erased pixel shows
  const xs = snap(c, x, H * W);
  const o = c.arena.alloc(H * W * 4);
  const lo = f(0.02), hi = f(0.1);
  let sumFrac = 0;
  for (let seed = 0; seed < 1000; seed++) {
    c.exports.aug_erase_random(o, x, 1, H, W, lo, hi, state(c, seed));
    const r = erasedRect(xs, snap(c, o, H * W), H, W);
    assert.ok(r, `seed ${seed}: nothing erased`);
    const { top, left, h, w } = r!;
    assert.ok(top >= 0 && left >= 0 && top + h <= H && left + w <= W, `seed ${seed}: inside`);
    // area = H W frac rounded through h = round(sqrt(area ratio)), w = round(sqrt(area / ratio))
    const aLo = H * W * 0.02, aHi = H * W * 0.1;
    const slack = (a: number, ratio: number) => 0.5 * (Math.sqrt(a * ratio) + Math.sqrt(a / ratio)) + 0.25;
    assert.ok(h * w >= aLo - slack(aLo, 3.3) && h * w <= aHi + slack(aHi, 3.3), `seed ${seed}: area ${h * w}`);
    // the widest rounding of the aspect ratio happens at the smallest area
    const most = (Math.sqrt(aLo * 3.3) + 0.5) / (Math.sqrt(aLo / 3.3) - 0.5);
    assert.ok(h / w <= most && w / h <= most, `seed ${seed}: aspect ${h}/${w}`);
    // replay the documented draws
    const st = state(c, seed);
    const frac = f(lo + f(f(hi - lo) * c.exports.rng_uniform(st)));
    const ratio = Math.exp(Math.log(0.3) + (Math.log(3.3) - Math.log(0.3)) * c.exports.rng_uniform(st));
    const eh = roundHalfEven(Math.sqrt(H * W * frac * ratio)), ew = roundHalfEven(Math.sqrt((H * W * frac) / ratio));
    const et = c.exports.rng_below(st, H - eh + 1), el = c.exports.rng_below(st, W - ew + 1);
    assert.equal([top, left, h, w], [et, el, eh, ew], `seed ${seed}: rectangle`);
    sumFrac += (h * w) / (H * W);
  }
  const mean = sumFrac / 1000;
  assert.ok(Math.abs(mean - 0.06) < 0.005, `mean erased fraction ${mean}, expected about (0.02 + 0.1) / 2`);
});

erasing("when all 10 attempts fail the image is returned unchanged (torchvision)", () => {
  const c = freshCore();
  const H = 28, W = 28;
  const x = images(c, 1, H, W, 79, 0.25, 1);
  const xs = snap(c, x, H * W);
  const o = c.arena.alloc(H * W * 4);
  const lo = f(0.9), hi = f(1);
  // replay to find seeds whose 10 attempts all fail (h >= H or w >= W every time)
  let failing = 0, fitting = 0;
  for (let seed = 0; seed < 3000 && (failing < 3 || fitting < 3); seed++) {
    const st = state(c, seed);
    let fits = false;
    for (let k = 0; k < 10 && !fits; k++) {
      const frac = f(lo + f(f(hi - lo) * c.exports.rng_uniform(st)));
      const ratio = Math.exp(Math.log(0.3) + (Math.log(3.3) - Math.log(0.3)) * c.exports.rng_uniform(st));
      const h = roundHalfEven(Math.sqrt(H * W * frac * ratio)), w = roundHalfEven(Math.sqrt((H * W * frac) / ratio));
      fits = h < H && w < W;
    }
    c.exports.aug_erase_random(o, x, 1, H, W, lo, hi, state(c, seed));
    const r = erasedRect(xs, snap(c, o, H * W), H, W);
    if (fits) {
      fitting++;
      assert.ok(r, `seed ${seed}: an attempt fits, so something is erased`);
    } else {
      failing++;
      assert.is(r, null, `seed ${seed}: all attempts fail, image unchanged`);
    }
  }
  assert.ok(failing >= 3 && fitting >= 3, `found ${failing} failing and ${fitting} fitting seeds`);
});

erasing("deterministic rectangles are clipped to the image", () => {
  const c = freshCore();
  const H = 5, W = 6;
  const x = images(c, 1, H, W, 83, 0.5, 1);
  const xs = snap(c, x, H * W);
  const o = c.arena.alloc(H * W * 4);
  c.exports.aug_erase(o, x, 1, H, W, -2, 4, 4, 10, 0.25);
  const out = snap(c, o, H * W);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const inside = i < 2 && j >= 4;
      assert.is(out[i * W + j], inside ? 0.25 : xs[i * W + j], `pixel (${i}, ${j})`);
    }
  }
});

erasing.run();

// ---------------------------------------------------------------------------------------------
const blur = suite("assembly/augment: blur");

blur("kernel: radius ceil(3 sigma), symmetric, sums to 1", () => {
  const c = freshCore();
  const k = c.arena.alloc(64 * 4);
  for (const sigma of [0.1, 0.5, 1, 1.5, 4, 7.3]) {
    const r = c.exports.gaussian_radius(sigma);
    assert.is(r, Math.ceil(3 * f(sigma)), `radius of ${sigma}`);
    c.exports.gaussian_kernel(k, sigma, r);
    const w = snap(c, k, 2 * r + 1);
    let sum = 0;
    for (const v of w) sum += v;
    assert.ok(Math.abs(sum - 1) < 1e-6, `sigma ${sigma}: sum ${sum}`);
    for (let i = 0; i < r; i++) assert.is(w[i], w[2 * r - i], `sigma ${sigma}: symmetric at ${i}`);
    for (let i = 0; i < r; i++) assert.ok(w[i] < w[i + 1], `sigma ${sigma}: increasing to the centre`);
  }
  assert.is(c.exports.gaussian_radius(0), 0);
  c.exports.gaussian_kernel(k, 0, 0);
  assert.is(snap(c, k, 1)[0], 1, "sigma 0 is the identity tap");
});

blur("a constant image stays constant, in the interior and at the edges (reflect)", () => {
  const c = freshCore();
  for (const [H, W] of [[28, 28], [13, 17], [3, 5]]) {
    const x = c.arena.putF32(new Array(H * W).fill(0.6));
    const o = c.arena.alloc(H * W * 4);
    const ws = c.arena.alloc(c.exports.aug_blur_ws_bytes(H, W, 4));
    for (const sigma of [0.3, 1.5, 4]) {
      c.exports.aug_blur(o, x, 1, H, W, sigma, ws);
      assertClose(snap(c, o, H * W), new Float32Array(H * W).fill(0.6), `sigma ${sigma} ${H}x${W}`, 2e-7, 2e-6);
    }
  }
});

blur("matches a 2-D f64 Gaussian convolution with reflect padding", () => {
  const c = freshCore();
  for (const [H, W] of [[28, 28], [7, 4]]) {
    const x = images(c, 1, H, W, 89);
    const o = c.arena.alloc(H * W * 4);
    const ws = c.arena.alloc(c.exports.aug_blur_ws_bytes(H, W, 2));
    for (const sigma of [0.5, 1.5, 2]) {
      c.exports.aug_blur(o, x, 1, H, W, sigma, ws);
      assertClose(snap(c, o, H * W), blurJs(snap(c, x, H * W), H, W, f(sigma)), `sigma ${sigma} ${H}x${W}`, 1e-6, 1e-6);
    }
  }
});

blur("random sigma is lo + (hi - lo) u in f32", () => {
  const c = freshCore();
  const H = 28, W = 28;
  const x = images(c, 1, H, W, 97);
  const a = c.arena.alloc(H * W * 4), b = c.arena.alloc(H * W * 4);
  const ws = c.arena.alloc(c.exports.aug_blur_ws_bytes(H, W, 1.5));
  const lo = f(0.1), hi = f(1.5);
  for (let seed = 0; seed < 100; seed++) {
    c.exports.aug_blur_random(a, x, 1, H, W, lo, hi, state(c, seed), ws);
    const sigma = f(lo + f(f(hi - lo) * c.exports.rng_uniform(state(c, seed))));
    c.exports.aug_blur(b, x, 1, H, W, sigma, ws);
    assertSameBits(snap(c, a, H * W), snap(c, b, H * W), `seed ${seed}`);
  }
});

blur.run();

// ---------------------------------------------------------------------------------------------
const elastic = suite("assembly/augment: distortion (elastic)");

elastic("warping by a constant integer field is an exact shift with zero fill", () => {
  const c = freshCore();
  const H = 6, W = 7;
  const x = images(c, 1, H, W, 101, 0.5, 1);
  const xs = snap(c, x, H * W);
  const o = c.arena.alloc(H * W * 4);
  const field = c.arena.putF32([...new Array(H * W).fill(2), ...new Array(H * W).fill(-1)]);
  c.exports.aug_warp(o, x, 1, H, W, field);
  const out = snap(c, o, H * W);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const si = i - 1, sj = j + 2;
      assert.is(out[i * W + j], si >= 0 && sj < W ? xs[si * W + sj] : 0, `pixel (${i}, ${j})`);
    }
  }
});

elastic("the field is alpha times the reflect-blurred noise", () => {
  const c = freshCore();
  const H = 28, W = 28, alpha = 24, sigma = 4;
  const noise = randomF32(c, 2 * H * W, 103, -1, 1);
  const field = c.arena.alloc(2 * H * W * 4);
  const ws = c.arena.alloc(c.exports.aug_blur_ws_bytes(H, W, sigma));
  c.exports.aug_elastic_field(field, noise, H, W, alpha, sigma, ws);
  const fl = snap(c, field, 2 * H * W), nz = snap(c, noise, 2 * H * W);
  for (const p of [0, 1]) {
    const want = blurJs(nz.subarray(p * H * W, (p + 1) * H * W), H, W, sigma).map((v) => v * alpha);
    assertClose(fl.subarray(p * H * W, (p + 1) * H * W), want, `plane ${p}`, 1e-5, 1e-5);
  }
});

elastic("the random form draws dx then dy noise from the state (rng_fill_uniform(-1, 1))", () => {
  const c = freshCore();
  const H = 28, W = 28;
  const x = images(c, 1, H, W, 107);
  const a = c.arena.alloc(H * W * 4), b = c.arena.alloc(H * W * 4);
  const ws = c.arena.alloc(c.exports.aug_elastic_ws_bytes(H, W, 4));
  const noise = c.arena.alloc(2 * H * W * 4);
  for (let seed = 0; seed < 20; seed++) {
    c.exports.aug_elastic_random(a, x, 1, H, W, 24, 4, state(c, seed), ws);
    c.exports.rng_fill_uniform(state(c, seed), noise, 2 * H * W, -1, 1);
    c.exports.aug_elastic(b, x, 1, H, W, noise, 24, 4, ws);
    assertSameBits(snap(c, a, H * W), snap(c, b, H * W), `seed ${seed}`);
  }
});

elastic("default alpha 24, sigma 4: RMS displacement between 1 and 2 px on 28 x 28", () => {
  const c = freshCore();
  const H = 28, W = 28;
  const noise = c.arena.alloc(2 * H * W * 4);
  const field = c.arena.alloc(2 * H * W * 4);
  const ws = c.arena.alloc(c.exports.aug_blur_ws_bytes(H, W, 4));
  let s2 = 0, n = 0;
  for (let seed = 0; seed < 300; seed++) {
    c.exports.rng_fill_uniform(state(c, seed), noise, 2 * H * W, -1, 1);
    c.exports.aug_elastic_field(field, noise, H, W, 24, 4, ws);
    const fl = snap(c, field, 2 * H * W);
    for (let k = 0; k < H * W; k++) {
      s2 += fl[k] * fl[k] + fl[H * W + k] * fl[H * W + k];
      n++;
    }
  }
  const rms = Math.sqrt(s2 / n);
  assert.ok(rms > 1.5 && rms < 2, `RMS displacement length ${rms} px`);
  assert.ok(rms / Math.SQRT2 > 1, `RMS per axis ${rms / Math.SQRT2} px`);
});

elastic.run();

// ---------------------------------------------------------------------------------------------
const streams = suite("assembly/augment: random forms are functions of the stream");

type RandomKernel = (c: Core, o: number, x: number, N: number, st: number) => void;
const H0 = 28, W0 = 28;
const KERNELS: Record<string, RandomKernel> = {
  scaling: (c, o, x, N, st) => c.exports.aug_scale_random(o, x, N, H0, W0, 0.3, st, c.arena.alloc(c.exports.aug_scale_ws_bytes(H0, W0))),
  crop: (c, o, x, N, st) => c.exports.aug_crop_random(o, x, N, H0, W0, 4, st),
  resizedCrop: (c, o, x, N, st) => c.exports.aug_resized_crop_random(o, x, N, H0, W0, 0.6, st, c.arena.alloc(c.exports.aug_resized_crop_ws_bytes(H0, W0))),
  erasing: (c, o, x, N, st) => c.exports.aug_erase_random(o, x, N, H0, W0, 0.02, 0.1, st),
  distortion: (c, o, x, N, st) => c.exports.aug_elastic_random(o, x, N, H0, W0, 24, 4, st, c.arena.alloc(c.exports.aug_elastic_ws_bytes(H0, W0, 4))),
  blur: (c, o, x, N, st) => c.exports.aug_blur_random(o, x, N, H0, W0, 0.1, 1.5, st, c.arena.alloc(c.exports.aug_blur_ws_bytes(H0, W0, 1.5))),
};

streams("same seed gives the same bytes in a fresh instance; another seed differs", () => {
  for (const [name, run] of Object.entries(KERNELS)) {
    const go = (seed: number) => {
      const c = freshCore();
      const x = images(c, 4, H0, W0, 109);
      const o = c.arena.alloc(4 * H0 * W0 * 4);
      run(c, o, x, 4, state(c, seed));
      return snap(c, o, 4 * H0 * W0);
    };
    const a = go(1);
    assertSameBits(a, go(1), `${name}: same seed`);
    const b = go(2);
    let differ = 0;
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) differ++;
    assert.ok(differ > 0, `${name}: seeds 1 and 2 give identical images`);
  }
});

streams("N images from one state equal N single calls continuing the state", () => {
  for (const [name, run] of Object.entries(KERNELS)) {
    const c = freshCore();
    const x = images(c, 3, H0, W0, 113);
    const a = c.arena.alloc(3 * H0 * W0 * 4), b = c.arena.alloc(3 * H0 * W0 * 4);
    run(c, a, x, 3, state(c, 9));
    const st = state(c, 9);
    for (let n = 0; n < 3; n++) run(c, b + n * H0 * W0 * 4, x + n * H0 * W0 * 4, 1, st);
    assertSameBits(snap(c, a, 3 * H0 * W0), snap(c, b, 3 * H0 * W0), name);
  }
});

streams.run();
