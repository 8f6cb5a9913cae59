// The run folder's policy (issue 12): augsal writes only into an empty folder or its own run; a run
// is resumed only with the same (normalised) configuration and the same input data; --force removes
// only the files the run's manifest lists, and only after every check has passed; one process at a
// time holds a run folder (src/node/lock.ts). The mechanics (manifest, checksums, lock, atomic
// writes) are src/node's; this module decides.
import { join } from "node:path";
import type { Core } from "../core/load.js";
import { Model } from "../nn/model.js";
import { decodeCheckpoint } from "../nn/checkpoint.js";
import type { History } from "../nn/train.js";
import { readFile, readJson } from "../node/files.js";
import {
  CLI,
  RunFolder,
  checkOutPath,
  foreignFolderError,
  inspectFolder,
  type FolderState,
} from "../node/runfolder.js";
import { FileError } from "../node/atomic.js";
import { heldLockError, lockRunFolder, type RunLock } from "../node/lock.js";
import { onInterrupt } from "../node/clean-exit.js";
import { configFileSchema, historySchema, parseJsonFile, RunFileError } from "../node/schemas.js";
import { configDiff, normalizeConfig, resolvedStrength } from "./normalize.js";
import { inputChanges, type InputFingerprint } from "../node/fingerprint.js";
import { AUG_NAMES, UsageError, type Job, type StudyConfig } from "./config.js";
import { VERSION } from "../version.js";

/** What config.json holds. */
export interface RunConfigFile {
  augsal: string;
  wasmSha256?: string;
  node?: string;
  createdAt?: string;
  command?: string;
  config: StudyConfig;
  inputs?: Record<string, InputFingerprint>;
  [k: string]: unknown;
}

export interface RunSession {
  mode: "new" | "resume";
  rf: RunFolder;
  /** config.json of the run being resumed (undefined for a new run). */
  previous?: RunConfigFile;
  /** Release the lock and stop routing writes through the manifest. */
  close(): Promise<void>;
  /** Set the line printed if the run is interrupted (what is kept, how to resume). */
  onInterruptMessage(f: () => string | undefined): void;
}

export interface OpenOptions {
  force: boolean;
  /** The command line, recorded with the lock. */
  command?: string;
  /** The input data's fingerprints, compared with the run's. */
  inputs?: Record<string, InputFingerprint>;
  /** Compare only these configuration keys (augment uses a few); default all. */
  keys?: string[];
  /** The command that refused: "study" (default) or "augment"... for messages. */
  what?: string;
}

const q = (p: string) => (p.includes(" ") ? `'${p}'` : p);

/** config.json of a run, validated; its absence is undefined. */
export function readRunConfigFile(rf: RunFolder): RunConfigFile | undefined {
  const e = rf.manifest.files["config.json"];
  if (!e) return undefined;
  const path = rf.path("config.json");
  const text = rf.read("config.json", rf.repairHint("config.json")).toString("utf8");
  return parseJsonFile(configFileSchema, path, text, rf.repairHint("config.json")) as unknown as RunConfigFile;
}

type Decision = { mode: "new" | "resume"; clear: boolean; previous?: RunConfigFile };

/** Whether `out` (in `state`) may hold this configuration: new, resume, or an error; nothing is written. */
function decide(out: string, state: FolderState, config: StudyConfig, o: OpenOptions): Decision {
  if (state.kind === "absent" || state.kind === "empty") return { mode: "new", clear: false };
  if (state.kind === "foreign") throw foreignFolderError(out, state, o.force);
  const rf = RunFolder.open(out, state.manifest);
  let previous: RunConfigFile | undefined;
  try {
    previous = readRunConfigFile(rf);
  } catch (e) {
    // A damaged config.json of our own run: --force may start over (the manifest says what is ours).
    if (o.force && e instanceof RunFileError) return { mode: "new", clear: true };
    throw e;
  }
  if (!previous) return { mode: "new", clear: o.force };
  const a = normalizeConfig(previous.config);
  const b = normalizeConfig(config);
  if (o.keys?.includes("strength")) {
    // Figure 1 draws every augmentation: compare the strengths it uses, defaults written out.
    a.strength = resolvedStrength({ ...a, aug: [...AUG_NAMES] });
    b.strength = resolvedStrength({ ...b, aug: [...AUG_NAMES] });
  }
  let diff = configDiff(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>);
  if (o.keys) diff = diff.filter((k) => o.keys!.includes(k));
  const changes = previous.inputs && o.inputs ? inputChanges(previous.inputs, o.inputs) : [];
  if (o.force) return { mode: "new", clear: true, previous };
  if (diff.length) {
    const shown = diff.map(
      (k) =>
        `${k}: ${JSON.stringify((a as unknown as Record<string, unknown>)[k])} there, ${JSON.stringify((b as unknown as Record<string, unknown>)[k])} now`,
    );
    throw new UsageError(
      `--out ${out} holds a run of another configuration (${shown.join("; ")}). Use --out DIR for a new folder, ` +
        `'${CLI} ${o.what ?? "study"} --out ${q(out)}' with no configuration flags to continue that run, or --force to replace it ` +
        `(removes only the files augsal wrote there)`,
    );
  }
  if (changes.length) {
    throw new UsageError(
      `--out ${out}: the run was made from other input data: ${changes.join("; ")}. Restore the data, or start again with ` +
        `--out DIR or --force`,
    );
  }
  return { mode: "resume", clear: false, previous };
}

/**
 * Open `out` for writing this configuration: every check first (the path, the folder's owner, the
 * configuration and inputs against a run there), then the lock, then (under the lock) the same
 * decision again, --force's clearing, the removal of a killed run's temp files, and, when resuming,
 * the checksums of the trained models. Throws UsageError (exit 2) or LockError (exit 3).
 */
export async function openRunForWrite(out: string, config: StudyConfig, o: OpenOptions): Promise<RunSession> {
  checkOutPath(out);
  try {
    decide(out, inspectFolder(out), config, o);
  } catch (e) {
    // Another writer that has just locked the folder may not have written its manifest or config yet
    // (the folder then looks foreign or half-made): while it holds the lock, name it (exit 3).
    if (e instanceof UsageError) throw heldLockError(out) ?? e;
    throw e;
  }
  return lockAndOpen(out, o, () => decide(out, inspectFolder(out), config, o));
}

async function lockAndOpen(
  out: string,
  o: { command?: string },
  decideLocked: () => Decision,
): Promise<RunSession & { decision: Decision }> {
  let lock: RunLock;
  try {
    RunFolder.ensureDir(out);
  } catch (e) {
    if (e instanceof FileError)
      throw new UsageError(
        `--out ${out}: ${e.message.replace(/^cannot create the folder [^:]*: /, "cannot create the folder: ")}`,
      );
    throw e;
  }
  lock = await lockRunFolder(out, { command: o.command });
  let interruptMessage: (() => string | undefined) | undefined;
  let rf: RunFolder | undefined;
  const off = onInterrupt({
    cleanup: () => {
      rf?.deactivate();
      lock.releaseSync();
    },
    message: () => interruptMessage?.(),
  });
  try {
    const d = decideLocked();
    const state = inspectFolder(out);
    rf = state.kind === "run" ? RunFolder.open(out, state.manifest) : RunFolder.create(out, VERSION);
    if (d.clear) rf.clear();
    rf.removeStaleTemps();
    if (d.mode === "resume") {
      // The trained models a resume keeps: their checksums, before anything is written (a missing one
      // is simply trained again).
      for (const rel of Object.keys(rf.manifest.files)) {
        if (/^(weights|history)\//.test(rel) && rf.has(rel)) rf.read(rel, rf.repairHint(rel));
      }
    }
    rf.activate();
    const session = {
      mode: d.mode,
      rf,
      previous: d.previous,
      decision: d,
      onInterruptMessage: (f: () => string | undefined) => (interruptMessage = f),
      close: async () => {
        off();
        rf?.deactivate();
        await lock.release();
      },
    };
    return session;
  } catch (e) {
    off();
    rf?.deactivate();
    await lock.release();
    throw e;
  }
}

/**
 * Open an existing, finished-enough run for saliency or report: it must be an augsal run with a
 * readable config.json; the lock is taken (they rewrite results and figures).
 */
export async function openExistingRun(
  out: string,
  o: { command?: string },
): Promise<RunSession & { config: StudyConfig; file: RunConfigFile }> {
  checkOutPath(out);
  const check = (): Decision & { file: RunConfigFile } => {
    const state = inspectFolder(out);
    if (state.kind === "foreign") throw foreignFolderError(out, state, false);
    if (state.kind !== "run") {
      throw new UsageError(
        `--out ${out}: no augsal run there (${state.kind === "absent" ? "no such folder" : "the folder is empty"}): run '${CLI} study --out ${q(out)}' first`,
      );
    }
    const file = readRunConfigFile(RunFolder.open(out, state.manifest));
    if (!file)
      throw new UsageError(
        `--out ${out}: the run has no config.json yet (it was stopped before it started): run '${CLI} study --out ${q(out)}' with its configuration flags`,
      );
    return { mode: "resume", clear: false, previous: file, file };
  };
  check();
  const s = await lockAndOpen(out, o, check);
  const file = s.decision.previous!;
  return { ...s, config: file.config, file };
}

/** A job's files: its best weights and its training history. */
export function jobPaths(out: string, j: Pick<Job, "id">): { w: string; h: string } {
  return { w: join(out, "weights", `${j.id}.bin`), h: join(out, "history", `${j.id}.json`) };
}

export function readHistory(out: string, id: string): History {
  const path = jobPaths(out, { id }).h;
  const text = readFile(path).toString("utf8");
  return parseJsonFile(
    historySchema,
    path,
    text,
    `remove it and run '${CLI} study --out ${q(out)}' to retrain ${id}`,
  ) as unknown as History;
}

/** A trained model from its weights file (checked against the manifest); a damaged file says how to recover. */
export function loadModel(core: Core, out: string, id: string, capacity: number): Model {
  const path = jobPaths(out, { id }).w;
  const repair = `remove it and run '${CLI} study --out ${q(out)}' to retrain ${id}`;
  let ck: ReturnType<typeof decodeCheckpoint>;
  try {
    ck = decodeCheckpoint(new Uint8Array(readFile(path)), path);
  } catch (e) {
    if (e instanceof RunFileError) throw e;
    throw new RunFileError(path, (e as Error).message.replace(`${path}: `, ""), repair);
  }
  const { spec, params } = ck;
  for (let i = 0; i < params.length; i++) {
    if (!Number.isFinite(params[i])) throw new RunFileError(path, `weight ${i} is ${params[i]}`, repair);
  }
  let model: Model;
  try {
    model = new Model(core, spec, capacity);
    model.setParams(params);
  } catch (e) {
    throw new RunFileError(path, `its model does not load (${(e as Error).message})`, repair);
  }
  return model;
}

/** The configuration of an existing run (its config.json, validated). */
export function readRunConfig(out: string): StudyConfig {
  return readJson<RunConfigFile>(join(out, "config.json")).config;
}
