// Typed wrappers over the core's kernels: each owns its shape maths, rejects a bad shape with a message
// that names it, and passes raw pointers (tfjs-backend-wasm's kernels/*.ts). Tensors live in the arena;
// a Tensor is a pointer plus a shape, and views are rebuilt on demand.
import type { Core } from "./load.js";

export interface Tensor {
  readonly ptr: number;
  readonly shape: readonly number[];
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function fail(op: string, msg: string): never {
  throw new RangeError(`${op}: ${msg}`);
}

function checkDims(op: string, name: string, dims: Record<string, number>): void {
  for (const [k, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 0) fail(op, `${name} dimension ${k} must be a non-negative integer, got ${v}`);
  }
}

/** Allocate a zeroed f32 tensor in the core's arena. */
export function tensor(core: Core, shape: readonly number[]): Tensor {
  checkDims("tensor", "shape", Object.fromEntries(shape.map((d, i) => [String(i), d])));
  return { ptr: core.arena.allocF32(Math.max(1, numel(shape))), shape: [...shape] };
}

/** A fresh view of a tensor's data (valid until the memory grows). */
export function view(core: Core, t: Tensor): Float32Array {
  return core.arena.f32(t.ptr, numel(t.shape));
}

export interface ConvGeom {
  N: number; Cin: number; H: number; W: number; Cout: number; K: number; pad: number;
}

/** Output shape of a stride-1 convolution, or an error naming the offending shape. */
export function convOutShape(g: ConvGeom): [number, number, number, number] {
  checkDims("conv2d", "geometry", g as unknown as Record<string, number>);
  const Ho = g.H + 2 * g.pad - g.K + 1;
  const Wo = g.W + 2 * g.pad - g.K + 1;
  if (g.K < 1) fail("conv2d", `kernel size must be at least 1, got ${g.K}`);
  if (Ho < 1 || Wo < 1) fail("conv2d", `kernel ${g.K} with padding ${g.pad} does not fit a ${g.H}x${g.W} input`);
  return [g.N, g.Cout, Ho, Wo];
}

export function poolOutShape(N: number, C: number, H: number, W: number): [number, number, number, number] {
  if (H < 2 || W < 2) fail("maxpool2d", `2x2 pooling needs an input of at least 2x2, got ${H}x${W}`);
  return [N, C, H >> 1, W >> 1];
}
