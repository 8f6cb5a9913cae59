// A dataset as plain arrays, and the checks that make one from parsed IDX images and labels. No file
// access here: src/node/datasets.ts finds and reads the files ("mnist", "fashion", "idx:DIR").
import type { IdxImages, IdxLabels } from "./idx.js";

export interface DataSplit {
  /** (count, rows, cols) unsigned bytes. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  /** Display name: "MNIST", "Fashion-MNIST" or the directory of an idx: spec. */
  name: string;
  /** The spec it was loaded from. */
  spec: string;
  rows: number;
  cols: number;
  /** Number of classes: one more than the largest label of either split (labels are 0..classes-1). */
  classes: number;
  train: DataSplit;
  test: DataSplit;
  /** The four files read. */
  files: IdxFiles;
}

export interface IdxFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/** A dataset that cannot be found or read; the message says what to do. */
export class DatasetError extends Error {
  override name = "DatasetError";
}

/** One more than the largest label (0 for no labels). */
export function classCount(...labels: Uint8Array[]): number {
  let max = -1;
  for (const l of labels) for (let i = 0; i < l.length; i++) if (l[i] > max) max = l[i];
  return max + 1;
}

/** A dataset from its parsed splits; the image sizes of train and test must agree. */
export function assembleDataset(
  name: string,
  spec: string,
  files: IdxFiles,
  train: IdxImages & IdxLabels,
  test: IdxImages & IdxLabels,
): Dataset {
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DatasetError(
      `${spec}: training images are ${train.rows} x ${train.cols} (${files.trainImages}) but test images are ` +
        `${test.rows} x ${test.cols} (${files.testImages})`,
    );
  }
  return {
    name,
    spec,
    rows: train.rows,
    cols: train.cols,
    classes: classCount(train.labels, test.labels),
    train: { images: train.images, labels: train.labels, count: train.count },
    test: { images: test.images, labels: test.labels, count: test.count },
    files,
  };
}
