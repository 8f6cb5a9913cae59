// Augmentations of single-channel images: one kernel per augmentation (scaling, crop, erasing,
// distortion, blur), each in a deterministic form with explicit parameters and a random form that
// draws its parameters from an rng state (assembly/rng.ts).
//
// Legend: N = images, H = rows, W = columns, r = Gaussian radius, K = 2r + 1 kernel taps.
//
// Layout: images are (N, H, W) f32, row-major, one image after the other, values nominally in [0, 1]
// and always finite (a zero-weight tap multiplies a neighbour by 0, which is exact only for finite
// values). `out` never overlaps `inp`. Scratch (`ws`) is 16-byte aligned and at least the matching
// *_ws_bytes(...) long. A deterministic kernel applies the same parameters to all N images; a random
// kernel draws fresh parameters for each image in turn from the one stream at `state`, in the order
// documented on the kernel (so N = 1 with a freshly named stream per image gives per-image streams).
//
// Pixel-centre convention (PyTorch's align_corners=False, torchvision's tensor transforms): pixel
// (i, j) is the unit square [j, j+1) x [i, i+1), its centre at (j + 0.5, i + 0.5); the image centre is
// (W/2, H/2). Geometry is computed in f64 and resampled bilinearly. Where a transform moves pixels, a
// tap that falls outside the image contributes 0 (grid_sample's padding_mode="zeros"), so uncovered
// regions fill with 0. Identity parameters give weights exactly (1, 0) and return the input bit for
// bit. The bilinear value is always evaluated as
//   out = wy0 * (wx0 * I[y0, x0] + wx1 * I[y0, x1]) + wy1 * (wx0 * I[y1, x0] + wx1 * I[y1, x1])
// in this order, so the SIMD kernels and their scalar twins (*_ref) agree bit for bit.

import { rng_uniform, rng_below, rng_fill_uniform } from "./rng";
import { ldf, stf } from "./inline/simd";
import { al16 } from "./inline/mem";

// ---------------------------------------------------------------------------------------------
// Shared pieces: bilinear tap tables, separable resampling, reflect-padded Gaussian smoothing.
// A tap table holds, per output coordinate, 16 bytes { i0: i32, i1: i32, w0: f32, w1: f32 }.

@inline function setTap(tab: usize, i0: i32, i1: i32, w0: f32, w1: f32): void {
  store<i32>(tab, i0);
  store<i32>(tab, i1, 4);
  store<f32>(tab, w0, 8);
  store<f32>(tab, w1, 12);
}

/** Tap for source coordinate s (index units: pixel k's centre is s = k) in a row of n pixels, zero
 *  outside: a neighbour outside [0, n) gets weight 0 and a harmless in-range index. */
@inline function zeroTap(tab: usize, s: f64, n: i32): void {
  if (!(s > -2.0)) s = -2.0; // also catches NaN
  if (s > <f64>n + 1.0) s = <f64>n + 1.0;
  const fl = Math.floor(s);
  const f = <f32>(s - fl);
  let i0 = <i32>fl;
  let i1 = i0 + 1;
  let w0: f32 = <f32>1.0 - f;
  let w1: f32 = f;
  if (i0 < 0 || i0 >= n) { w0 = 0; i0 = 0; }
  if (i1 < 0 || i1 >= n) { w1 = 0; i1 = 0; }
  setTap(tab, i0, i1, w0, w1);
}

/** Tap of torch.nn.functional.interpolate(mode="bilinear", align_corners=False) resizing a span of
 *  len source pixels starting at off to n_out pixels, output index d: s = (len/n_out)(d + 0.5) - 0.5,
 *  clamped at 0; the upper neighbour is clamped to the span's last pixel. */
@inline function clampTap(tab: usize, d: i32, off: i32, len: i32, n_out: i32): void {
  let s = (<f64>len / <f64>n_out) * (<f64>d + 0.5) - 0.5;
  if (s < 0.0) s = 0.0;
  let x0 = <i32>Math.floor(s);
  if (x0 > len - 1) x0 = len - 1;
  const x1 = x0 < len - 1 ? x0 + 1 : x0;
  const l1 = <f32>(s - <f64>x0);
  setTap(tab, off + x0, off + x1, <f32>1.0 - l1, l1);
}

/** Zoom about the image centre by `factor`: output pixel centre c maps to source centre
 *  C + (c - C) / factor with C = n/2, i.e. s = (d + 0.5 - n/2) / factor + n/2 - 0.5. */
function zoomTaps(tab: usize, n: i32, factor: f32): void {
  const half = <f64>n * 0.5;
  const inv = 1.0 / <f64>factor;
  for (let d = 0; d < n; d++) {
    zeroTap(tab + (<usize>d << 4), (<f64>d + 0.5 - half) * inv + half - 0.5, n);
  }
}

/** Separable bilinear resampling of one (H, W) image by tap tables tabX (W) and tabY (H):
 *  pass 1 interpolates every source row along x into tmp (H, W) (a gather, scalar);
 *  pass 2 combines two tmp rows per output row (contiguous, f32x4). */
function resample(out: usize, inp: usize, H: i32, W: i32, tabX: usize, tabY: usize, tmp: usize): void {
  for (let r = 0; r < H; r++) {
    const row = inp + (<usize>(r * W) << 2);
    const dst = tmp + (<usize>(r * W) << 2);
    for (let j = 0; j < W; j++) {
      const t = tabX + (<usize>j << 4);
      const v = load<f32>(t, 8) * ldf(row, load<i32>(t)) + load<f32>(t, 12) * ldf(row, load<i32>(t, 4));
      stf(dst, j, v);
    }
  }
  for (let i = 0; i < H; i++) {
    const t = tabY + (<usize>i << 4);
    const r0 = tmp + (<usize>(load<i32>(t) * W) << 2);
    const r1 = tmp + (<usize>(load<i32>(t, 4) * W) << 2);
    const w0 = load<f32>(t, 8);
    const w1 = load<f32>(t, 12);
    const v0 = f32x4.splat(w0);
    const v1 = f32x4.splat(w1);
    const dst = out + (<usize>(i * W) << 2);
    let j = 0;
    for (; j + 4 <= W; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(f32x4.mul(v0, v128.load(r0 + o)), f32x4.mul(v1, v128.load(r1 + o))));
    }
    for (; j < W; j++) stf(dst, j, w0 * ldf(r0, j) + w1 * ldf(r1, j));
  }
}

/** Scalar twin of resample: the bilinear formula per output pixel, straight from the tables. */
function resample_ref(out: usize, inp: usize, H: i32, W: i32, tabX: usize, tabY: usize): void {
  for (let i = 0; i < H; i++) {
    const ty = tabY + (<usize>i << 4);
    const ra = inp + (<usize>(load<i32>(ty) * W) << 2);
    const rb = inp + (<usize>(load<i32>(ty, 4) * W) << 2);
    const wy0 = load<f32>(ty, 8);
    const wy1 = load<f32>(ty, 12);
    for (let j = 0; j < W; j++) {
      const tx = tabX + (<usize>j << 4);
      const x0 = load<i32>(tx);
      const x1 = load<i32>(tx, 4);
      const wx0 = load<f32>(tx, 8);
      const wx1 = load<f32>(tx, 12);
      const h0 = wx0 * ldf(ra, x0) + wx1 * ldf(ra, x1);
      const h1 = wx0 * ldf(rb, x0) + wx1 * ldf(rb, x1);
      stf(out, i * W + j, wy0 * h0 + wy1 * h1);
    }
  }
}

/** Bytes of scratch for the separable resampling kernels: tap tables (W + H) x 16 + tmp (H, W). */
function resampleWsBytes(H: i32, W: i32): usize {
  return (<usize>(H + W) << 4) + al16(<usize>(H * W) << 2);
}

/** PyTorch's padding_mode="reflect" (numpy/scipy "mirror"): the edge pixel is not repeated,
 *  x = -1 -> 1, x = n -> n - 2; folds any distance (period 2(n - 1)). */
@inline function reflect(x: i32, n: i32): i32 {
  if (x >= 0 && x < n) return x;
  if (n == 1) return 0;
  if (x < 0 && x > -n) return -x;
  if (x >= n && x < 2 * n - 1) return 2 * n - 2 - x;
  const p = 2 * n - 2;
  let k = x % p;
  if (k < 0) k += p;
  return k < n ? k : p - k;
}

/** Radius of the truncated Gaussian: r = ceil(3 sigma), 0 for sigma <= 0 (or NaN). */
export function gaussian_radius(sigma: f32): i32 {
  if (!(sigma > 0)) return 0;
  return <i32>Math.ceil(3.0 * <f64>sigma);
}

/** Normalised 1-D Gaussian (torchvision's _get_gaussian_kernel1d): w[k] = exp(-((k - r)/sigma)^2 / 2),
 *  k = 0..2r, divided by the sum; computed in f64, stored as f32. sigma <= 0 or r = 0 gives [1].
 *  out: usize (2r + 1) f32 */
export function gaussian_kernel(out: usize, sigma: f32, radius: i32): void {
  if (!(sigma > 0) || radius <= 0) {
    stf(out, 0, 1.0);
    return;
  }
  const s = <f64>sigma;
  let sum = 0.0;
  for (let k = -radius; k <= radius; k++) {
    const x = <f64>k / s;
    sum += Math.exp(-0.5 * x * x);
  }
  for (let k = -radius; k <= radius; k++) {
    const x = <f64>k / s;
    stf(out, k + radius, <f32>(Math.exp(-0.5 * x * x) / sum));
  }
}

/** Scratch of the separable Gaussian for radius r: tmp (H, W) | taps (2r + 1) | one reflect-padded
 *  row (W + 2r) | row byte offsets (2r + 1) i32. Monotone in r, so the size for the largest radius
 *  holds every smaller one. */
function smoothWsBytes(H: i32, W: i32, r: i32): usize {
  const K = 2 * r + 1;
  return al16(<usize>(H * W) << 2) + 2 * al16(<usize>K << 2) + al16(<usize>(W + 2 * r) << 2);
}

/** Separable convolution of one (H, W) image with the K = 2r + 1 taps at kern, reflect-padded:
 *  rows into tmp, then columns into out. Every output is w[0] x[0] + w[1] x[1] + ... in tap order.
 *  Rows: each is copied with its reflected margins into `pad` first, so all columns run four at a
 *  time; columns: the K source row offsets of an output row are computed once, then f32x4 across. */
function smooth(out: usize, inp: usize, H: i32, W: i32, kern: usize, r: i32, tmp: usize, pad: usize): void {
  const K = 2 * r + 1;
  const rows = pad + al16(<usize>(W + 2 * r) << 2);
  const w0 = ldf(kern, 0);
  const v0 = f32x4.splat(w0);
  // pass 1: along rows, inp -> tmp
  for (let i = 0; i < H; i++) {
    const row = inp + (<usize>(i * W) << 2);
    const dst = tmp + (<usize>(i * W) << 2);
    for (let t = 0; t < r; t++) {
      stf(pad, t, ldf(row, reflect(t - r, W)));
      stf(pad, W + r + t, ldf(row, reflect(W + t, W)));
    }
    memory.copy(pad + (<usize>r << 2), row, <usize>W << 2);
    let j = 0;
    for (; j + 4 <= W; j += 4) {
      const base = pad + (<usize>j << 2);
      let acc = f32x4.mul(v0, v128.load(base));
      for (let k = 1; k < K; k++) {
        acc = f32x4.add(acc, f32x4.mul(f32x4.splat(ldf(kern, k)), v128.load(base + (<usize>k << 2))));
      }
      v128.store(dst + (<usize>j << 2), acc);
    }
    for (; j < W; j++) {
      let acc = w0 * ldf(pad, j);
      for (let k = 1; k < K; k++) acc += ldf(kern, k) * ldf(pad, j + k);
      stf(dst, j, acc);
    }
  }
  // pass 2: along columns, tmp -> out
  for (let i = 0; i < H; i++) {
    for (let k = 0; k < K; k++) store<i32>(rows + (<usize>k << 2), (reflect(i - r + k, H) * W) << 2);
    const dst = out + (<usize>(i * W) << 2);
    const first = tmp + <usize>load<i32>(rows);
    let j = 0;
    for (; j + 4 <= W; j += 4) {
      const o = <usize>j << 2;
      let acc = f32x4.mul(v0, v128.load(first + o));
      for (let k = 1; k < K; k++) {
        const src = tmp + <usize>load<i32>(rows + (<usize>k << 2)) + o;
        acc = f32x4.add(acc, f32x4.mul(f32x4.splat(ldf(kern, k)), v128.load(src)));
      }
      v128.store(dst + o, acc);
    }
    for (; j < W; j++) {
      let acc = w0 * ldf(first, j);
      for (let k = 1; k < K; k++) acc += ldf(kern, k) * ldf(tmp + <usize>load<i32>(rows + (<usize>k << 2)), j);
      stf(dst, j, acc);
    }
  }
}

@inline function rowTap(row: usize, j: i32, W: i32, kern: usize, r: i32, K: i32): f32 {
  let acc = ldf(kern, 0) * ldf(row, reflect(j - r, W));
  for (let k = 1; k < K; k++) acc += ldf(kern, k) * ldf(row, reflect(j - r + k, W));
  return acc;
}

@inline function colTap(img: usize, i: i32, j: i32, H: i32, W: i32, kern: usize, r: i32, K: i32): f32 {
  let acc = ldf(kern, 0) * ldf(img, reflect(i - r, H) * W + j);
  for (let k = 1; k < K; k++) acc += ldf(kern, k) * ldf(img, reflect(i - r + k, H) * W + j);
  return acc;
}

/** Scalar twin of smooth: the same sums, one pixel at a time. */
function smooth_ref(out: usize, inp: usize, H: i32, W: i32, kern: usize, r: i32, tmp: usize): void {
  const K = 2 * r + 1;
  for (let i = 0; i < H; i++) {
    const row = inp + (<usize>(i * W) << 2);
    for (let j = 0; j < W; j++) stf(tmp, i * W + j, rowTap(row, j, W, kern, r, K));
  }
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) stf(out, i * W + j, colTap(tmp, i, j, H, W, kern, r, K));
  }
}

/** Bilinear sample of one (H, W) image at (x, y) in index units (pixel centres at integers),
 *  taps outside the image contribute 0. */
@inline function sampleZero(img: usize, H: i32, W: i32, x: f32, y: f32): f32 {
  if (!(x > -2)) x = -2;
  if (x > <f32>(W + 1)) x = <f32>(W + 1);
  if (!(y > -2)) y = -2;
  if (y > <f32>(H + 1)) y = <f32>(H + 1);
  const fx = Mathf.floor(x);
  const fy = Mathf.floor(y);
  const ax = x - fx;
  const ay = y - fy;
  let x0 = <i32>fx, x1 = x0 + 1, y0 = <i32>fy, y1 = y0 + 1;
  let wx0: f32 = <f32>1.0 - ax, wx1: f32 = ax, wy0: f32 = <f32>1.0 - ay, wy1: f32 = ay;
  if (x0 < 0 || x0 >= W) { wx0 = 0; x0 = 0; }
  if (x1 < 0 || x1 >= W) { wx1 = 0; x1 = 0; }
  if (y0 < 0 || y0 >= H) { wy0 = 0; y0 = 0; }
  if (y1 < 0 || y1 >= H) { wy1 = 0; y1 = 0; }
  const ra = img + (<usize>(y0 * W) << 2);
  const rb = img + (<usize>(y1 * W) << 2);
  const h0 = wx0 * ldf(ra, x0) + wx1 * ldf(ra, x1);
  const h1 = wx0 * ldf(rb, x0) + wx1 * ldf(rb, x1);
  return wy0 * h0 + wy1 * h1;
}

// ---------------------------------------------------------------------------------------------
// Scaling: isotropic zoom about the image centre, the geometry of torchvision RandomAffine(degrees=0,
// scale=(1 - s, 1 + s)) with bilinear interpolation, resampled as grid_sample(padding_mode="zeros",
// align_corners=False) (torchvision's affine with fill=None; with a numeric fill it also blends by a
// resampled mask, which differs only where a tap falls outside the image). factor > 1 enlarges the
// digit, factor < 1 shrinks it.

/** Scratch bytes for aug_scale, aug_scale_ref and aug_scale_random: (W + H) x 16 + H W x 4. */
export function aug_scale_ws_bytes(H: i32, W: i32): usize {
  return resampleWsBytes(H, W);
}

/** out = inp zoomed by `factor` (> 0) about the centre, bilinear, zero fill. factor = 1 returns the
 *  input bit for bit. inp, out: usize (N, H, W) f32; ws: aug_scale_ws_bytes(H, W) */
export function aug_scale(out: usize, inp: usize, N: i32, H: i32, W: i32, factor: f32, ws: usize): void {
  const tabX = ws, tabY = ws + (<usize>W << 4), tmp = tabY + (<usize>H << 4);
  zoomTaps(tabX, W, factor);
  zoomTaps(tabY, H, factor);
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) resample(out + <usize>n * img, inp + <usize>n * img, H, W, tabX, tabY, tmp);
}

/** Scalar twin of aug_scale. inp, out: usize (N, H, W) f32; ws: aug_scale_ws_bytes(H, W) */
export function aug_scale_ref(out: usize, inp: usize, N: i32, H: i32, W: i32, factor: f32, ws: usize): void {
  const tabX = ws, tabY = ws + (<usize>W << 4);
  zoomTaps(tabX, W, factor);
  zoomTaps(tabY, H, factor);
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) resample_ref(out + <usize>n * img, inp + <usize>n * img, H, W, tabX, tabY);
}

/** Random zoom: per image one draw u = rng_uniform(state), factor = lo + (hi - lo) u with
 *  lo = 1 - s, hi = 1 + s in f32 (torch's uniform_(lo, hi)); then aug_scale. 0 <= s < 1.
 *  inp, out: usize (N, H, W) f32; state: usize (16 bytes); ws: aug_scale_ws_bytes(H, W) */
export function aug_scale_random(out: usize, inp: usize, N: i32, H: i32, W: i32, s: f32, state: usize, ws: usize): void {
  const lo: f32 = <f32>1.0 - s;
  const hi: f32 = <f32>1.0 + s;
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) {
    const factor = lo + (hi - lo) * rng_uniform(state);
    aug_scale(out + <usize>n * img, inp + <usize>n * img, 1, H, W, factor, ws);
  }
}

// ---------------------------------------------------------------------------------------------
// Crop: torchvision RandomCrop((H, W), padding=pad): zero-pad by `pad` on every side, cut an H x W
// window at integer offset (top, left) in [0, 2 pad]. A pure shift, no interpolation:
//   out[i, j] = inp[i + top - pad, j + left - pad], 0 where that falls outside inp.

/** Crop of the zero-padded image at (top, left); any offsets are allowed (a window off the padded
 *  image yields zeros). pad = 0, top = left = 0 returns the input bit for bit.
 *  inp, out: usize (N, H, W) f32 */
export function aug_crop(out: usize, inp: usize, N: i32, H: i32, W: i32, pad: i32, top: i32, left: i32): void {
  const dy = top - pad, dx = left - pad;
  // columns j in [j0, j1) read inp column j + dx
  let j0 = -dx < 0 ? 0 : -dx;
  let j1 = W - dx > W ? W : W - dx;
  if (j0 > W) j0 = W;
  if (j1 < j0) j1 = j0;
  const rowBytes = <usize>W << 2;
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) {
    const o = out + <usize>n * img;
    const s = inp + <usize>n * img;
    for (let i = 0; i < H; i++) {
      const dst = o + <usize>i * rowBytes;
      const si = i + dy;
      if (si < 0 || si >= H || j1 == j0) {
        memory.fill(dst, 0, rowBytes);
        continue;
      }
      if (j0 > 0) memory.fill(dst, 0, <usize>j0 << 2);
      memory.copy(dst + (<usize>j0 << 2), s + <usize>si * rowBytes + (<usize>(j0 + dx) << 2), <usize>(j1 - j0) << 2);
      if (j1 < W) memory.fill(dst + (<usize>j1 << 2), 0, <usize>(W - j1) << 2);
    }
  }
}

/** Random crop (torchvision RandomCrop.get_params order): per image top = rng_below(2 pad + 1),
 *  then left = rng_below(2 pad + 1); then aug_crop. pad >= 0.
 *  inp, out: usize (N, H, W) f32; state: usize (16 bytes) */
export function aug_crop_random(out: usize, inp: usize, N: i32, H: i32, W: i32, pad: i32, state: usize): void {
  const span = <u32>(2 * pad + 1);
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) {
    const top = <i32>rng_below(state, span);
    const left = <i32>rng_below(state, span);
    aug_crop(out + <usize>n * img, inp + <usize>n * img, 1, H, W, pad, top, left);
  }
}

// Crop-and-resize (torchvision RandomResizedCrop((H, W), scale=(scale_min, 1), ratio=(3/4, 4/3)),
// bilinear): an integer box of the image is resized to H x W with torch's interpolate(
// align_corners=False); taps clamp to the box (no zero fill: the box lies inside the image).

/** Scratch bytes for aug_resized_crop, its twin and aug_resized_crop_random: (W + H) x 16 + H W x 4. */
export function aug_resized_crop_ws_bytes(H: i32, W: i32): usize {
  return resampleWsBytes(H, W);
}

function boxTaps(tabX: usize, tabY: usize, H: i32, W: i32, top: i32, left: i32, h: i32, w: i32): void {
  // clip the box to the image (a kernel never reads outside its input)
  if (top < 0) top = 0;
  if (top > H - 1) top = H - 1;
  if (left < 0) left = 0;
  if (left > W - 1) left = W - 1;
  if (h > H - top) h = H - top;
  if (w > W - left) w = W - left;
  if (h < 1) h = 1;
  if (w < 1) w = 1;
  for (let d = 0; d < W; d++) clampTap(tabX + (<usize>d << 4), d, left, w, W);
  for (let d = 0; d < H; d++) clampTap(tabY + (<usize>d << 4), d, top, h, H);
}

/** torchvision F.resized_crop(img, top, left, h, w, (H, W), bilinear): the box rows [top, top + h),
 *  columns [left, left + w) (clipped to the image) resized to H x W. The whole image as the box
 *  returns the input bit for bit. inp, out: usize (N, H, W) f32; ws: aug_resized_crop_ws_bytes(H, W) */
export function aug_resized_crop(out: usize, inp: usize, N: i32, H: i32, W: i32, top: i32, left: i32, h: i32, w: i32, ws: usize): void {
  const tabX = ws, tabY = ws + (<usize>W << 4), tmp = tabY + (<usize>H << 4);
  boxTaps(tabX, tabY, H, W, top, left, h, w);
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) resample(out + <usize>n * img, inp + <usize>n * img, H, W, tabX, tabY, tmp);
}

/** Scalar twin of aug_resized_crop. inp, out: usize (N, H, W) f32; ws: aug_resized_crop_ws_bytes(H, W) */
export function aug_resized_crop_ref(out: usize, inp: usize, N: i32, H: i32, W: i32, top: i32, left: i32, h: i32, w: i32, ws: usize): void {
  const tabX = ws, tabY = ws + (<usize>W << 4);
  boxTaps(tabX, tabY, H, W, top, left, h, w);
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) resample_ref(out + <usize>n * img, inp + <usize>n * img, H, W, tabX, tabY);
}

// log(3/4) and log(4/3): RandomResizedCrop's default aspect-ratio range.
const LOG_RATIO_LO: f64 = -0.2876820724517809;
const LOG_RATIO_HI: f64 = 0.28768207245178085;

/** Random crop-and-resize, torchvision RandomResizedCrop.get_params: up to 10 attempts of
 *  { area = H W (scale_min + (1 - scale_min) u1), ratio = exp(log(3/4) + (log(4/3) - log(3/4)) u2),
 *    w = round(sqrt(area ratio)), h = round(sqrt(area / ratio)) (round half to even, as Python);
 *    if 0 < w <= W and 0 < h <= H: top = rng_below(H - h + 1), left = rng_below(W - w + 1), done };
 *  if all fail, the central crop of the largest box with ratio in [3/4, 4/3] (the whole image when
 *  W/H is in range). Then aug_resized_crop. Draws per attempt: u1, u2 (rng_uniform), then the two
 *  offsets. inp, out: usize (N, H, W) f32; state: usize (16 bytes); ws: aug_resized_crop_ws_bytes(H, W) */
export function aug_resized_crop_random(out: usize, inp: usize, N: i32, H: i32, W: i32, scale_min: f32, state: usize, ws: usize): void {
  const area = <f64>H * <f64>W;
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) {
    let top = 0, left = 0, h = H, w = W;
    let found = false;
    for (let attempt = 0; attempt < 10; attempt++) {
      const frac = scale_min + (<f32>1.0 - scale_min) * rng_uniform(state);
      const target = area * <f64>frac;
      const ratio = Math.exp(LOG_RATIO_LO + (LOG_RATIO_HI - LOG_RATIO_LO) * <f64>rng_uniform(state));
      const cw = <i32>nearest<f64>(Math.sqrt(target * ratio));
      const ch = <i32>nearest<f64>(Math.sqrt(target / ratio));
      if (cw > 0 && cw <= W && ch > 0 && ch <= H) {
        h = ch;
        w = cw;
        top = <i32>rng_below(state, <u32>(H - h + 1));
        left = <i32>rng_below(state, <u32>(W - w + 1));
        found = true;
        break;
      }
    }
    if (!found) {
      const inRatio = <f64>W / <f64>H;
      if (inRatio < 0.75) {
        w = W;
        h = <i32>nearest<f64>(<f64>w / 0.75);
      } else if (inRatio > 4.0 / 3.0) {
        h = H;
        w = <i32>nearest<f64>(<f64>h * (4.0 / 3.0));
      } else {
        w = W;
        h = H;
      }
      top = (H - h) / 2;
      left = (W - w) / 2;
    }
    aug_resized_crop(out + <usize>n * img, inp + <usize>n * img, 1, H, W, top, left, h, w, ws);
  }
}

// ---------------------------------------------------------------------------------------------
// Erasing: torchvision RandomErasing(p=1, scale=(scale_lo, scale_hi), ratio=(0.3, 3.3), value=0):
// one rectangle of the image is set to a constant.

/** out = inp with rows [top, top + h) x columns [left, left + w) set to `value`; the rectangle is
 *  clipped to the image, so h = 0 or w = 0 returns the input bit for bit.
 *  inp, out: usize (N, H, W) f32 */
export function aug_erase(out: usize, inp: usize, N: i32, H: i32, W: i32, top: i32, left: i32, h: i32, w: i32, value: f32): void {
  let r0 = top < 0 ? 0 : top;
  let r1 = top + h > H ? H : top + h;
  let c0 = left < 0 ? 0 : left;
  let c1 = left + w > W ? W : left + w;
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) {
    const o = out + <usize>n * img;
    memory.copy(o, inp + <usize>n * img, img);
    for (let i = r0; i < r1; i++) {
      for (let j = c0; j < c1; j++) stf(o, i * W + j, value);
    }
  }
}

// log(0.3) and log(3.3): RandomErasing's default aspect-ratio range.
const LOG_ERASE_LO: f64 = -1.2039728043259361;
const LOG_ERASE_HI: f64 = 1.1939224684724346;

/** Random erasing, torchvision RandomErasing.get_params with p = 1 and value 0: up to 10 attempts of
 *  { area = H W (scale_lo + (scale_hi - scale_lo) u1), ratio = exp(log 0.3 + (log 3.3 - log 0.3) u2),
 *    h = round(sqrt(area ratio)), w = round(sqrt(area / ratio)) (round half to even, as Python);
 *    if h < H and w < W: top = rng_below(H - h + 1), left = rng_below(W - w + 1), erase, done }.
 *  If all 10 attempts fail (only possible when scale_hi is large) the image is returned unchanged,
 *  as torchvision does. Draws per attempt: u1, u2 (rng_uniform), then the two offsets.
 *  inp, out: usize (N, H, W) f32; state: usize (16 bytes) */
export function aug_erase_random(out: usize, inp: usize, N: i32, H: i32, W: i32, scale_lo: f32, scale_hi: f32, state: usize): void {
  const area = <f64>H * <f64>W;
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) {
    let top = 0, left = 0, h = 0, w = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      const frac = scale_lo + (scale_hi - scale_lo) * rng_uniform(state);
      const target = area * <f64>frac;
      const ratio = Math.exp(LOG_ERASE_LO + (LOG_ERASE_HI - LOG_ERASE_LO) * <f64>rng_uniform(state));
      const ch = <i32>nearest<f64>(Math.sqrt(target * ratio));
      const cw = <i32>nearest<f64>(Math.sqrt(target / ratio));
      if (ch < H && cw < W) {
        h = ch;
        w = cw;
        top = <i32>rng_below(state, <u32>(H - h + 1));
        left = <i32>rng_below(state, <u32>(W - w + 1));
        break;
      }
    }
    aug_erase(out + <usize>n * img, inp + <usize>n * img, 1, H, W, top, left, h, w, 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Blur: torchvision GaussianBlur with sigma uniform in [sigma_lo, sigma_hi], separable, kernel radius
// r = ceil(3 sigma) (torchvision takes the kernel size as an argument instead), reflect padding
// (torchvision's choice): a constant image stays constant up to the rounding of the f32 weights
// (they sum to 1 within a few ulps), also at the edges, where zero padding would darken a
// bright border. MNIST's 4-pixel black margin makes the edge rule moot there.

/** Scratch bytes for the blur kernels, for any sigma <= sigma_max, r = ceil(3 sigma_max):
 *  tmp (H, W) + taps (2r + 1) + a padded row (W + 2r) + row offsets (2r + 1). */
export function aug_blur_ws_bytes(H: i32, W: i32, sigma_max: f32): usize {
  return smoothWsBytes(H, W, gaussian_radius(sigma_max));
}

/** Run the separable Gaussian of std sigma over one image with the scratch at ws (smoothWsBytes). */
@inline function gaussianPass(out: usize, inp: usize, H: i32, W: i32, sigma: f32, ws: usize, simd: bool): void {
  const r = gaussian_radius(sigma);
  const kern = ws + al16(<usize>(H * W) << 2);
  const pad = kern + al16(<usize>(2 * r + 1) << 2);
  gaussian_kernel(kern, sigma, r);
  if (simd) smooth(out, inp, H, W, kern, r, ws, pad);
  else smooth_ref(out, inp, H, W, kern, r, ws);
}

/** out = inp convolved with the normalised Gaussian of std sigma (rows then columns, reflect edges).
 *  sigma <= 0 (r = 0) returns the input bit for bit; so does a tiny sigma, whose off-centre taps
 *  underflow to 0. inp, out: usize (N, H, W) f32; ws: aug_blur_ws_bytes(H, W, sigma) */
export function aug_blur(out: usize, inp: usize, N: i32, H: i32, W: i32, sigma: f32, ws: usize): void {
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) gaussianPass(out + <usize>n * img, inp + <usize>n * img, H, W, sigma, ws, true);
}

/** Scalar twin of aug_blur. inp, out: usize (N, H, W) f32; ws: aug_blur_ws_bytes(H, W, sigma) */
export function aug_blur_ref(out: usize, inp: usize, N: i32, H: i32, W: i32, sigma: f32, ws: usize): void {
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) gaussianPass(out + <usize>n * img, inp + <usize>n * img, H, W, sigma, ws, false);
}

/** Random blur (torchvision GaussianBlur.get_params): per image sigma = lo + (hi - lo) u, one
 *  rng_uniform draw, in f32; then aug_blur. inp, out: usize (N, H, W) f32; state: usize (16 bytes);
 *  ws: aug_blur_ws_bytes(H, W, sigma_hi) */
export function aug_blur_random(out: usize, inp: usize, N: i32, H: i32, W: i32, sigma_lo: f32, sigma_hi: f32, state: usize, ws: usize): void {
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) {
    const sigma = sigma_lo + (sigma_hi - sigma_lo) * rng_uniform(state);
    aug_blur(out + <usize>n * img, inp + <usize>n * img, 1, H, W, sigma, ws);
  }
}

// ---------------------------------------------------------------------------------------------
// Distortion: elastic deformation (Simard, Steinkraus & Platt 2003, "Best practices for convolutional
// neural networks applied to visual document analysis", section 2). Per pixel, uniform noise in
// [-1, 1] for each of dx and dy, smoothed by a normalised Gaussian of std sigma (radius ceil(3 sigma),
// reflect edges: the same separable filter as the blur) and multiplied by alpha:
//   field = alpha * G_sigma * U(-1, 1)     displacement in PIXELS, as in Simard et al.
//   out[i, j] = inp sampled bilinearly at (x, y) = (j + dx[i, j], i + dy[i, j]), zero outside.
// Units relative to other libraries (same sigma):
// - torchvision ElasticTransform adds alpha_tv * field / size to a grid normalised to [-1, 1], where
//   one unit is size / 2 pixels (align_corners=False), so its displacement is alpha_tv / 2 * field
//   in pixels: our alpha = alpha_tv / 2 (its default alpha_tv = 50, sigma = 5 is our alpha = 25 at
//   sigma = 5). It truncates its Gaussian at 4 sigma instead of 3.
// - albumentations ElasticTransform multiplies the smoothed field by alpha in pixels, as we do, but
//   since 1.4.22 its default noise is Gaussian (noise_distribution="gaussian"); with
//   noise_distribution="uniform" its alpha matches ours.
// The field is stored as (2, H, W) f32: plane 0 = dx (along columns), plane 1 = dy (along rows).

/** Scratch bytes for the elastic kernels: noise (2, H, W) + field (2, H, W) + blur scratch. */
export function aug_elastic_ws_bytes(H: i32, W: i32, sigma: f32): usize {
  return 2 * al16(<usize>(2 * H * W) << 2) + aug_blur_ws_bytes(H, W, sigma);
}

function elasticField(field: usize, noise: usize, H: i32, W: i32, alpha: f32, sigma: f32, ws: usize, simd: bool): void {
  const plane = <usize>(H * W) << 2;
  for (let c: usize = 0; c < 2; c++) gaussianPass(field + c * plane, noise + c * plane, H, W, sigma, ws, simd);
  const n = 2 * H * W;
  const va = f32x4.splat(alpha);
  let i = 0;
  if (simd) {
    for (; i + 4 <= n; i += 4) {
      const p = field + (<usize>i << 2);
      v128.store(p, f32x4.mul(va, v128.load(p)));
    }
  }
  for (; i < n; i++) stf(field, i, alpha * ldf(field, i));
}

/** The displacement field of given noise: field = alpha * G_sigma * noise, per plane (see above).
 *  noise, field: usize (2, H, W) f32; ws: aug_blur_ws_bytes(H, W, sigma) */
export function aug_elastic_field(field: usize, noise: usize, H: i32, W: i32, alpha: f32, sigma: f32, ws: usize): void {
  elasticField(field, noise, H, W, alpha, sigma, ws, true);
}

/** Warp by a displacement field: out[i, j] = inp at (j + dx[i, j], i + dy[i, j]), bilinear, taps
 *  outside the image contribute 0. A zero field returns the input bit for bit; a constant integer
 *  field is an exact shift. inp, out: usize (N, H, W) f32; field: usize (2, H, W) f32 */
export function aug_warp(out: usize, inp: usize, N: i32, H: i32, W: i32, field: usize): void {
  const plane = H * W;
  const img = <usize>plane << 2;
  for (let n = 0; n < N; n++) {
    const o = out + <usize>n * img;
    const s = inp + <usize>n * img;
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        const k = i * W + j;
        stf(o, k, sampleZero(s, H, W, <f32>j + ldf(field, k), <f32>i + ldf(field, plane + k)));
      }
    }
  }
}

/** Elastic deformation with given noise (the deterministic form): field = alpha * G_sigma * noise,
 *  then aug_warp of every image with that one field. alpha = 0 returns the input bit for bit.
 *  inp, out: usize (N, H, W) f32; noise: usize (2, H, W) f32 in [-1, 1];
 *  ws: aug_elastic_ws_bytes(H, W, sigma) */
export function aug_elastic(out: usize, inp: usize, N: i32, H: i32, W: i32, noise: usize, alpha: f32, sigma: f32, ws: usize): void {
  const field = ws + al16(<usize>(2 * H * W) << 2);
  const rest = field + al16(<usize>(2 * H * W) << 2);
  elasticField(field, noise, H, W, alpha, sigma, rest, true);
  aug_warp(out, inp, N, H, W, field);
}

/** Scalar twin of aug_elastic. Same arguments. */
export function aug_elastic_ref(out: usize, inp: usize, N: i32, H: i32, W: i32, noise: usize, alpha: f32, sigma: f32, ws: usize): void {
  const field = ws + al16(<usize>(2 * H * W) << 2);
  const rest = field + al16(<usize>(2 * H * W) << 2);
  elasticField(field, noise, H, W, alpha, sigma, rest, false);
  aug_warp(out, inp, N, H, W, field);
}

/** Random elastic deformation: per image, 2 H W draws fill the noise (dx plane first, then dy, each
 *  row-major; value -1 + 2 u as rng_fill_uniform(state, noise, 2 H W, -1, 1)), then aug_elastic.
 *  inp, out: usize (N, H, W) f32; state: usize (16 bytes); ws: aug_elastic_ws_bytes(H, W, sigma) */
export function aug_elastic_random(out: usize, inp: usize, N: i32, H: i32, W: i32, alpha: f32, sigma: f32, state: usize, ws: usize): void {
  const noise = ws; // the first region of ws is the noise
  const img = <usize>(H * W) << 2;
  for (let n = 0; n < N; n++) {
    rng_fill_uniform(state, noise, 2 * H * W, -1.0, 1.0);
    aug_elastic(out + <usize>n * img, inp + <usize>n * img, 1, H, W, noise, alpha, sigma, ws);
  }
}
