// Purposes of the generator's named streams (assembly/rng.ts: rng_seed(state, seed, purpose, a, b, c)).
// A draw is named by what it is for, so adding a set or changing the worker count changes nothing else.
export const Stream = {
  /** (seed, INIT, layer index, variant, 0): initial weights; variant 0 is shared by every model of one
   *  seed under the paired design (see Variant). */
  INIT: 1,
  /** (seed, SHUFFLE, epoch, set size, variant): the data order of one epoch (see Variant). */
  SHUFFLE: 2,
  /** (seed, AUGMENT, augmentation id, image's index in the source data, copy): one augmented copy. */
  AUGMENT: 3,
  /** (seed, SPLIT, class, 0, 0): the class-balanced choice of training and validation images. */
  SPLIT: 4,
  /** (seed, QUERY, class, 0, 0): the query images drawn from the test set. */
  QUERY: 5,
  /** (seed, FIGURE, 0, 0, 0): which originals Figure 1 shows. */
  FIGURE: 6,
  /** (seed, STATS, test id, 0, 0): bootstrap and permutation resamples of one named test (src/stats). */
  STATS: 7,
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

/** The `variant` word of the INIT and SHUFFLE streams: which model of a run draws. Variant 0 is the
 *  paired design's (Orig's initial weights and data order, shared by every set of the run), so adding
 *  a control or a floor never changes the bytes of an existing model. */
export const Variant = {
  /** Orig's, and every set's under shared initialisation. */
  SHARED: 0,
  /** The noise floors' other data order (reorder, retrain) and the retrain floor's own initial weights. */
  FLOOR: 1,
  /** A set's own initial weights and order under independent initialisation: SET_BASE + the set's id. */
  SET_BASE: 16,
} as const;
