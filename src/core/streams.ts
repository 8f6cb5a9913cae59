// Purposes of the generator's named streams (assembly/rng.ts: rng_seed(state, seed, purpose, a, b, c)).
// A draw is named by what it is for, so adding a set or changing the worker count changes nothing else.
export const Stream = {
  /** (seed, INIT, layer index, 0, 0): initial weights, shared by every model of one seed. */
  INIT: 1,
  /** (seed, SHUFFLE, epoch, set size, 0): the data order of one epoch. */
  SHUFFLE: 2,
  /** (seed, AUGMENT, augmentation id, image's index in the source data, copy): one augmented copy. */
  AUGMENT: 3,
  /** (seed, SPLIT, class, 0, 0): the class-balanced choice of training and validation images. */
  SPLIT: 4,
  /** (seed, QUERY, class, 0, 0): the query images drawn from the test set. */
  QUERY: 5,
  /** (seed, FIGURE, 0, 0, 0): which originals Figure 1 shows. */
  FIGURE: 6,
  /** Synthetic data: the test suite's and the benchmarks' (src/bench/). */
  TEST: 0x7e57,
} as const;
