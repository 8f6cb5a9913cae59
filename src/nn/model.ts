// A sequential CNN over the wasm core (convnetjs' net.js contract, llm.c's one-arena layout).
//
// Memory, all in the core's arena and allocated once for a batch capacity:
//   params | grads         equal-length flat regions at matching offsets (the optimizer adds m | v)
//   input, act[i], dact[i] activations and their gradients for `capacity` images, NCHW
//   ws                     one scratch region, the largest any layer needs
// forward(n) and backward(n) run on the first n <= capacity images already in `input`.
import type { Core } from "../core/load.js";
import {
  convOutShape, poolOutShape, numel, conv2dForward, conv2dBackward, linearForward, linearBackward, reluForward, reluBackward,
  maxpool2dForward, maxpool2dBackward, type Tensor,
} from "../core/ops.js";
import { Stream } from "../core/streams.js";
import type { LayerSpec, ModelSpec } from "./spec.js";

/** Floats per parameter tensor are padded to a multiple of this (64 bytes: SIMD- and cache-aligned). */
const PAD_FLOATS = 16;
const padTo = (n: number) => Math.ceil(n / PAD_FLOATS) * PAD_FLOATS;

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
  private readonly rngState: number;

  constructor(readonly core: Core, spec: ModelSpec, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`model: batch capacity must be a positive integer, got ${capacity}`);
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
      let wCount = 0, bCount = 0, fanIn = 0;
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
      if (outShape.some((d) => !(d >= 1))) throw new RangeError(`model: layer ${i} (${l.type}) produces an empty output`);
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
    if (!last || last.type !== "linear") throw new RangeError("model: the last layer must be linear (it gives the logits)");
    this.classes = shape[0];
    this.inputSize = numel(spec.input);
    this.paramLength = off;

    // 2. Memory.
    this.params = arena.allocF32(off);
    this.grads = arena.allocF32(off);
    this.rngState = arena.alloc(16);
    this.ws = arena.alloc(wsBytes);
    this.input = arena.allocF32(capacity * this.inputSize);
    this.dinput = arena.allocF32(capacity * this.inputSize);
    let inPtr = this.input;
    let dInPtr = this.dinput;
    for (const l of layers) {
      const outN = capacity * numel(l.outShape);
      const outPtr = arena.allocF32(outN);
      const dOutPtr = arena.allocF32(outN);
      const argmax = l.spec.type === "maxpool" ? arena.allocI32(outN) : 0;
      this.plan.push({ ...l, inPtr, outPtr, dInPtr, dOutPtr, argmax });
      inPtr = outPtr;
      dInPtr = dOutPtr;
    }
    this.logits = inPtr;
    this.dlogits = dInPtr;
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

  /** Where the last forward read its images (backward differentiates with respect to them). */
  private fedFrom = 0;

  /** Forward n images, by default the first n of `input`, or n images already resident in wasm
   *  memory at `from` (n * inputSize f32: no copy); returns the logits pointer ((n, classes) f32). */
  forward(n: number, from: number = this.input): number {
    this.checkN(n);
    this.fedFrom = from;
    const t = (ptr: number, shape: readonly number[]): Tensor => ({ ptr, shape });
    for (const [i, l] of this.plan.entries()) {
      const inp = t(i === 0 ? from : l.inPtr, [n, ...l.inShape]);
      const out = t(l.outPtr, [n, ...l.outShape]);
      switch (l.spec.type) {
        case "conv":
          conv2dForward(this.core, out, inp, this.weight(l), this.bias(l), l.spec.pad, this.ws);
          break;
        case "relu":
          reluForward(this.core, out, inp);
          break;
        case "maxpool":
          maxpool2dForward(this.core, out, t(l.argmax, out.shape), inp);
          break;
        case "linear":
          linearForward(this.core, t(l.outPtr, [n, l.outShape[0]]), inp, this.weight(l), this.bias(l), this.ws);
          break;
      }
    }
    return this.logits;
  }

  /**
   * Backward from `dlogits` (already filled for the first n images) through every layer.
   * Parameter gradients are ADDED into `grads` (zero them once per step: zeroGrads) unless
   * paramGrads is false; the gradient with respect to the input lands in `dinput` when inputGrad.
   */
  backward(n: number, opts: { inputGrad?: boolean; paramGrads?: boolean } = {}): void {
    this.checkN(n);
    const inputGrad = opts.inputGrad ?? false;
    const paramGrads = opts.paramGrads ?? true;
    const ex = this.core.exports;
    const t = (ptr: number, shape: readonly number[]): Tensor => ({ ptr, shape });
    for (let i = this.plan.length - 1; i >= 0; i--) {
      const l = this.plan[i];
      const inShape = [n, ...l.inShape];
      const inp = t(i === 0 ? this.fedFrom : l.inPtr, inShape);
      const dIn = i === 0 && !inputGrad ? null : t(l.dInPtr, inShape);
      if (dIn) ex.zero(dIn.ptr, numel(inShape) * 4);
      const dOut = t(l.dOutPtr, l.spec.type === "linear" ? [n, l.outShape[0]] : [n, ...l.outShape]);
      const dW = paramGrads && l.wOff >= 0 ? this.weight(l, this.grads) : null;
      const dB = paramGrads && l.bOff >= 0 ? this.bias(l, this.grads) : null;
      switch (l.spec.type) {
        case "conv":
          conv2dBackward(this.core, dIn, dW, dB, dOut, inp, this.weight(l), l.spec.pad, this.ws);
          break;
        case "relu":
          if (dIn) reluBackward(this.core, dIn, dOut, t(l.outPtr, dOut.shape));
          break;
        case "maxpool":
          if (dIn) maxpool2dBackward(this.core, dIn, dOut, t(l.argmax, dOut.shape));
          break;
        case "linear":
          linearBackward(this.core, dIn, dW, dB, dOut, inp, this.weight(l), this.ws);
          break;
      }
    }
  }

  /** Layer i's output for the first images of the last forward, and its gradient after a backward
   *  (d of what was backpropagated with respect to that output): pointers to (n, C, H, W) f32 and the
   *  per-image shape. For methods that look inside the network (Grad-CAM, src/explain/gradcam.ts). */
  layerOutput(i: number): { type: LayerSpec["type"]; out: number; dout: number; shape: [number, number, number] } {
    const l = this.plan[i];
    if (!l) throw new RangeError(`model: no layer ${i} (the model has ${this.plan.length})`);
    return { type: l.spec.type, out: l.outPtr, dout: l.dOutPtr, shape: [...l.outShape] };
  }

  /** The weight (or, with region = grads, its gradient) of a layer as a tensor. */
  private weight(l: PlanLayer, region = this.params): Tensor {
    return { ptr: region + l.wOff * 4, shape: l.wShape };
  }

  private bias(l: PlanLayer, region = this.params): Tensor {
    return { ptr: region + l.bOff * 4, shape: [l.bCount] };
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
    if (images.length < n * this.inputSize) throw new RangeError(`model: ${images.length} floats given for ${n} images of ${this.inputSize}`);
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
    if (values.length !== this.paramLength) throw new RangeError(`model: parameter vector has ${values.length} floats, this model needs ${this.paramLength}`);
    this.core.arena.f32(this.params, this.paramLength).set(values);
  }

  private checkN(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > this.capacity) throw new RangeError(`model: batch of ${n} images outside 1..${this.capacity}`);
  }
}
