// A sequential CNN over the wasm core (convnetjs' net.js contract, llm.c's one-arena layout).
//
// Memory, all in the core's arena and allocated once for a batch capacity:
//   params | grads         equal-length flat regions at matching offsets (the optimizer adds m | v)
//   input, act[i], dact[i] activations and their gradients for `capacity` images, NCHW
//   ws                     one scratch region per thread, the largest any layer needs
// forward(n) and backward(n) run on the first n <= capacity images already in `input`.
//
// Threads (core.parallel, src/core/parallel.ts says why the bits do not depend on them) share the work
// dynamically: a run is a list of tasks cut at fixed boundaries that do not depend on the thread count,
// and each thread claims the next task until none is left. Forward: one task per block of BLOCK images
// at fixed offsets [0, 16), [16, 32), ... through every layer (a block's activations stay in cache
// between layers: one barrier per forward); backward: the per-image chain (input gradients, ReLU and
// max-pool masks, a max-pool over a ReLU in one pass) over the same blocks, then the parameter gradients
// as fixed ranges of work items over all images (a second barrier).
import type { Core } from "../core/load.js";
import { convOutShape, poolOutShape, numel } from "../core/ops.js";
import { perThread, type Call, type PerThread, type Task } from "../core/parallel.js";
import { Stream } from "../core/streams.js";
import type { LayerSpec, ModelSpec } from "./spec.js";

/** Floats per parameter tensor are padded to a multiple of this (64 bytes: SIMD- and cache-aligned). */
const PAD_FLOATS = 16;
const padTo = (n: number) => Math.ceil(n / PAD_FLOATS) * PAD_FLOATS;

/** Images per block of the per-image chains (measured on a train step: 16 a little faster than 4, 8
 *  or 32; conv1's output for 16 images is 800 KB, between L2 and L3). */
const BLOCK = 16;
/** Tasks of the costliest conv layer's weight gradients when several threads share them (ranges of its
 *  work items of near-equal size; other conv layers get proportionally fewer, at least 2). Each task
 *  re-pads the images and re-packs the output gradient: on the tutorial net at batch 110 a conv2 task
 *  costs ~0.35 ms more CPU (measured: one call 13.8 ms, 4 ranges 15.2, 8 ranges 16.3), so more tasks
 *  balance better but cost more; one thread runs each layer as one call. */
const PARAM_TASKS = 4;

interface PlanLayer {
  spec: LayerSpec;
  /** Per-image input and output shapes (C, H, W); linear layers see a flat (C*H*W). */
  inShape: [number, number, number];
  outShape: [number, number, number];
  inPtr: number;
  outPtr: number;
  dInPtr: number; // 0 for the first layer unless input gradients are wanted
  dOutPtr: number;
  /** Float offsets into the parameter region (weights, bias), -1 if none. */
  wOff: number;
  bOff: number;
  wCount: number;
  bCount: number;
  /** Weight shape: (Cout, Cin, K, K) or (Out, In). */
  wShape: number[];
  fanIn: number;
  argmax: number; // maxpool only
}

export interface ParamTensor {
  layer: number;
  name: "weight" | "bias";
  offset: number; // floats from the start of the region
  count: number;
  shape: number[];
}

export class Model {
  readonly spec: ModelSpec;
  readonly capacity: number;
  readonly classes: number;
  readonly inputSize: number; // floats per image
  /** Padded length of the parameter region in floats (also of grads, m, v). */
  readonly paramLength: number;
  readonly params: number;
  readonly grads: number;
  readonly input: number;
  readonly dinput: number;
  readonly logits: number;
  readonly dlogits: number;
  readonly probs: number;
  readonly labels: number;
  readonly tensors: ParamTensor[] = [];
  private readonly plan: PlanLayer[] = [];
  private readonly ws: number;
  /** Bytes of one thread's scratch (ws + p * wsStride is thread p's: perThread(ws, wsStride)). */
  private readonly wsStride: number;
  /** Per thread, one block's activations of every layer (and max-pool indices), for forward passes
   *  that keep nothing for a backward (evaluation, inference): they stay in cache. */
  private readonly blockActs: number;
  private readonly blockStride: number;
  private readonly rngState: number;

  constructor(
    readonly core: Core,
    spec: ModelSpec,
    capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`model: batch capacity must be a positive integer, got ${capacity}`);
    this.spec = spec;
    this.capacity = capacity;
    const ex = core.exports;
    const arena = core.arena;

    // 1. Shapes and parameter offsets (validates the spec).
    let shape: [number, number, number] = [...spec.input];
    let off = 0;
    let wsBytes = 0;
    const layers: Omit<PlanLayer, "inPtr" | "outPtr" | "dInPtr" | "dOutPtr" | "argmax">[] = [];
    spec.layers.forEach((l, i) => {
      const inShape = shape;
      let outShape: [number, number, number];
      let wCount = 0,
        bCount = 0,
        fanIn = 0;
      const [C, H, W] = inShape;
      switch (l.type) {
        case "conv": {
          const [, Cout, Ho, Wo] = convOutShape({ N: capacity, Cin: C, H, W, Cout: l.out, K: l.k, pad: l.pad });
          outShape = [Cout, Ho, Wo];
          wCount = Cout * C * l.k * l.k;
          bCount = Cout;
          fanIn = C * l.k * l.k;
          wsBytes = Math.max(wsBytes, ex.conv2d_ws_bytes(capacity, C, H, W, Cout, l.k, l.pad));
          break;
        }
        case "relu":
          outShape = inShape;
          break;
        case "maxpool": {
          const [, , Ho, Wo] = poolOutShape(capacity, C, H, W);
          outShape = [C, Ho, Wo];
          break;
        }
        case "linear": {
          fanIn = C * H * W;
          outShape = [l.out, 1, 1];
          wCount = l.out * fanIn;
          bCount = l.out;
          wsBytes = Math.max(wsBytes, ex.linear_ws_bytes(capacity, fanIn, l.out));
          break;
        }
        default:
          throw new RangeError(`model: unknown layer type at position ${i}: ${JSON.stringify(l)}`);
      }
      if (outShape.some((d) => !(d >= 1)))
        throw new RangeError(`model: layer ${i} (${l.type}) produces an empty output`);
      const wOff = wCount ? off : -1;
      if (wCount) off += padTo(wCount);
      const bOff = bCount ? off : -1;
      if (bCount) off += padTo(bCount);
      const wShape = l.type === "conv" ? [outShape[0], C, l.k, l.k] : l.type === "linear" ? [outShape[0], fanIn] : [];
      if (wCount) this.tensors.push({ layer: i, name: "weight", offset: wOff, count: wCount, shape: wShape });
      if (bCount) this.tensors.push({ layer: i, name: "bias", offset: bOff, count: bCount, shape: [bCount] });
      layers.push({ spec: l, inShape, outShape, wOff, bOff, wCount, bCount, wShape, fanIn });
      shape = outShape;
    });
    const last = spec.layers[spec.layers.length - 1];
    if (!last || last.type !== "linear")
      throw new RangeError("model: the last layer must be linear (it gives the logits)");
    this.classes = shape[0];
    this.inputSize = numel(spec.input);
    this.paramLength = off;

    // 2. Memory.
    this.params = arena.allocF32(off);
    this.grads = arena.allocF32(off);
    this.rngState = arena.alloc(16);
    this.wsStride = Math.ceil(Math.max(wsBytes, 64) / 64) * 64;
    this.ws = arena.alloc(this.wsStride * core.parallel.maxThreads);
    this.input = arena.allocF32(capacity * this.inputSize);
    // Activations, their gradients and max-pool indices are NOT zeroed: every kernel writes them before
    // anything reads them (forward writes outputs, backward zeroes each input gradient before adding).
    // So pages of them that a run never uses are never touched and cost no resident memory: the images
    // of the capacity beyond the training batch (evaluation keeps nothing), the outputs a fused
    // conv -> ReLU -> max-pool never writes, and gradients no backward reaches.
    this.dinput = arena.alloc(capacity * this.inputSize * 4);
    let inPtr = this.input;
    let dInPtr = this.dinput;
    for (const l of layers) {
      const outN = capacity * numel(l.outShape);
      const outPtr = arena.alloc(outN * 4);
      const dOutPtr = arena.alloc(outN * 4);
      const argmax = l.spec.type === "maxpool" ? arena.alloc(outN * 4) : 0;
      this.plan.push({ ...l, inPtr, outPtr, dInPtr, dOutPtr, argmax });
      inPtr = outPtr;
      dInPtr = dOutPtr;
    }
    this.logits = inPtr;
    this.dlogits = dInPtr;
    const perImage = layers.reduce((t, l) => t + 2 * padTo(numel(l.outShape)), 0); // outputs and argmax
    this.blockStride = BLOCK * perImage * 4;
    this.blockActs = arena.alloc(this.blockStride * core.parallel.maxThreads);
    this.probs = arena.allocF32(capacity * this.classes);
    this.labels = arena.allocI32(capacity);
  }

  /** PyTorch's default init (kaiming_uniform_(a=sqrt(5)) for weights, U(±1/sqrt(fan_in)) for biases),
   *  each layer from its own stream (seed, INIT, layer, variant): models of one seed and variant start
   *  identical (variant 0: the run's shared initialisation, src/core/streams.ts Variant). */
  init(seed: number, variant = 0): void {
    const ex = this.core.exports;
    ex.zero(this.params, this.paramLength * 4);
    for (const [i, l] of this.plan.entries()) {
      if (l.wOff < 0) continue;
      ex.rng_seed(this.rngState, seed, Stream.INIT, i, variant, 0);
      ex.kaiming_uniform(this.rngState, this.params + l.wOff * 4, l.wCount, l.fanIn);
      ex.kaiming_uniform(this.rngState, this.params + l.bOff * 4, l.bCount, l.fanIn);
    }
  }

  /** Where the last forward read its images (backward differentiates with respect to them) and how
   *  many. */
  private fedFrom = 0;
  private fedN = 0;

  /** The image ranges [start, count] of the blocks of n images: fixed boundaries that depend on n alone,
   *  whatever the threads: BLOCK images while more than 3 BLOCK remain, then BLOCK / 2 (smaller last
   *  tasks, so the threads finish together: 110 images are 4 x 16 + 5 x 8 + 6). Invariant: the
   *  backward's blocks are the forward's (both come from here with the same n), because max-pool's
   *  argmax indices are relative to the slice a call saw; whichever thread runs a block, it sees the
   *  same slice. */
  private blocks(n: number): [number, number][] {
    const out: [number, number][] = [];
    for (let s = 0; s < n;) {
      const c = Math.min(n - s > 3 * BLOCK ? BLOCK : BLOCK / 2, n - s);
      out.push([s, c]);
      s += c;
    }
    return out;
  }

  /** Forward n images, by default the first n of `input`, or n images already resident in wasm
   *  memory at `from` (n * inputSize f32: no copy); returns the logits pointer ((n, classes) f32).
   *  keep = false (evaluation, inference): only the logits are written; each block's activations live
   *  in a small per-thread buffer that stays in cache, and no backward may follow. The logits are the
   *  same bits either way (every call computes the same values, only where they land differs). */
  forward(n: number, from: number = this.input, keep = true): number {
    this.checkN(n);
    this.fedFrom = from;
    this.fedN = keep ? n : 0;
    const ws = perThread(this.ws, this.wsStride);
    const tasks: Task[] = [];
    for (const [s, c] of this.blocks(n)) {
      const calls: Call[] = [];
      // where block [s, s + c) of each layer's output (and argmax) goes: the layer's output, or the
      // claiming thread's block buffer (offset `scratch` in it)
      let scratch = 0;
      let inp: number | PerThread = from + s * this.inputSize * 4;
      for (let i = 0; i < this.plan.length; i++) {
        const l = this.plan[i];
        // conv -> ReLU -> max-pool in one pass: the group's output is the max-pool's
        const fused = this.fusedAt(i);
        const o = fused ? this.plan[i + 2] : l;
        const inSize = numel(l.inShape),
          outSize = numel(o.outShape);
        let out: number | PerThread,
          argmax: number | PerThread = 0;
        if (keep || (fused ? i + 2 : i) === this.plan.length - 1) {
          out = o.outPtr + s * outSize * 4;
          argmax = o.argmax + s * outSize * 4;
        } else {
          out = perThread(this.blockActs + scratch, this.blockStride);
          argmax = perThread(this.blockActs + scratch + BLOCK * padTo(outSize) * 4, this.blockStride);
          scratch += 2 * BLOCK * padTo(outSize) * 4;
        }
        const [C, H, W] = l.inShape;
        // conv2d_forward's arguments after `out` (the fused call takes argmax between them too)
        const conv = (k: number, pad: number) =>
          [inp, this.wPtr(l), this.bPtr(l), c, C, H, W, l.outShape[0], k, pad, ws] as const;
        if (fused && l.spec.type === "conv") {
          calls.push(["conv2d_relu_maxpool_forward", out, argmax, ...conv(l.spec.k, l.spec.pad)]);
          inp = out;
          i += 2;
          continue;
        }
        switch (l.spec.type) {
          case "conv":
            calls.push(["conv2d_forward", out, ...conv(l.spec.k, l.spec.pad)]);
            break;
          case "relu":
            calls.push(["relu_forward", out, inp, c * inSize]);
            break;
          case "maxpool":
            calls.push(["maxpool2d_forward", out, argmax, inp, c, C, H, W]);
            break;
          case "linear":
            calls.push(["linear_forward", out, inp, this.wPtr(l), this.bPtr(l), c, inSize, l.outShape[0], ws]);
            break;
        }
        inp = out;
      }
      tasks.push(calls);
    }
    this.core.parallel.run(tasks);
    return this.logits;
  }

  /**
   * Backward from `dlogits` (already filled for the n images of the last forward) through every layer.
   * Parameter gradients are ADDED into `grads` (zero them once per step: zeroGrads) unless
   * paramGrads is false; the gradient with respect to the input lands in `dinput` when inputGrad.
   */
  backward(n: number, opts: { inputGrad?: boolean; paramGrads?: boolean } = {}): void {
    this.checkN(n);
    if (n !== this.fedN) {
      throw new RangeError(`model: backward of ${n} images after a forward of ${this.fedN} kept for it`);
    }
    const inputGrad = opts.inputGrad ?? false;
    const paramGrads = opts.paramGrads ?? true;
    const par = this.core.parallel;
    const last = this.plan.length - 1;
    const ws = perThread(this.ws, this.wsStride);
    // 1. The per-image chain: input gradients of every layer (down to the input when inputGrad), one
    //    task per block of the forward (this.blocks(n): the same slices, so argmax indices match).
    const chain: Task[] = [];
    for (const [s, c] of this.blocks(n)) {
      const calls: Call[] = [];
      for (let i = last; i >= 0; i--) {
        if (i === 0 && !inputGrad) break;
        const l = this.plan[i];
        const below = i > 0 ? this.plan[i - 1] : undefined;
        const fuse = !this.readGrads.has(i - 1) && (i > 1 || inputGrad);
        if (l.spec.type === "maxpool" && below?.spec.type === "relu" && fuse) {
          // max-pool over a ReLU: both backward passes in one (the ReLU's mask applied at the scatter,
          // read from the pooled output: the ReLU's own output is not written by a fused forward)
          const rSize = numel(below.inShape),
            pSize = numel(l.outShape);
          const dIn = below.dInPtr + s * rSize * 4;
          const [C, H, W] = l.inShape;
          // (it writes all of dIn: no zeroing pass)
          calls.push([
            "maxpool2d_relu_backward",
            dIn,
            l.dOutPtr + s * pSize * 4,
            l.argmax + s * pSize * 4,
            l.outPtr + s * pSize * 4,
            c,
            C,
            H,
            W,
          ]);
          i--;
          continue;
        }
        const inSize = numel(l.inShape),
          outSize = numel(l.outShape);
        const dIn = l.dInPtr + s * inSize * 4;
        const dOut = l.dOutPtr + s * outSize * 4;
        const [C, H, W] = l.inShape;
        calls.push(["zero", dIn, c * inSize * 4]);
        switch (l.spec.type) {
          case "conv":
            calls.push([
              "conv2d_backward_input",
              dIn,
              dOut,
              this.wPtr(l),
              c,
              C,
              H,
              W,
              l.outShape[0],
              l.spec.k,
              l.spec.pad,
              ws,
            ]);
            break;
          case "relu":
            calls.push(["relu_backward", dIn, dOut, l.outPtr + s * outSize * 4, c * inSize]);
            break;
          case "maxpool":
            calls.push(["maxpool2d_backward", dIn, dOut, l.argmax + s * outSize * 4, c, C, H, W]);
            break;
          case "linear": {
            const inp = (i === 0 ? this.fedFrom : l.inPtr) + s * inSize * 4;
            calls.push(["linear_backward", dIn, 0, 0, dOut, inp, this.wPtr(l), c, inSize, l.outShape[0], ws]);
            break;
          }
        }
      }
      chain.push(calls);
    }
    par.run(chain);
    if (!paramGrads) return;
    // 2. Parameter gradients over all n images: per conv layer fixed ranges of its work items, the
    //    linear layer's as one task; largest first, so the small ones fill the tail. The ranges depend
    //    on the layer shapes and on whether more than one thread runs them (one thread: one call per
    //    layer, no repeated packing); the bits depend on neither: the kernel computes every element in
    //    one call, alike for any ranges (assembly/conv.ts conv2d_backward_params).
    const ex = this.core.exports;
    const convCost = (l: PlanLayer) =>
      2 * numel(l.outShape) * l.inShape[0] * (l.spec.type === "conv" ? l.spec.k ** 2 : 0);
    const maxCost = Math.max(...this.plan.map(convCost));
    const params: { cost: number; task: Task }[] = [];
    for (let i = last; i >= 0; i--) {
      const l = this.plan[i];
      const inp = i === 0 ? this.fedFrom : l.inPtr;
      const [C, H, W] = l.inShape;
      const dW = this.wPtr(l, this.grads),
        dB = this.bPtr(l, this.grads);
      if (l.spec.type === "conv") {
        const items = ex.conv2d_param_items(C, l.outShape[0], l.spec.k);
        const share = par.threads > 1 ? Math.max(2, Math.round((PARAM_TASKS * convCost(l)) / maxCost)) : 1;
        const tasks = Math.min(share, items);
        const cost = (convCost(l) * n) / tasks;
        for (let t = 0; t < tasks; t++) {
          const [i0, i1] = [Math.floor((items * t) / tasks), Math.floor((items * (t + 1)) / tasks)];
          const geo = [C, H, W, l.outShape[0], l.spec.k, l.spec.pad] as const;
          params.push({ cost, task: [["conv2d_backward_params", dW, dB, l.dOutPtr, inp, n, ...geo, ws, i0, i1]] });
        }
      } else if (l.spec.type === "linear") {
        const [In, Out] = [numel(l.inShape), l.outShape[0]];
        params.push({
          cost: 2 * In * Out * n,
          task: [["linear_backward", 0, dW, dB, l.dOutPtr, inp, this.wPtr(l), n, In, Out, ws]],
        });
      }
    }
    // a stable sort: equal costs keep their order (the order changes no value anyway)
    params.sort((x, y) => y.cost - x.cost);
    par.run(params.map((p) => p.task));
  }

  /** Layer i's output for the first images of the last forward, and its gradient after a backward
   *  (d of what was backpropagated with respect to that output): pointers to (n, C, H, W) f32 and the
   *  per-image shape. For methods that look inside the network (Grad-CAM, src/explain/gradcam.ts).
   *  From then on forward writes that output and backward that gradient (both are skipped when a
   *  conv -> ReLU -> max-pool runs as one kernel): call it before the forward whose output you read. */
  layerOutput(i: number): { type: LayerSpec["type"]; out: number; dout: number; shape: [number, number, number] } {
    const l = this.plan[i];
    if (!l) throw new RangeError(`model: no layer ${i} (the model has ${this.plan.length})`);
    this.readGrads.add(i);
    return { type: l.spec.type, out: l.outPtr, dout: l.dOutPtr, shape: [...l.outShape] };
  }

  /** Layers whose output or output gradient a caller reads (layerOutput): never fused away. */
  private readonly readGrads = new Set<number>();

  /** Whether layers i, i + 1, i + 2 are conv, ReLU, max-pool run by the forward as one kernel
   *  (conv2d_relu_maxpool_forward: the same bits, neither the conv's nor the ReLU's output written):
   *  unless a caller reads one of those two outputs (layerOutput). The backward of such a group always
   *  takes the fused max-pool + ReLU pass (i + 2 > 1), which needs neither. */
  private fusedAt(i: number): boolean {
    const p = this.plan;
    return (
      p[i].spec.type === "conv" &&
      p[i + 1]?.spec.type === "relu" &&
      p[i + 2]?.spec.type === "maxpool" &&
      !this.readGrads.has(i) &&
      !this.readGrads.has(i + 1)
    );
  }

  private wPtr(l: PlanLayer, region = this.params): number {
    return region + l.wOff * 4;
  }

  private bPtr(l: PlanLayer, region = this.params): number {
    return region + l.bOff * 4;
  }

  zeroGrads(): void {
    this.core.exports.zero(this.grads, this.paramLength * 4);
  }

  /** Mean cross-entropy of the first n images against `labels` (i32: by default the model's own
   *  buffer, filled by the caller, or n labels resident at `labels`), with probabilities in `probs`,
   *  and d loss / d logits in `dlogits` when wantGrad. */
  loss(n: number, wantGrad: boolean, labels: number = this.labels): number {
    const ex = this.core.exports;
    const loss = ex.softmax_xent_forward(this.probs, this.logits, labels, n, this.classes);
    if (wantGrad) {
      ex.zero(this.dlogits, n * this.classes * 4);
      ex.softmax_xent_backward(this.dlogits, this.probs, labels, n, this.classes);
    }
    return loss;
  }

  /** Copy n images (n * inputSize f32, already scaled to [0, 1]) into `input`. */
  setInput(images: Float32Array, n: number): void {
    this.checkN(n);
    if (images.length < n * this.inputSize)
      throw new RangeError(`model: ${images.length} floats given for ${n} images of ${this.inputSize}`);
    this.core.arena.f32(this.input, n * this.inputSize).set(images.subarray(0, n * this.inputSize));
  }

  setLabels(labels: ArrayLike<number>, n: number): void {
    this.checkN(n);
    const v = this.core.arena.i32(this.labels, n);
    for (let i = 0; i < n; i++) {
      // The loss kernels cannot throw: an out-of-range label would give a NaN loss (assembly/loss.ts).
      const y = labels[i];
      if (!(Number.isInteger(y) && y >= 0 && y < this.classes)) {
        throw new RangeError(`model: label ${y} outside 0..${this.classes - 1}`);
      }
      v[i] = y;
    }
  }

  /** A copy of the parameter region (a checkpoint is one contiguous copy). */
  getParams(): Float32Array {
    return this.core.arena.f32(this.params, this.paramLength).slice();
  }

  setParams(values: Float32Array): void {
    if (values.length !== this.paramLength)
      throw new RangeError(`model: parameter vector has ${values.length} floats, this model needs ${this.paramLength}`);
    this.core.arena.f32(this.params, this.paramLength).set(values);
  }

  private checkN(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > this.capacity)
      throw new RangeError(`model: batch of ${n} images outside 1..${this.capacity}`);
  }
}
