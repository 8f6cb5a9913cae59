// The command line's flags: their help, and argv → a validated ParsedCli (or a UsageError naming the
// flag). Every default comes from the study's configuration module (src/study/config.ts).
import { parseArgs } from "node:util";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import {
  METHODS,
  parseMethods,
  type MethodName,
  ARCH_PRESETS,
  AUG_NAMES,
  DEFAULT_CONFIG,
  DEFAULT_STRENGTH,
  OPTIMIZER_DEFAULTS,
  UsageError,
  defaultRunDir,
  parseStrength,
  validateConfig,
  type AugName,
  type OptimizerConfig,
  type StudyConfig,
} from "../study/config.js";
import { VERSION } from "../version.js";
import { STUDY_FLAGS, type StudyFlag } from "../sweep/grid.js";

export const COMMANDS = ["study", "augment", "train", "saliency", "report", "bench", "sweep", "merge", "help"] as const;
export type Command = (typeof COMMANDS)[number];

const D = DEFAULT_CONFIG;
interface FlagSpec {
  type: "string" | "boolean";
  help: string;
  def: string;
}
/** Every flag, in the help's order; a study flag (src/sweep/grid.ts's STUDY_FLAGS) has the type given there. */
const FLAGS = {
  seed: {
    type: "string",
    help: "seed of the split, augmentation, queries and the first training run",
    def: String(D.seed),
  },
  runs: { type: "string", help: "training runs per set (run r uses seed + r)", def: String(D.runs) },
  epochs: { type: "string", help: "epochs per model", def: String(D.epochs) },
  steps: { type: "string", help: "steps per epoch", def: String(D.steps) },
  batch: { type: "string", help: "images per step (0: set size / steps)", def: String(D.batch) },
  optimizer: { type: "string", help: "adam | sgd (momentum 0.9)", def: "adam" },
  lr: { type: "string", help: "learning rate (default 0.001 for adam, 0.01 for sgd)", def: "" },
  arch: {
    type: "string",
    help: `model: ${ARCH_PRESETS.join(" | ")} | layers like conv16k5p2,relu,maxpool,linear10`,
    def: D.arch,
  },
  aug: { type: "string", help: `comma list of ${AUG_NAMES.join(",")} (orig always runs)`, def: D.aug.join(",") },
  copies: { type: "string", help: "augmented copies per original image", def: String(D.copies) },
  strength: {
    type: "string",
    help: "augmentation strengths, e.g. scaling=0.5,blur=3 (README: what each means)",
    def: Object.entries(DEFAULT_STRENGTH)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
  },
  "crop-mode": {
    type: "string",
    help: "crop: pad (RandomCrop, padding 4) | resize (RandomResizedCrop-like, area 0.6-1)",
    def: D.cropMode,
  },
  "train-per-class": { type: "string", help: "training images per class", def: String(D.trainPerClass) },
  "val-per-class": { type: "string", help: "validation images per class", def: String(D.valPerClass) },
  queries: { type: "string", help: "saliency query images per class (from the test set)", def: String(D.queries) },
  target: { type: "string", help: "class each map explains: label | predicted", def: D.target },
  score: { type: "string", help: "score differentiated: logit | softmax", def: D.score },
  "no-noise-floor": { type: "boolean", help: "skip the noise floors (Orig reordered, retrained): no tests", def: "" },
  "no-repeat": { type: "boolean", help: "skip Repeat (the originals repeated to an augmented set's size)", def: "" },
  init: { type: "string", help: "shared (every model of a run starts from Orig's weights) | independent", def: D.init },
  methods: {
    type: "string",
    help: `attribution methods: comma list of ${METHODS.join(",")} | all (vanilla always runs)`,
    def: D.methods.join(","),
  },
  "no-trust": {
    type: "boolean",
    help: "skip the trust tables (sanity checks, localisation, deletion/insertion, equivariance)",
    def: "",
  },
  scale: {
    type: "string",
    help: "Figure 4 scale report.html shows first: shared (one per query) | per-map (Captum's 2% clip); both are written",
    def: "shared",
  },
  workers: {
    type: "string",
    help: "cores the training jobs share (jobs side by side, each on one or more threads)",
    def: `${availableParallelism()} (cores)`,
  },
  threads: {
    type: "string",
    help: "threads per training job at most (bench: threads of every figure)",
    def: "--workers (bench: 1)",
  },
  data: {
    type: "string",
    help: "mnist (bundled) | fashion (apt-get install dataset-fashion-mnist) | idx:DIR",
    def: D.data,
  },
  out: { type: "string", help: "run folder", def: "runs/<data>-<arch>-seed<seed>" },
  force: { type: "boolean", help: "overwrite a run folder that holds another configuration", def: "" },
  shard: {
    type: "string",
    help: "sweep: run slice I of N of the jobs (default: SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX)",
    def: "",
  },
  "dry-run": { type: "boolean", help: "sweep: print jobs, estimated core-hours and disk; write nothing", def: "" },
  // The cluster side of sweep (src/sweep/slurm.ts, docs/cluster.md).
  slurm: { type: "boolean", help: "sweep: write DIR/sweep.sbatch (array job) and DIR/merge.sbatch", def: "" },
  submit: { type: "boolean", help: "sweep --slurm: submit both with sbatch, print and record the job ids", def: "" },
  k8s: { type: "boolean", help: "sweep: write DIR/sweep.k8s.yaml, a Kubernetes Indexed Job", def: "" },
  shards: { type: "string", help: "sweep --slurm/--k8s: array tasks (shards)", def: "one per job, at most 1000" },
  throttle: { type: "string", help: "sweep --slurm/--k8s: tasks running at once at most", def: "min(shards, 32)" },
  json: { type: "boolean", help: "bench: print one JSON object", def: "" },
  quick: { type: "boolean", help: "bench: fewer repetitions", def: "" },
  help: { type: "boolean", help: "show this help", def: "" },
  version: { type: "boolean", help: "print the version", def: "" },
} as const satisfies Record<string, FlagSpec> & { [K in StudyFlag]: FlagSpec & Pick<(typeof STUDY_FLAGS)[K], "type"> };

/** The flags that make up a study's configuration (config.json); the others steer a command. */
export const CONFIG_FLAGS: string[] = Object.keys(STUDY_FLAGS);

/**
 * The flags each command reads: "config" stands for CONFIG_FLAGS. A flag the command would ignore is a
 * usage error (the user meant something by it). --help and --version go with any command.
 */
export const COMMAND_FLAGS: Record<Command, string[]> = {
  study: ["config", "scale", "workers", "threads", "out", "force"],
  train: ["config", "workers", "threads", "out", "force"],
  // Figure 1: five training images of the split and their copies under each augmentation of --aug.
  augment: ["data", "seed", "aug", "strength", "crop-mode", "train-per-class", "val-per-class", "out", "force"],
  saliency: ["out", "scale"],
  report: ["out", "scale"],
  bench: ["json", "quick", "threads"],
  // GRID is the positional argument; configuration flags override the grid file (src/sweep/grid.ts)
  sweep: ["config", "workers", "threads", "out", "shard", "dry-run", "slurm", "submit", "k8s", "shards", "throttle"],
  merge: [],
  help: [],
};

function allowedFlags(command: Command): Set<string> {
  const names = COMMAND_FLAGS[command].flatMap((f) => (f === "config" ? CONFIG_FLAGS : [f]));
  return new Set([...names, "help", "version"]);
}

export function helpText(): string {
  const lines = [
    `augsal ${VERSION}: what data augmentation does to a classifier's saliency maps`,
    "",
    "usage: node dist/cli.js [command] [flags]",
    "",
    "commands:",
    "  study     (default) train the six models, saliency, metrics, figures and report.html",
    "  augment   Figure 1 only: five digits and their augmented copies (figures/figure1.svg, .png)",
    "  train     train the models only (resumable)",
    "  saliency  recompute saliency maps and metrics for an existing run (--out)",
    "  report    re-render tables, figures and report.html from an existing run (--out)",
    "  bench     kernel, augmentation and step throughput here (--json: one JSON object)",
    "  serve     RUN_DIR [--port N]: the browser page over a run (draw a digit, see the six models' maps)",
    "  sweep     GRID --out DIR: the grid's training jobs (--shard I/N: a slice; --dry-run: the estimate)",
    "  merge     DIR: check a sweep folder is complete, then dose-response tables and sweep.html",
    "",
    "flags:",
  ];
  for (const [name, f] of Object.entries(FLAGS)) {
    const left = `  --${name}${f.type === "string" ? " X" : ""}`;
    lines.push(`${left.padEnd(24)}${f.help}${f.def ? ` [default: ${f.def}]` : ""}`);
  }
  return lines.join("\n") + "\n";
}

function int(flag: string, text: string | undefined, def: number): number {
  if (text === undefined) return def;
  if (!/^[+-]?\d+$/.test(text.trim())) throw new UsageError(`--${flag} must be an integer, got '${text}'`);
  return Number(text);
}

/** --methods: the named methods plus vanilla, in the registry's order. */
function methodList(text: string): MethodName[] {
  let named: MethodName[];
  try {
    named = parseMethods(text);
  } catch (e) {
    throw new UsageError(`--methods: ${(e as Error).message}`);
  }
  return METHODS.filter((m) => m === "vanilla" || named.includes(m));
}

function num(flag: string, text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v)) throw new UsageError(`--${flag} must be a number, got '${text}'`);
  return v;
}

export interface ParsedCli {
  command: Command;
  config: StudyConfig;
  out: string;
  workers: number;
  /** --threads, if given. */
  threads: number | undefined;
  scale: "shared" | "per-map";
  force: boolean;
  json: boolean;
  quick: boolean;
  help: boolean;
  version: boolean;
  /** The configuration flags given on the command line (not defaulted). */
  given: string[];
  /** Whether --out was given. */
  outGiven: boolean;
  /** sweep GRID / merge DIR: the argument after the command. */
  target?: string;
  /** The flags given, as text (boolean flags: true): what a sweep's grid file is overridden with. */
  raw: Record<string, string | boolean>;
  /** sweep --shard I/N as given. */
  shard?: string;
  dryRun: boolean;
}

/** argv (without node and the script) → a validated configuration, or a UsageError naming the flag. */
export function parseCli(argv: string[]): ParsedCli {
  // "--epochs -3" is a value, not a flag: join it so the range check can name it.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : "";
    const f = (FLAGS as Record<string, { type: string }>)[name];
    if (f?.type === "string" && i + 1 < argv.length && /^-\.?\d/.test(argv[i + 1])) {
      args.push(`${argv[i]}=${argv[i + 1]}`);
      i++;
    } else {
      args.push(argv[i]);
    }
  }
  // A flag given twice is a usage error: which one did the user mean?
  const seen = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith("--") || args[i] === "--") continue;
    const eq = args[i].indexOf("=");
    const name = args[i].slice(2, eq < 0 ? undefined : eq);
    const f = (FLAGS as Record<string, { type: string }>)[name];
    const value = eq >= 0 ? args[i].slice(eq + 1) : f?.type === "string" ? (args[i + 1] ?? "") : "";
    seen.set(name, [...(seen.get(name) ?? []), value]);
  }
  for (const [name, values] of seen) {
    if (values.length > 1) {
      const shown = values.every((x) => x === "") ? "" : ` (${values.map((x) => `'${x}'`).join(", ")})`;
      throw new UsageError(`--${name} is given ${values.length} times${shown}; give it once`);
    }
  }
  if (args.includes("--")) throw new UsageError("'--' is not a flag: augsal takes a command and --flags");
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(Object.entries(FLAGS).map(([k, f]) => [k, { type: f.type }])) as Record<
        string,
        { type: "string" | "boolean" }
      >,
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const s = (k: string) => v[k] as string | undefined;
  const command = (parsed.positionals[0] ?? "study") as Command;
  if (!COMMANDS.includes(command))
    throw new UsageError(`unknown command '${command}' (commands: ${COMMANDS.join(", ")})`);
  const takesTarget = command === "sweep" || command === "merge";
  if (parsed.positionals.length > (takesTarget ? 2 : 1))
    throw new UsageError(`one command at a time, got: ${parsed.positionals.join(" ")}`);
  const target = takesTarget ? parsed.positionals[1] : undefined;
  if (takesTarget && target === undefined && !v.help && !v.version)
    throw new UsageError(
      command === "sweep" ? "sweep needs a GRID file: sweep GRID --out DIR" : "merge needs the sweep folder: merge DIR",
    );
  // An empty value would silently fall back to the default (--lr ""): refuse it.
  for (const [name, value] of Object.entries(v)) {
    if (typeof value === "string" && value.trim() === "")
      throw new UsageError(`--${name} needs a value, got an empty string`);
  }
  const given = Object.keys(v).filter((k) => v[k] !== undefined);
  if (!v.help && !v.version && command !== "help") {
    const allowed = allowedFlags(command);
    const ignored = given.filter((k) => !allowed.has(k));
    if (ignored.length) {
      const uses = [...allowed].filter((f) => f !== "help" && f !== "version");
      const what =
        command === "saliency" || command === "report" ? " (it reads the configuration from the run folder)" : "";
      throw new UsageError(
        `${command} does not use ${ignored.map((k) => `--${k}`).join(", ")}${what}; ` +
          (uses.length ? `its flags: ${uses.map((f) => `--${f}`).join(" ")}` : "it takes no flags"),
      );
    }
  }

  const optName = s("optimizer") ?? "adam";
  let optimizer: OptimizerConfig;
  if (optName === "adam" || optName === "sgd") optimizer = { ...OPTIMIZER_DEFAULTS[optName] };
  else throw new UsageError(`--optimizer must be 'adam' or 'sgd', got '${optName}'`);
  const lr = num("lr", s("lr"));
  if (lr !== undefined) optimizer = { ...optimizer, lr };

  const augText = s("aug");
  const augParts = augText === undefined ? [...D.aug] : augText.split(",").map((x) => x.trim());
  if (augParts.some((x) => x === ""))
    throw new UsageError(`--aug '${augText}' has an empty name: a comma list like crop,blur`);
  const aug = augParts.filter((x) => x !== "orig");
  for (const a of aug)
    if (!(AUG_NAMES as readonly string[]).includes(a))
      throw new UsageError(`--aug: unknown augmentation '${a}' (choose from ${AUG_NAMES.join(", ")})`);
  if (aug.length === 0)
    throw new UsageError(
      `--aug '${augText}' leaves nothing to compare with orig: name at least one of ${AUG_NAMES.join(", ")}`,
    );

  const config: StudyConfig = {
    data: s("data") ?? D.data,
    seed: int("seed", s("seed"), D.seed),
    runs: int("runs", s("runs"), D.runs),
    epochs: int("epochs", s("epochs"), D.epochs),
    steps: int("steps", s("steps"), D.steps),
    batch: int("batch", s("batch"), D.batch),
    optimizer,
    arch: s("arch") ?? D.arch,
    aug: aug as AugName[],
    copies: int("copies", s("copies"), D.copies),
    strength: s("strength") === undefined ? {} : parseStrength(s("strength")!),
    cropMode: (s("crop-mode") ?? D.cropMode) as StudyConfig["cropMode"],
    trainPerClass: int("train-per-class", s("train-per-class"), D.trainPerClass),
    valPerClass: int("val-per-class", s("val-per-class"), D.valPerClass),
    queries: int("queries", s("queries"), D.queries),
    target: (s("target") ?? D.target) as StudyConfig["target"],
    score: (s("score") ?? D.score) as StudyConfig["score"],
    noiseFloor: !v["no-noise-floor"],
    repeat: !v["no-repeat"],
    init: (s("init") ?? D.init) as StudyConfig["init"],
    methods: s("methods") === undefined ? [...D.methods] : methodList(s("methods")!),
    trust: !v["no-trust"],
  };
  validateConfig(config);
  for (const a of Object.keys(config.strength)) {
    if (!config.aug.includes(a as AugName))
      throw new UsageError(
        `--strength ${a}=${config.strength[a as AugName]}: ${a} is not in --aug (${config.aug.join(",")})`,
      );
  }
  const workers = int("workers", s("workers"), availableParallelism());
  if (workers < 1 || workers > 64) throw new UsageError(`--workers must be from 1 to 64, got ${workers}`);
  const threadsText = s("threads");
  const threads = threadsText === undefined ? undefined : int("threads", threadsText, 1);
  if (threads !== undefined && (threads < 1 || threads > 64))
    throw new UsageError(`--threads must be from 1 to 64, got ${threads}`);
  const scale = s("scale") ?? "shared";
  if (scale !== "shared" && scale !== "per-map")
    throw new UsageError(`--scale must be 'shared' or 'per-map', got '${scale}'`);
  const outFlag = s("out");
  if (outFlag !== undefined && outFlag.trim() === "") throw new UsageError("--out must name a folder");
  return {
    command,
    config,
    out: resolve(outFlag ?? defaultRunDir(config)),
    workers,
    threads,
    scale,
    force: !!v.force,
    json: !!v.json,
    quick: !!v.quick,
    help: !!v.help || command === "help",
    version: !!v.version,
    given: given.filter((k) => CONFIG_FLAGS.includes(k)),
    outGiven: outFlag !== undefined,
    target,
    raw: Object.fromEntries(given.map((k) => [k, v[k] as string | boolean])),
    shard: s("shard"),
    dryRun: !!v["dry-run"],
  };
}
