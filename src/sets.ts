// The study's training sets: names, display labels and stream ids, in one module with no imports, so
// data (augmentation), report (tables, figures) and web (the page) all read the same list.

/** The augmentations, in the poster's order (Figure 1's columns after the originals). */
export const AUGMENTATIONS = ["scaling", "crop", "erasing", "distortion", "blur"] as const;
export type AugName = (typeof AUGMENTATIONS)[number];
export type SetName = AugName | "orig";

/** Training sets in display order: the originals first, then the augmentations. */
export const SET_ORDER = ["orig", ...AUGMENTATIONS] as const;

/** The set every saliency map is compared against. */
export const BASELINE_SET = "orig";

/** Labels for tables, figures and the page (the poster's names). */
export const SET_LABELS: Readonly<Record<SetName, string>> = {
  orig: "Orig",
  scaling: "Scaling",
  crop: "RandCrop",
  erasing: "Erasing",
  distortion: "Distortion",
  blur: "Blur",
};

/** Stream ids of the augmentations (the `a` of (seed, AUGMENT, a, image, copy)); fixed forever,
 *  never derived from list order, so a new augmentation gets a new id and old draws stay. */
export const AUG_IDS: Readonly<Record<AugName, number>> = {
  scaling: 1,
  crop: 2,
  erasing: 3,
  distortion: 4,
  blur: 5,
};

export function isAugName(a: string): a is AugName {
  return (AUGMENTATIONS as readonly string[]).includes(a);
}

/** Display label of a set id; an unknown id is shown as given. */
/** The controls' names in text (models trained beside the sets, not sets of their own). */
const CONTROL_LABELS: Readonly<Record<string, string>> = {
  repeat: "Repeat",
  reorder: "Orig, reorder floor",
  retrain: "Orig, retrain floor",
};

export function setLabel(set: string): string {
  return (SET_LABELS as Record<string, string>)[set] ?? CONTROL_LABELS[set] ?? set;
}
