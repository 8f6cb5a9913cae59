// The query images of a study: `perClass` test images of each class, drawn from the stream
// (seed, QUERY, class) without replacement, listed class by class, for classes 0..classes-1 (the
// dataset's class count, src/data/datasets.ts).
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";

export function chooseQueries(
  core: Core,
  labels: ArrayLike<number>,
  perClass: number,
  seed: number,
  classes: number,
): number[] {
  const st = core.arena.alloc(16);
  const chosen: number[] = [];
  for (let c = 0; c < classes; c++) {
    const pool: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) pool.push(i);
    if (pool.length < perClass)
      throw new RangeError(`queries: class ${c} has ${pool.length} test images, ${perClass} asked for`);
    core.exports.rng_seed(st, seed, Stream.QUERY, c, 0, 0);
    // Partial Fisher-Yates: the first perClass slots become a uniform sample without replacement.
    for (let k = 0; k < perClass; k++) {
      const j = k + core.exports.rng_below(st, pool.length - k);
      [pool[k], pool[j]] = [pool[j], pool[k]];
      chosen.push(pool[k]);
    }
  }
  return chosen;
}
