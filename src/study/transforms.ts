// The study's augmentations as map transforms for the equivariance test (explain/trust/equivariance.ts),
// which takes transforms as functions because explain may not use the data layer. Each image's
// parameters come from the stream (seed, EQUIVARIANCE, augmentation id, image id, 0): Augmenter.apply
// reseeds on every call, so applying the transform to the image and then to its map uses the very same
// zoom, offset or displacement field. Erasing also says which pixels it left alone (an all-ones image
// erased with the same draws).
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";
import { AUGMENTATIONS, Augmenter, type AugName, type AugOptions } from "../data/augment.js";
import type { MapTransform } from "../explain/trust/equivariance.js";

export const GEOMETRIC: readonly AugName[] = ["scaling", "crop", "distortion"];

export interface TransformOptions {
  seed: number;
  /** Per image, the number naming its stream (the study: the query's index in the test set). */
  ids: ArrayLike<number>;
  strength?: Partial<Record<AugName, number>>;
  crop?: AugOptions["crop"];
  augs?: readonly AugName[];
}

/** The transforms and a release() for their arena scratch (call it after the last use, LIFO). */
export function augmentationTransforms(
  core: Core,
  rows: number,
  cols: number,
  opts: TransformOptions,
): { transforms: MapTransform[]; release(): void } {
  const size = rows * cols;
  const mark = core.arena.mark();
  const src = core.arena.alloc(size * 4);
  const dst = core.arena.alloc(size * 4);
  const transforms = (opts.augs ?? AUGMENTATIONS).map((aug): MapTransform => {
    const a = new Augmenter(core, aug, rows, cols, opts.strength?.[aug], { crop: opts.crop });
    const apply = (plane: Float32Array, i: number) => {
      if (plane.length !== size) throw new RangeError(`${aug}: a plane of ${plane.length} floats, expected ${size}`);
      core.arena.f32(src, size).set(plane);
      a.apply(dst, src, opts.seed, opts.ids[i], 0, Stream.EQUIVARIANCE);
      return core.arena.f32(dst, size).slice();
    };
    const t: MapTransform = { name: aug, kind: GEOMETRIC.includes(aug) ? "equivariance" : "invariance", apply };
    if (aug === "erasing") t.keep = (i) => apply(new Float32Array(size).fill(1), i);
    return t;
  });
  return { transforms, release: () => core.arena.reset(mark) };
}
