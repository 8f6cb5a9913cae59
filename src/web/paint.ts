// Pixels for the page, free of the DOM (tested in Node): the brush that draws MNIST-like strokes into a
// 28x28 float image, MNIST's size-and-centre normalisation, and heat maps in the report's viridis.
import { BAD_COLOR, VIRIDIS_LUT, colormapIndex } from "../colormap.js";

/** The brush's profile at 28x28: full ink within `core` pixels of the stroke's centre line, falling
 *  smoothly to none at `edge` — about 2 px of ink with soft, anti-aliased borders, as MNIST's
 *  strokes (NIST digits scanned and down-sampled to a 20x20 box). */
export const BRUSH = { core: 0.75, edge: 1.85 } as const;

const smoothstep = (a: number, b: number, x: number) => {
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
};

/**
 * Ink a stroke segment from (x0, y0) to (x1, y1) (pixel units, (0, 0) the top-left corner of the image,
 * pixel centres at +0.5) into `img` (W*H floats in [0, 1]): each pixel takes the larger of its value and
 * the brush's ink at its distance from the segment. Returns whether any pixel changed.
 */
export function strokeSegment(
  img: Float32Array,
  W: number,
  H: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  brush = BRUSH,
): boolean {
  const r = brush.edge;
  const xa = Math.max(0, Math.floor(Math.min(x0, x1) - r)),
    xb = Math.min(W - 1, Math.ceil(Math.max(x0, x1) + r));
  const ya = Math.max(0, Math.floor(Math.min(y0, y1) - r)),
    yb = Math.min(H - 1, Math.ceil(Math.max(y0, y1) + r));
  const dx = x1 - x0,
    dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  let changed = false;
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const px = x + 0.5,
        py = y + 0.5;
      // Distance from the pixel centre to the segment.
      const t = len2 > 0 ? Math.min(1, Math.max(0, ((px - x0) * dx + (py - y0) * dy) / len2)) : 0;
      const ex = px - (x0 + t * dx),
        ey = py - (y0 + t * dy);
      const ink = 1 - smoothstep(brush.core, brush.edge, Math.sqrt(ex * ex + ey * ey));
      const i = y * W + x;
      if (ink > img[i]) {
        img[i] = ink;
        changed = true;
      }
    }
  }
  return changed;
}

/** Bilinear sample of img at (x, y) in pixel-centre coordinates; 0 outside. */
function sample(img: Float32Array, W: number, H: number, x: number, y: number): number {
  const x0 = Math.floor(x),
    y0 = Math.floor(y);
  const fx = x - x0,
    fy = y - y0;
  const at = (xx: number, yy: number) => (xx >= 0 && yy >= 0 && xx < W && yy < H ? img[yy * W + xx] : 0);
  return (
    (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
    fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1))
  );
}

/**
 * MNIST's normalisation (LeCun et al.: "normalized to fit in a 20x20 pixel box while preserving their
 * aspect ratio ... centered in a 28x28 image by computing the center of mass of the pixels"): scale the
 * ink's bounding box to fit `box` pixels, then move the centre of mass to the image centre. Bilinear
 * resampling; returns a new image (all zeros stay zeros).
 */
export function fitLikeMnist(img: Float32Array, W = 28, H = 28, box = 20): Float32Array {
  let x0 = W,
    x1 = -1,
    y0 = H,
    y1 = -1;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (img[y * W + x] > 0.05) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  const out = new Float32Array(W * H);
  if (x1 < 0) return out;
  const s = box / Math.max(x1 - x0 + 1, y1 - y0 + 1);
  // First scale about the box's centre into a temporary image, then shift by the centre of mass.
  const cx = (x0 + x1 + 1) / 2,
    cy = (y0 + y1 + 1) / 2;
  const scaled = new Float32Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const sx = (x + 0.5 - W / 2) / s + cx - 0.5,
        sy = (y + 0.5 - H / 2) / s + cy - 0.5;
      scaled[y * W + x] = Math.min(1, sample(img, W, H, sx, sy));
    }
  let m = 0,
    mx = 0,
    my = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const v = scaled[y * W + x];
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  const shx = mx / m - W / 2,
    shy = my / m - H / 2;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = sample(scaled, W, H, x + shx, y + shy);
  return out;
}

/** The report's viridis table (matplotlib's 256 entries), so the page and report.html's figures
 *  colour a value alike. */
export const VIRIDIS: Uint8Array = VIRIDIS_LUT;

/** Table index of v on the scale [0, vmax] (matplotlib's rule, as the report's figures); 0 when the
 *  scale is empty, -1 for NaN. */
const level = (v: number, vmax: number) => (vmax > 0 ? colormapIndex(v / vmax) : 0);

/** RGBA pixels of a map on the shared scale [0, vmax] (viridis). */
export function heatRGBA(map: Float32Array, vmax: number, out: Uint8ClampedArray): void {
  for (let i = 0; i < map.length; i++) {
    const l = level(map[i], vmax);
    const c = l < 0 ? BAD_COLOR : [VIRIDIS[l * 3], VIRIDIS[l * 3 + 1], VIRIDIS[l * 3 + 2]];
    out[i * 4] = c[0];
    out[i * 4 + 1] = c[1];
    out[i * 4 + 2] = c[2];
    out[i * 4 + 3] = 255;
  }
}

/** RGBA pixels of a map over its grey input: the heat colour's opacity grows with the saliency, so
 *  the digit shows where the model does not look and the colour where it does. */
export function overlayRGBA(map: Float32Array, image: Float32Array, vmax: number, out: Uint8ClampedArray): void {
  for (let i = 0; i < map.length; i++) {
    const l = level(map[i], vmax);
    const a = l < 0 ? 1 : Math.min(1, 0.1 + 1.4 * (l / 255));
    const g = 24 + image[i] * 200;
    for (let c = 0; c < 3; c++)
      out[i * 4 + c] = Math.round(g * (1 - a) + (l < 0 ? BAD_COLOR[c] : VIRIDIS[l * 3 + c]) * a);
    out[i * 4 + 3] = 255;
  }
}

/** RGBA pixels of an input image, MNIST style (white ink on black). */
export function greyRGBA(image: Float32Array, out: Uint8ClampedArray): void {
  for (let i = 0; i < image.length; i++) {
    const g = Math.round(Math.min(1, Math.max(0, image[i])) * 255);
    out[i * 4] = g;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = g;
    out[i * 4 + 3] = 255;
  }
}
