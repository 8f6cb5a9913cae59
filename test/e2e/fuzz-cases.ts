// Seeded generation of hostile command lines and damaged run folders for the fuzz test (and for a
// longer probe: AUGSAL_FUZZ_CASES). Each case says what it expects: "refused" (exit 2, or the lock
// code, with a message naming its culprit: the flag, the folder or the file) or "either" (exit 0 is
// also right, e.g. a resume that repairs what it owns). Every draw comes from the core's seeded
// generator (assembly/rng.ts), so a failing case is reproduced by its seed and index.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, truncateSync } from "node:fs";
import { join, relative } from "node:path";
import { createHash } from "node:crypto";
import type { Core } from "../helpers.js";

export interface FuzzCase {
  name: string;
  args: string[];
  /** Text the message must contain when the case is refused (a flag, folder or file). */
  culprit?: string;
  expect: "refused" | "either";
  /** The case writes into (or damages a copy of) this folder: prepared before it runs. */
  prepare?: () => void;
  /** A folder that must keep its bytes (a finished run or someone else's files). */
  keep?: string[];
}

/** Draws from the core's generator: stream (seed, purpose 0xF022). */
export class Draw {
  private st: number;
  constructor(
    private core: Core,
    seed: number,
  ) {
    this.st = core.arena.alloc(16);
    core.exports.rng_seed(this.st, seed >>> 0, 0xf022, 0, 0, 0);
  }
  below(n: number): number {
    return n <= 1 ? 0 : this.core.exports.rng_below(this.st, n) >>> 0;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)];
  }
}

/** SHA-256 of every file under dir (relative path → hash): "the bytes of a run". */
export function treeHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

export function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.name.startsWith(".augsal.lock")) continue;
    if (e.isDirectory()) copyTree(join(from, e.name), join(to, e.name));
    else copyFileSync(join(from, e.name), join(to, e.name));
  }
}

/** A stack trace in a process's output: "    at f (file.js:1:2)" or "    at file.js:1:2". */
export const STACK_RE = /^\s+at .*(:\d+:\d+\)?|\(node:[^)]*\))$/m;

export interface Env {
  tmp: string;
  /** The tiny configuration's flags (data, sizes), without --out. */
  tiny: string[];
  /** A finished run of `tiny` that no case may change. */
  run: string;
  /** Someone else's folder (a thesis) that no case may change. */
  foreign: string;
  /** A regular file. */
  file: string;
  /** IDX data folders: 32x32 images, and 3 classes. */
  data32: string;
  data3: string;
}

const NUMERIC_BAD: Record<string, string[]> = {
  epochs: ["", "-1", "0", "1.5", "abc", "1e3x", "NaN", "100001", " ", "0x10", "+-2"],
  steps: ["", "-3", "0", "2.5", "many", "100001"],
  batch: ["", "-1", "1.5", "x", "100001"],
  seed: ["", "-1", "1.5", "seed", "4294967295"],
  runs: ["", "0", "-1", "101", "two"],
  copies: ["", "-1", "1001", "1.5", "lots"],
  "train-per-class": ["", "0", "-2", "5001", "ten"],
  "val-per-class": ["", "0", "-2", "5001", "x"],
  queries: ["", "0", "-1", "1001", "all"],
  workers: ["", "0", "-1", "65", "all"],
  lr: ["", "-1", "0", "abc", "Infinity", "1e999", "NaN"],
};

const ENUM_BAD: Record<string, string[]> = {
  optimizer: ["", "adamw", "SGD", "adam,sgd"],
  "crop-mode": ["", "random", "Pad"],
  target: ["", "true", "Label"],
  score: ["", "prob", "logits"],
  scale: ["", "global", "per_map"],
  data: ["", "mnist2", "idx:", "idx:/nonexistent/augsal-data", "MNIST"],
  arch: [
    "",
    "relu",
    "conv4k99p0,relu,linear10",
    "maxpool,maxpool,maxpool,maxpool,maxpool,linear10",
    "conv8k5p2,relu,linear5",
    "conv",
    "tutorial,relu",
    "linear0",
  ],
  aug: ["", "orig", "blur,blur", "blurr", ",", "orig,orig", "crop,,crop"],
  strength: ["", "crop=4", "blur", "blur=", "blur=-1", "blur=abc", "scaling=0.3,blur=1.5=2", "orig=1"],
};

/** The cases of one fuzz run: `n` command lines and damaged folders drawn from `seed`. */
export function generateCases(core: Core, seed: number, n: number, env: Env): FuzzCase[] {
  const d = new Draw(core, seed);
  const cases: FuzzCase[] = [];
  let k = 0;
  const fresh = () => join(env.tmp, `case-${seed}-${k++}`);
  // The tiny configuration with `args` in place of its own values of the same flags.
  const withOut = (args: string[], out = fresh()) => {
    const names = new Set(args.filter((a) => a.startsWith("--")));
    const tiny = env.tiny.filter((a, i, all) => !names.has(a) && !names.has(all[i - 1]));
    return [...tiny, ...args, "--out", out];
  };
  const keep = [env.run, env.foreign];
  // augment reads only what Figure 1 depends on: the tiny configuration's data and split flags.
  const AUGMENT = new Set([
    "--data",
    "--seed",
    "--strength",
    "--crop-mode",
    "--train-per-class",
    "--val-per-class",
    "--force",
  ]);
  const forCommand = (cmd: string, args: string[]) =>
    cmd !== "augment"
      ? args
      : args.filter((a, i, all) =>
          a.startsWith("--") ? AUGMENT.has(a) || a === "--out" : AUGMENT.has(all[i - 1]) || all[i - 1] === "--out",
        );
  const add = (c: Omit<FuzzCase, "keep"> & { keep?: string[] }) => cases.push({ keep, ...c });

  const generators: (() => void)[] = [
    // a bad value of a numeric flag
    () => {
      const flag = d.pick(Object.keys(NUMERIC_BAD));
      const v = d.pick(NUMERIC_BAD[flag]);
      add({ name: `--${flag} '${v}'`, args: withOut([`--${flag}`, v]), culprit: `--${flag}`, expect: "refused" });
    },
    // a bad value of a named flag
    () => {
      const flag = d.pick(Object.keys(ENUM_BAD));
      const v = d.pick(ENUM_BAD[flag]);
      const args = withOut([`--${flag}`, v]);
      add({ name: `--${flag} '${v}'`, args, culprit: `--${flag}`, expect: "refused" });
    },
    // a flag given twice (even with the same value)
    () => {
      const flag = d.pick(["epochs", "seed", "aug", "out", "lr", "strength", "force"]);
      const v = { epochs: "1", seed: "0", aug: "blur", out: fresh(), lr: "0.001", strength: "blur=1.5", force: "" }[
        flag
      ]!;
      const twice = v ? [`--${flag}`, v, `--${flag}`, v] : [`--${flag}`, `--${flag}`];
      const base = flag === "out" ? env.tiny : withOut([]);
      add({ name: `--${flag} twice`, args: [...base, ...twice], culprit: `--${flag}`, expect: "refused" });
    },
    // unknown flags and commands
    () => {
      const bad = d.pick([
        ["--epoch", "2"],
        ["--foo"],
        ["-e", "3"],
        ["--Epochs", "1"],
        ["frobnicate"],
        ["study", "extra"],
        ["--"],
      ]);
      const culprit = bad[0] === "study" ? "extra" : bad[0];
      add({ name: `unknown ${bad.join(" ")}`, args: [...bad, ...withOut([])], culprit, expect: "refused" });
    },
    // flags the command ignores
    () => {
      const [cmd, flag, v] = d.pick([
        ["saliency", "--target", "predicted"],
        ["saliency", "--epochs", "3"],
        ["report", "--seed", "4"],
        ["report", "--aug", "crop"],
        ["study", "--json", ""],
        ["study", "--quick", ""],
        ["augment", "--epochs", "2"],
        ["augment", "--json", ""],
        ["train", "--scale", "per-map"],
        ["bench", "--epochs", "2"],
        ["bench", "--out", env.run],
      ] as const);
      const args =
        cmd === "saliency" || cmd === "report"
          ? [cmd, "--out", env.run]
          : cmd === "bench"
            ? [cmd]
            : [cmd, ...withOut([])];
      add({ name: `${cmd} ${flag}`, args: [...args, flag, ...(v ? [v] : [])], culprit: flag, expect: "refused" });
    },
    // --strength for an augmentation not studied
    () => {
      const a = d.pick(["scaling", "crop", "erasing", "distortion"]);
      add({
        name: `--strength ${a} with --aug blur`,
        args: withOut(["--strength", `${a}=0.2`]),
        culprit: "--strength",
        expect: "refused",
      });
    },
    // sizes that only fail during training today
    () => {
      const [flags, culprit] = d.pick([
        [["--batch", "1000"], "--batch"],
        [["--steps", "1000"], "--steps"],
        [["--queries", "1000"], "--queries"],
        [["--copies", "1000", "--train-per-class", "5000"], "--train-per-class"],
        [["--val-per-class", "5000"], "--val-per-class"],
        [["--queries", "500"], "--queries"],
        [["--lr", "1e12", "--no-noise-floor", "--epochs", "1"], "--lr"],
      ] as const);
      const expect = culprit === "--lr" ? "either" : "refused";
      add({ name: `sizes ${flags.join(" ")}`, args: withOut([...flags]), culprit, expect });
    },
    // the data does not fit the architecture or the figures
    () => {
      const [data, culprit, arch] = d.pick([
        [`idx:${env.data32}`, "--arch", "tutorial"],
        [`idx:${env.data3}`, "--arch", "conv4k5p2,relu,maxpool,linear2"],
        [`idx:${env.file}`, "--data", "tutorial"],
      ] as const);
      add({
        name: `--data ${data} --arch ${arch}`,
        args: withOut(["--data", data, "--arch", arch]),
        culprit,
        expect: "refused",
      });
    },
    // --out that cannot be a run folder
    () => {
      const [out, why] = d.pick([
        [env.file, "a file"],
        [join(env.file, "sub"), "under a file"],
        [join(env.tmp, "x".repeat(300)), "too long"],
        [join(env.tmp, ...Array.from({ length: 40 }, () => "y".repeat(120))), "path too long"],
        ["/proc/augsal-run", "/proc"],
      ] as const);
      add({ name: `--out ${why}`, args: withOut([], out), culprit: "--out", expect: "refused" });
    },
    // someone else's folder, with and without --force, by study, train and augment
    () => {
      const cmd = d.pick(["study", "train", "augment"]);
      const force = d.below(2) ? ["--force"] : [];
      add({
        name: `${cmd} into a foreign folder ${force.join("")}`,
        args: [cmd, ...forCommand(cmd, withOut(force, env.foreign))],
        culprit: env.foreign,
        expect: "refused",
      });
    },
    // the finished run, with another configuration (without --force), or --force with a value that fails later
    () => {
      const [extra, culprit] = d.pick([
        [["--epochs", "2"], env.run],
        [["--seed", "3"], env.run],
        [["--strength", "blur=2"], env.run],
        [["--aug", "crop"], env.run],
        [["--force", "--batch", "1000"], "--batch"],
        [["--force", "--arch", "relu"], "--arch"],
        [["--force", "--queries", "1000"], "--queries"],
        [["--force", "--strength", "crop=4"], "--strength"],
      ] as const);
      const cmd =
        extra[0] === "--force" || extra[0] === "--epochs" || extra[0] === "--aug"
          ? d.pick(["study", "train"])
          : d.pick(["study", "train", "augment"]);
      add({
        name: `${cmd} over the finished run ${extra.join(" ")}`,
        args: [cmd, ...forCommand(cmd, withOut([...extra], env.run))],
        culprit,
        expect: "refused",
      });
    },
    // a damaged copy of the finished run, read back by report, saliency or a resume
    () => {
      const copy = fresh();
      const files = Object.keys(treeHash(env.run)).filter((f) => !f.startsWith(".augsal"));
      const file = d.pick(files);
      const isJson = file.endsWith(".json");
      const kinds = isJson
        ? ["truncate", "flip", "empty", "null", "{}", "[]", "wrong-type", "out-of-range", "delete"]
        : ["truncate", "flip", "empty", "delete"];
      const kind = d.pick(kinds);
      const cmd = d.pick(["report", "saliency", "study"]);
      const at = d.below(1 << 30);
      add({
        name: `${cmd} on a copy with ${file} ${kind}`,
        args: cmd === "study" ? withOut([], copy) : [cmd, "--out", copy],
        culprit: file.split("/").pop(),
        expect: "either",
        prepare: () => {
          copyTree(env.run, copy);
          damage(join(copy, file), kind, at);
        },
      });
    },
  ];
  while (cases.length < n) d.pick(generators)();
  return cases;
}

/** Damage one file of a run copy. */
export function damage(path: string, kind: string, at: number): void {
  const bytes = readFileSync(path);
  switch (kind) {
    case "truncate":
      truncateSync(path, Math.floor(bytes.length / 2));
      break;
    case "flip": {
      const b = Buffer.from(bytes);
      if (b.length) b[at % b.length] ^= 1 << (at % 8);
      writeFileSync(path, b);
      break;
    }
    case "empty":
      writeFileSync(path, "");
      break;
    case "delete":
      rmSync(path);
      break;
    case "null":
    case "{}":
    case "[]":
      writeFileSync(path, kind + "\n");
      break;
    case "wrong-type":
    case "out-of-range": {
      const v = JSON.parse(bytes.toString("utf8"));
      const edit = (o: unknown, depth: number): boolean => {
        if (Array.isArray(o)) return o.length > 0 && edit(o[at % o.length], depth + 1);
        if (o && typeof o === "object") {
          const keys = Object.keys(o);
          if (!keys.length) return false;
          const key = keys[at % keys.length];
          const val = (o as Record<string, unknown>)[key];
          if (val && typeof val === "object" && depth < 4 && edit(val, depth + 1)) return true;
          (o as Record<string, unknown>)[key] =
            kind === "wrong-type" ? (typeof val === "string" ? 7 : "seven") : typeof val === "number" ? 1e9 : -1;
          return true;
        }
        return false;
      };
      edit(v, 0);
      writeFileSync(path, JSON.stringify(v, null, 2) + "\n");
      break;
    }
  }
}
