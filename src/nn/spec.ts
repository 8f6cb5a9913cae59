// Model specifications: a short list of layers, and the presets of the study.
export type LayerSpec =
  | { type: "conv"; out: number; k: number; pad: number }
  | { type: "relu" }
  | { type: "maxpool" }
  | { type: "linear"; out: number };

export interface ModelSpec {
  /** Input (C, H, W). */
  input: [number, number, number];
  layers: LayerSpec[];
}

/** The architectures a study can use (--arch). Both are "2 conv layers + linear + softmax", as the poster. */
export const PRESETS: Record<string, ModelSpec> = {
  /** The PyTorch MNIST tutorial CNN: 2 x (conv 5x5 pad 2, ReLU, maxpool 2) + linear. The default. */
  tutorial: {
    input: [1, 28, 28],
    layers: [
      { type: "conv", out: 16, k: 5, pad: 2 },
      { type: "relu" },
      { type: "maxpool" },
      { type: "conv", out: 32, k: 5, pad: 2 },
      { type: "relu" },
      { type: "maxpool" },
      { type: "linear", out: 10 },
    ],
  },
  /** CS231n's "two-layer convnet" style: no pooling, so saliency keeps full resolution. */
  cs231n: {
    input: [1, 28, 28],
    layers: [
      { type: "conv", out: 32, k: 5, pad: 2 },
      { type: "relu" },
      { type: "conv", out: 16, k: 3, pad: 1 },
      { type: "relu" },
      { type: "linear", out: 10 },
    ],
  },
};

/** Parse "conv16k5p2,relu,maxpool,linear10" style specs, or a preset name. */
export function parseSpec(text: string, input: [number, number, number] = [1, 28, 28]): ModelSpec {
  const preset = PRESETS[text];
  if (preset) return preset;
  const layers: LayerSpec[] = text.split(",").map((tok) => {
    const t = tok.trim();
    let m: RegExpMatchArray | null;
    if ((m = t.match(/^conv(\d+)k(\d+)p(\d+)$/))) return { type: "conv", out: +m[1], k: +m[2], pad: +m[3] };
    if (t === "relu") return { type: "relu" };
    if (t === "maxpool") return { type: "maxpool" };
    if ((m = t.match(/^linear(\d+)$/))) return { type: "linear", out: +m[1] };
    throw new RangeError(
      `unknown architecture '${text}': use a preset (${Object.keys(PRESETS).join(", ")}) or layers like ` +
        `conv16k5p2,relu,maxpool,linear10 (bad layer '${t}')`,
    );
  });
  return { input, layers };
}

/** Number of classes a spec predicts: the width of its last layer, which must be linear (else NaN). */
export function specClasses(spec: ModelSpec): number {
  const last = spec.layers[spec.layers.length - 1];
  return last?.type === "linear" ? last.out : NaN;
}
