// A small RGB raster canvas for the images inside the SVG figures (a digit, a heat map): fills,
// nearest-neighbour blits of grey images and colour-mapped maps, alpha blending; encoded to PNG with
// pngjs. Text is never drawn here: the figures set it as SVG text (./figures.ts). Pure: no file system —
// encodePng returns the bytes and the caller writes them.
//
// Coordinates are integer pixels, origin top left, x to the right, y down. Everything drawn is clipped
// to the canvas. Colours are sRGB bytes; blending is done on the bytes (as matplotlib and Captum's
// overlays do), not in linear light.
import { PNG } from "pngjs";
import { BAD_COLOR, VIRIDIS_LUT, colormapIndex, type Rgb } from "../colormap.js";

export type { Rgb };

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];

/** An RGB image: width * height * 3 bytes, row-major, no padding. */
export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

function checkSize(what: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0 || v > 16384) throw new Error(`${what} must be an integer in 1..16384, got ${v}`);
}

/** A new canvas filled with one colour (white by default). */
export function createCanvas(width: number, height: number, background: Rgb = WHITE): Canvas {
  checkSize("canvas width", width);
  checkSize("canvas height", height);
  const c: Canvas = { width, height, data: new Uint8Array(width * height * 3) };
  fillRect(c, 0, 0, width, height, background);
  return c;
}

/** The colour at (x, y); throws outside the canvas. */
export function getPixel(c: Canvas, x: number, y: number): [number, number, number] {
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= c.width || y >= c.height) {
    throw new Error(`getPixel: (${x}, ${y}) is outside the ${c.width}×${c.height} canvas`);
  }
  const i = (y * c.width + x) * 3;
  return [c.data[i], c.data[i + 1], c.data[i + 2]];
}

/** Sets one pixel; outside the canvas it does nothing. */
export function setPixel(c: Canvas, x: number, y: number, color: Rgb): void {
  if (x < 0 || y < 0 || x >= c.width || y >= c.height) return;
  const i = (y * c.width + x) * 3;
  c.data[i] = color[0];
  c.data[i + 1] = color[1];
  c.data[i + 2] = color[2];
}

/** out = (1 - alpha) * under + alpha * color, rounded, at one pixel (alpha in [0, 1]). */
export function blendPixel(c: Canvas, x: number, y: number, color: Rgb, alpha: number): void {
  if (x < 0 || y < 0 || x >= c.width || y >= c.height) return;
  const a = alpha <= 0 ? 0 : alpha >= 1 ? 1 : alpha;
  const i = (y * c.width + x) * 3;
  for (let k = 0; k < 3; k++) c.data[i + k] = Math.round((1 - a) * c.data[i + k] + a * color[k]);
}

/** Clip a rectangle to the canvas: [x0, y0, x1, y1) or null when empty. */
function clip(c: Canvas, x: number, y: number, w: number, h: number): [number, number, number, number] | null {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(c.width, Math.floor(x + w));
  const y1 = Math.min(c.height, Math.floor(y + h));
  return x0 < x1 && y0 < y1 ? [x0, y0, x1, y1] : null;
}

/** Fills a rectangle with a colour. */
export function fillRect(c: Canvas, x: number, y: number, w: number, h: number, color: Rgb): void {
  const r = clip(c, x, y, w, h);
  if (!r) return;
  for (let yy = r[1]; yy < r[3]; yy++) {
    for (let xx = r[0]; xx < r[2]; xx++) {
      const i = (yy * c.width + xx) * 3;
      c.data[i] = color[0];
      c.data[i + 1] = color[1];
      c.data[i + 2] = color[2];
    }
  }
}

/** Blends a colour over a rectangle with a constant alpha. */
export function blendRect(c: Canvas, x: number, y: number, w: number, h: number, color: Rgb, alpha: number): void {
  const r = clip(c, x, y, w, h);
  if (!r) return;
  for (let yy = r[1]; yy < r[3]; yy++) for (let xx = r[0]; xx < r[2]; xx++) blendPixel(c, xx, yy, color, alpha);
}

/** A one-pixel (times `thickness`) rectangle outline drawn inside (x, y, w, h). */
export function strokeRect(c: Canvas, x: number, y: number, w: number, h: number, color: Rgb, thickness = 1): void {
  fillRect(c, x, y, w, thickness, color);
  fillRect(c, x, y + h - thickness, w, thickness, color);
  fillRect(c, x, y, thickness, h, color);
  fillRect(c, x + w - thickness, y, thickness, h, color);
}

function checkImage(what: string, values: ArrayLike<number>, w: number, h: number, scale: number): void {
  checkSize(`${what} width`, w);
  checkSize(`${what} height`, h);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`${what}: scale must be an integer >= 1, got ${scale}`);
  if (values.length !== w * h) throw new Error(`${what}: expected ${w}×${h} = ${w * h} values, got ${values.length}`);
}

export interface GreyOptions {
  /** Integer nearest-neighbour upscaling factor (each source pixel becomes scale × scale). Default 1. */
  scale?: number;
  /** Value shown black. Default 0. */
  lo?: number;
  /** Value shown white. Default 1. */
  hi?: number;
  /** Draw hi as black and lo as white instead. Default false. */
  invert?: boolean;
}

/** Grey level 0..255 of v on [lo, hi] (clamped; NaN → mid grey). */
export function greyLevel(v: number, lo = 0, hi = 1, invert = false): number {
  if (Number.isNaN(v)) return 128;
  let t = hi === lo ? (v >= hi ? 1 : 0) : (v - lo) / (hi - lo);
  t = t <= 0 ? 0 : t >= 1 ? 1 : t;
  if (invert) t = 1 - t;
  return Math.round(t * 255);
}

/**
 * Draws a w×h grey image (row-major values, e.g. an MNIST digit in [0, 1]) at (x, y), each source
 * pixel upscaled to a scale×scale block (nearest neighbour: no smoothing that would invent detail).
 */
export function blitGrey(
  c: Canvas,
  values: ArrayLike<number>,
  w: number,
  h: number,
  x: number,
  y: number,
  opts: GreyOptions = {},
): void {
  const scale = opts.scale ?? 1;
  checkImage("blitGrey", values, w, h, scale);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const g = greyLevel(values[j * w + i], opts.lo ?? 0, opts.hi ?? 1, opts.invert ?? false);
      fillRect(c, x + i * scale, y + j * scale, scale, scale, [g, g, g]);
    }
  }
}

export interface MapOptions {
  /** Integer nearest-neighbour upscaling factor. Default 1. */
  scale?: number;
  /** 256-entry RGB table (768 bytes). Default viridis. */
  lut?: Uint8Array;
  /** Opacity of the map over what is already drawn, in [0, 1]. Default 1 (opaque). */
  alpha?: number;
}

/**
 * Draws a w×h map of values already normalised to [0, 1] (clamped) through a 256-entry colour table,
 * upscaled nearest-neighbour, optionally alpha-blended over what is under it. NaN draws BAD_COLOR.
 */
export function blitColormap(
  c: Canvas,
  values: ArrayLike<number>,
  w: number,
  h: number,
  x: number,
  y: number,
  opts: MapOptions = {},
): void {
  const scale = opts.scale ?? 1;
  const lut = opts.lut ?? VIRIDIS_LUT;
  const alpha = opts.alpha ?? 1;
  checkImage("blitColormap", values, w, h, scale);
  if (lut.length !== 768) throw new Error(`blitColormap: lut must hold 256 RGB entries (768 bytes), got ${lut.length}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`blitColormap: alpha must be in [0, 1], got ${alpha}`);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const k = colormapIndex(values[j * w + i]);
      const color: Rgb = k < 0 ? BAD_COLOR : [lut[k * 3], lut[k * 3 + 1], lut[k * 3 + 2]];
      if (alpha >= 1) fillRect(c, x + i * scale, y + j * scale, scale, scale, color);
      else blendRect(c, x + i * scale, y + j * scale, scale, scale, color, alpha);
    }
  }
}

/** PNG bytes of the canvas (8-bit RGB, no alpha). */
export function encodePng(c: Canvas): Buffer {
  const png = {
    width: c.width,
    height: c.height,
    data: Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength),
  };
  return PNG.sync.write(png as unknown as PNG, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}
