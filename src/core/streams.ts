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
  // Attribution and its trust tests (src/explain/), numbered from 20 so other purposes added in
  // parallel keep the small numbers.
  /** (seed, SMOOTHGRAD, image id, 0, 0): the noise of all SmoothGrad samples of one image. */
  SMOOTHGRAD: 20,
  /** (seed, RANDOMISE, layer index, 0, 0): the re-initialised weights of a sanity check. */
  RANDOMISE: 21,
  /** (seed, DELETION_ORDER, image id, 0, 0): the random pixel order of the deletion/insertion baseline. */
  DELETION_ORDER: 22,
  /** (seed, EQUIVARIANCE, augmentation id, image id, 0): the transform applied to an image and its map. */
  EQUIVARIANCE: 23,
  /** (seed, LABEL_PERMUTATION, 0, 0, 0): the permuted labels of the data-randomisation model. */
  LABEL_PERMUTATION: 24,
  /** Synthetic data: the test suite's and the benchmarks' (src/bench/). */
  TEST: 0x7e57,
} as const;
