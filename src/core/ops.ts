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
  N: number;
  Cin: number;
  H: number;
  W: number;
  Cout: number;
  K: number;
  pad: number;
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

function expectShape(op: string, name: string, t: Tensor, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    fail(op, `${name} has shape (${t.shape.join(", ")}), expected (${shape.join(", ")})`);
  }
}

function rank(op: string, name: string, t: Tensor, r: number): void {
  if (t.shape.length !== r) fail(op, `${name} must have ${r} dimensions, has shape (${t.shape.join(", ")})`);
}

/** A tensor for an optional d-output: null passes the null pointer (the kernel skips it). */
const ptrOf = (t: Tensor | null) => (t ? t.ptr : 0);

// ---- conv2d (stride 1, square kernel, zero padding) -------------------------------------------

/** Bytes of scratch conv2dForward/conv2dBackward need for this input and weight. */
export function conv2dWsBytes(core: Core, inp: Tensor, weight: Tensor, pad: number): number {
  const [N, Cin, H, W] = inp.shape;
  const [Cout, , K] = weight.shape;
  return core.exports.conv2d_ws_bytes(N, Cin, H, W, Cout, K, pad);
}

function convCheck(op: string, inp: Tensor, weight: Tensor, bias: Tensor | null, out: Tensor, pad: number): ConvGeom {
  rank(op, "input", inp, 4);
  rank(op, "weight", weight, 4);
  const [N, Cin, H, W] = inp.shape;
  const [Cout, Cw, K, K2] = weight.shape;
  if (K !== K2) fail(op, `only square kernels are supported, weight has shape (${weight.shape.join(", ")})`);
  if (Cw !== Cin) fail(op, `weight expects ${Cw} input channels, the input has ${Cin}`);
  const g = { N, Cin, H, W, Cout, K, pad };
  expectShape(op, "output", out, convOutShape(g));
  if (bias) expectShape(op, "bias", bias, [Cout]);
  return g;
}

/** out (N, Cout, Ho, Wo) = conv(inp (N, Cin, H, W), weight (Cout, Cin, K, K)) + bias (Cout). */
export function conv2dForward(
  core: Core,
  out: Tensor,
  inp: Tensor,
  weight: Tensor,
  bias: Tensor,
  pad: number,
  ws: number,
): void {
  const g = convCheck("conv2d", inp, weight, bias, out, pad);
  core.exports.conv2d_forward(out.ptr, inp.ptr, weight.ptr, bias.ptr, g.N, g.Cin, g.H, g.W, g.Cout, g.K, pad, ws);
}

/** Adds the gradients of conv2dForward into dinp, dweight, dbias (each skipped when null). */
export function conv2dBackward(
  core: Core,
  dinp: Tensor | null,
  dweight: Tensor | null,
  dbias: Tensor | null,
  dout: Tensor,
  inp: Tensor,
  weight: Tensor,
  pad: number,
  ws: number,
): void {
  const g = convCheck("conv2d backward", inp, weight, dbias, dout, pad);
  if (dinp) expectShape("conv2d backward", "input gradient", dinp, inp.shape);
  if (dweight) expectShape("conv2d backward", "weight gradient", dweight, weight.shape);
  core.exports.conv2d_backward(
    ptrOf(dinp),
    ptrOf(dweight),
    ptrOf(dbias),
    dout.ptr,
    inp.ptr,
    weight.ptr,
    g.N,
    g.Cin,
    g.H,
    g.W,
    g.Cout,
    g.K,
    pad,
    ws,
  );
}

// ---- linear -----------------------------------------------------------------------------------

function linearCheck(
  op: string,
  inp: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  out: Tensor,
): [number, number, number] {
  rank(op, "weight", weight, 2);
  const [Out, In] = weight.shape;
  const N = inp.shape[0];
  if (numel(inp.shape) !== N * In)
    fail(op, `input of shape (${inp.shape.join(", ")}) does not flatten to (${N}, ${In})`);
  expectShape(op, "output", out, [N, Out]);
  if (bias) expectShape(op, "bias", bias, [Out]);
  return [N, In, Out];
}

export function linearWsBytes(core: Core, N: number, In: number, Out: number): number {
  return core.exports.linear_ws_bytes(N, In, Out);
}

/** out (N, Out) = inp (N, ...) flattened to (N, In) · weight (Out, In)^T + bias (Out). */
export function linearForward(core: Core, out: Tensor, inp: Tensor, weight: Tensor, bias: Tensor, ws: number): void {
  const [N, In, Out] = linearCheck("linear", inp, weight, bias, out);
  core.exports.linear_forward(out.ptr, inp.ptr, weight.ptr, bias.ptr, N, In, Out, ws);
}

/** Adds the gradients of linearForward into dinp, dweight, dbias (each skipped when null). */
export function linearBackward(
  core: Core,
  dinp: Tensor | null,
  dweight: Tensor | null,
  dbias: Tensor | null,
  dout: Tensor,
  inp: Tensor,
  weight: Tensor,
  ws: number,
): void {
  const [N, In, Out] = linearCheck("linear backward", inp, weight, dbias, dout);
  if (dinp) expectShape("linear backward", "input gradient", dinp, inp.shape);
  if (dweight) expectShape("linear backward", "weight gradient", dweight, weight.shape);
  core.exports.linear_backward(
    ptrOf(dinp),
    ptrOf(dweight),
    ptrOf(dbias),
    dout.ptr,
    inp.ptr,
    weight.ptr,
    N,
    In,
    Out,
    ws,
  );
}

// ---- relu, maxpool ----------------------------------------------------------------------------

export function reluForward(core: Core, out: Tensor, inp: Tensor): void {
  expectShape("relu", "output", out, inp.shape);
  core.exports.relu_forward(out.ptr, inp.ptr, numel(inp.shape));
}

/** dinp += dout * (out > 0). */
export function reluBackward(core: Core, dinp: Tensor, dout: Tensor, out: Tensor): void {
  expectShape("relu backward", "output gradient", dout, out.shape);
  expectShape("relu backward", "input gradient", dinp, out.shape);
  core.exports.relu_backward(dinp.ptr, dout.ptr, out.ptr, numel(out.shape));
}

/** 2x2 stride-2 max pooling; argmax (i32, same shape as out) records the first maximum (PyTorch). */
export function maxpool2dForward(core: Core, out: Tensor, argmax: Tensor, inp: Tensor): void {
  rank("maxpool2d", "input", inp, 4);
  const [N, C, H, W] = inp.shape;
  const os = poolOutShape(N, C, H, W);
  expectShape("maxpool2d", "output", out, os);
  expectShape("maxpool2d", "argmax", argmax, os);
  core.exports.maxpool2d_forward(out.ptr, argmax.ptr, inp.ptr, N, C, H, W);
}

/** dinp[argmax] += dout. */
export function maxpool2dBackward(core: Core, dinp: Tensor, dout: Tensor, argmax: Tensor): void {
  rank("maxpool2d backward", "input gradient", dinp, 4);
  const [N, C, H, W] = dinp.shape;
  const os = poolOutShape(N, C, H, W);
  expectShape("maxpool2d backward", "output gradient", dout, os);
  expectShape("maxpool2d backward", "argmax", argmax, os);
  core.exports.maxpool2d_backward(dinp.ptr, dout.ptr, argmax.ptr, N, C, H, W);
}
