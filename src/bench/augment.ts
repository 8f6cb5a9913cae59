// Augmentation cases on 28 x 28 images: each augmentation as the study applies it (data/augment.ts's
// Augmenter: one call per image from its own named stream, default strength), then the SIMD batch
// kernels beside their scalar twins at fixed parameters. Each case processes all `n` images once.
// The images are synthetic (uniform [0, 1)): no kernel's work depends on the pixel values.
import type { Core } from "../core/load.js";
import { AUGMENTATIONS, Augmenter, type AugName, type AugOptions } from "../data/augment.js";
import { fill } from "./kernels.js";
import type { BenchCase } from "./timing.js";

const H = 28,
  W = 28,
  PIX = H * W;

/** [title, cases] groups: keys augment_<augmentation> (and augment_crop_resize, the resized-crop
 *  variant of crop), then aug_scale, aug_resized_crop, aug_blur, aug_elastic and their _ref twins. */
export function augmentCases(core: Core, opts: { images?: number; noTwins?: boolean } = {}): [string, BenchCase[]][] {
  const n = opts.images ?? 100;
  const ex = core.exports,
    a = core.arena;
  const inp = fill(core, n * PIX, 21, 0, 1);
  const out = a.alloc(n * PIX * 4);
  const noise = fill(core, 2 * PIX, 22);
  const wsKernels = a.alloc(
    Math.max(
      ex.aug_scale_ws_bytes(H, W),
      ex.aug_resized_crop_ws_bytes(H, W),
      ex.aug_elastic_ws_bytes(H, W, 4),
      ex.aug_blur_ws_bytes(H, W, 1.5),
    ),
  );

  const perImage = (key: string, aug: AugName, augOpts: AugOptions = {}): BenchCase => {
    const augmenter = new Augmenter(core, aug, H, W, undefined, augOpts);
    const what = augOpts.crop === "resize" ? `${aug} (resize)` : aug;
    return {
      key,
      label: `${what}, ${n} images one by one`,
      flops: 0,
      images: n,
      run: () => {
        for (let k = 0; k < n; k++) augmenter.apply(out + k * PIX * 4, inp + k * PIX * 4, 0, k, 0);
      },
    };
  };
  const study = AUGMENTATIONS.map((aug) => perImage(`augment_${aug}`, aug));
  study.splice(AUGMENTATIONS.indexOf("crop") + 1, 0, perImage("augment_crop_resize", "crop", { crop: "resize" }));

  type Call = (out: number, inp: number, images: number) => void;
  const kernels: BenchCase[] = [];
  /** A kernel and its twin; a batch kernel takes all n images in one call, a per-image one (aug_elastic:
   *  its displacement field is per call) runs n calls of one image. */
  const add = (key: string, label: string, perImage: boolean, fast: Call, twin: Call) => {
    const all = (f: Call) =>
      perImage
        ? () => {
            for (let k = 0; k < n; k++) f(out + k * PIX * 4, inp + k * PIX * 4, 1);
          }
        : () => f(out, inp, n);
    kernels.push({ key, label: `${key} ${label}`, flops: 0, images: n, run: all(fast) });
    if (!opts.noTwins)
      kernels.push({
        key: `${key}_ref`,
        label: `${key}_ref ${label}`,
        flops: 0,
        images: n,
        twin: true,
        run: all(twin),
      });
  };
  add(
    "aug_scale",
    "factor 1.2",
    false,
    (o, x, m) => ex.aug_scale(o, x, m, H, W, 1.2, wsKernels),
    (o, x, m) => ex.aug_scale_ref(o, x, m, H, W, 1.2, wsKernels),
  );
  add(
    "aug_resized_crop",
    "20 x 22 at (3, 4)",
    false,
    (o, x, m) => ex.aug_resized_crop(o, x, m, H, W, 3, 4, 20, 22, wsKernels),
    (o, x, m) => ex.aug_resized_crop_ref(o, x, m, H, W, 3, 4, 20, 22, wsKernels),
  );
  add(
    "aug_blur",
    "sigma 1.5",
    false,
    (o, x, m) => ex.aug_blur(o, x, m, H, W, 1.5, wsKernels),
    (o, x, m) => ex.aug_blur_ref(o, x, m, H, W, 1.5, wsKernels),
  );
  add(
    "aug_elastic",
    "alpha 24 sigma 4, per image",
    true,
    (o, x, m) => ex.aug_elastic(o, x, m, H, W, noise, 24, 4, wsKernels),
    (o, x, m) => ex.aug_elastic_ref(o, x, m, H, W, noise, 24, 4, wsKernels),
  );
  return [
    [`augmentations as the study applies them (${n} images of 28 x 28, default strengths)`, study],
    [`augmentation kernels beside their scalar twins (${n} images)`, kernels],
  ];
}
