// One-line op checks for the kernel tests (tinygrad's helper_test_op, llm.c's test_gpt2.c): an op is
// described once (its inputs, its output, its scratch and how to call the fast kernel and its twin),
// then checkOp() runs forward fast vs twin and backward fast vs twin on seeded data, with
//   - scratch filled with NaN (results must not depend on its contents) and a guard band after it,
//   - a guard band after the output and after every gradient (no kernel writes past its tensor),
//   - gradients pre-filled with random values (backward must ADD into them),
// and checkGradients() holds backward to central finite differences of L = Σ G ⊙ out.
import * as assert from "uvu/assert";
import { assertClose, assertSameBits, finiteDiff, randomF32, sampleIndices, snap, type Core } from "../helpers.js";

/** f32 values after every guarded buffer, and the value they hold. */
export const GUARD = 16;
const GUARD_VALUE = 12345;

/** Pointers of one op's tensors: every input by name, plus `out` and `dout` (the output's gradient). */
export type Ptrs = Record<string, number>;

export interface Op {
  /** For messages, e.g. "conv2d 2x3x7x5". */
  name: string;
  /** Inputs in argument order: element count and range of the seeded uniform values (default [-1, 1)). */
  inputs: { name: string; n: number; lo?: number; hi?: number }[];
  /** Elements of the output. */
  out: number;
  /** Scratch bytes of the fast kernels (0: none). */
  wsBytes: number;
  forward(p: Ptrs, ws: number): void;
  twin(p: Ptrs): void;
  /** Adds into g[name] for each input (a pointer, or 0 when that gradient is skipped). */
  backward?(g: Ptrs, p: Ptrs, ws: number): void;
  backwardTwin?(g: Ptrs, p: Ptrs): void;
}

export interface Bufs {
  /** Inputs by name, `out` and `dout`. */
  p: Ptrs;
  /** Initial (random) gradients by input name: every backward run starts from a copy. */
  g: Ptrs;
  ws: number;
}

/** A guard band after n f32 at ptr; returns the check that it is intact. */
function guard(core: Core, ptr: number, n: number): () => boolean {
  core.arena.f32(ptr + n * 4, GUARD).fill(GUARD_VALUE);
  return () => core.arena.f32(ptr + n * 4, GUARD).every((v) => v === GUARD_VALUE);
}

/** Scratch of `bytes` filled with NaN, followed by a guard band. */
export function nanScratch(core: Core, bytes: number): number {
  const ws = core.arena.alloc(bytes + GUARD * 4);
  core.arena.f32(ws, bytes / 4).fill(NaN);
  guard(core, ws, bytes / 4);
  return ws;
}

/** Seeded buffers for `op`: input i from stream seed + i, then out, dout and the gradients. */
export function opBuffers(core: Core, op: Op, seed: number): Bufs {
  const p: Ptrs = {}, g: Ptrs = {};
  const k = op.inputs.length;
  op.inputs.forEach((t, i) => (p[t.name] = randomF32(core, t.n, seed + i, t.lo, t.hi)));
  p.out = randomF32(core, op.out + GUARD, seed + k);
  p.dout = randomF32(core, op.out, seed + k + 1);
  op.inputs.forEach((t, i) => (g[t.name] = randomF32(core, t.n + GUARD, seed + k + 2 + i)));
  return { p, g, ws: nanScratch(core, op.wsBytes) };
}

/** Runs the fast forward (or the twin) and returns a copy of the output; fails if it wrote past the
 *  output or (fast) past its scratch. */
export function runForward(core: Core, op: Op, b: Bufs, fast: boolean): Float32Array {
  const ok = guard(core, b.p.out, op.out);
  const wsOk = guard(core, b.ws, op.wsBytes / 4);
  if (fast) op.forward(b.p, b.ws);
  else op.twin(b.p);
  assert.ok(ok(), `${op.name} forward: wrote past out`);
  if (fast) assert.ok(wsOk(), `${op.name} forward: wrote past ws`);
  return snap(core, b.p.out, op.out);
}

/** Runs the fast backward (or the twin) on fresh copies of the initial gradients (those named in
 *  `skip` passed as 0) and returns the gradients it added into; fails on a write past any of them or
 *  (fast) past the scratch. */
export function runBackward(core: Core, op: Op, b: Bufs, fast: boolean, skip: string[] = []): Record<string, Float32Array> {
  const m = core.arena.mark();
  const g: Ptrs = {};
  const oks: (() => boolean)[] = [];
  for (const t of op.inputs) {
    g[t.name] = skip.includes(t.name) ? 0 : core.arena.putF32(snap(core, b.g[t.name], t.n + GUARD));
    if (g[t.name]) oks.push(guard(core, g[t.name], t.n));
  }
  const wsOk = guard(core, b.ws, op.wsBytes / 4);
  if (fast) op.backward!(g, b.p, b.ws);
  else op.backwardTwin!(g, b.p);
  assert.ok(oks.every((ok) => ok()), `${op.name} backward: wrote past a gradient`);
  if (fast) assert.ok(wsOk(), `${op.name} backward: wrote past ws`);
  const r: Record<string, Float32Array> = {};
  for (const t of op.inputs) if (g[t.name]) r[t.name] = snap(core, g[t.name], t.n);
  core.arena.reset(m);
  return r;
}

/** How checkOp compares fast with twin: bit for bit unless a comparison is given. */
export type Comparison = (fast: Float32Array, twin: Float32Array, what: string, b: Bufs) => void;

export interface Compare {
  forward?: Comparison;
  /** Per input name: how its gradient is compared (default bit for bit). */
  grads?: Record<string, Comparison>;
  /** Gradients to skip (passed as 0 to both kernels). */
  skip?: string[];
  /** false: forward only. */
  backward?: boolean;
}

/**
 * The one-line op check: seeded buffers, forward fast vs twin, backward fast vs twin (when the op has
 * one), all guarded. Returns the buffers and results for further assertions (e.g. against an exact
 * or an emulated order).
 */
export function checkOp(core: Core, op: Op, seed: number, cmp: Compare = {}) {
  const b = opBuffers(core, op, seed);
  const fast = runForward(core, op, b, true);
  const twin = runForward(core, op, b, false);
  (cmp.forward ?? assertSameBits)(fast, twin, `${op.name} forward`, b);
  if (!op.backward || !op.backwardTwin || cmp.backward === false) return { b, fwd: { fast, twin }, bwd: null };
  const gFast = runBackward(core, op, b, true, cmp.skip);
  const gTwin = runBackward(core, op, b, false, cmp.skip);
  for (const t of op.inputs) {
    if (cmp.skip?.includes(t.name)) continue;
    (cmp.grads?.[t.name] ?? assertSameBits)(gFast[t.name], gTwin[t.name], `${op.name} d${t.name}`, b);
  }
  return { b, fwd: { fast, twin }, bwd: { fast: gFast, twin: gTwin } };
}

/**
 * Backward against central finite differences of L = Σ G ⊙ out (G the seeded dout): the fast forward,
 * the fast backward into zeroed gradients, then for `k` sampled elements of every input
 * (L(x + h) - L(x - h)) / 2h with the fast forward, within atol + rtol |fd|.
 */
export function checkGradients(core: Core, op: Op, seed: number, tol: { atol: number; rtol: number; k?: number; h?: number }) {
  const b = opBuffers(core, op, seed);
  const G = snap(core, b.p.dout, op.out);
  const loss = () => {
    op.forward(b.p, b.ws);
    const o = core.arena.f32(b.p.out, op.out);
    let L = 0;
    for (let i = 0; i < op.out; i++) L += G[i] * o[i];
    return L;
  };
  for (const t of op.inputs) core.arena.f32(b.g[t.name], t.n).fill(0);
  loss(); // a backward may read what its forward saved (relu's output, max-pool's argmax)
  op.backward!(b.g, b.p, b.ws);
  for (const t of op.inputs) {
    const idx = sampleIndices(t.n, tol.k ?? 12);
    const fd = finiteDiff(core, b.p[t.name], idx, loss, tol.h);
    const an = idx.map((i) => core.arena.f32(b.g[t.name], t.n)[i]);
    assertClose(an, fd, `${op.name} d${t.name} vs finite differences`, tol.atol, tol.rtol);
  }
}
