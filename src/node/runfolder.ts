// Run-folder ownership. A run folder holds a manifest (manifest.json) of every file augsal wrote there,
// each with its SHA-256 and size; a file is listed (as "being written", sha256 null) before it is
// created, so even a run killed mid-write leaves nothing unlisted. That list is what --force may
// remove, and the checksums are how resume, saliency, report and serve notice a damaged weights,
// .npy or JSON file. A folder that is neither empty nor an augsal run is never written into.
import { accessSync, constants, lstatSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { createHash } from "node:crypto";
import { UsageError } from "./errors.js";
import { TEMP_RE, fileError, mkdirp, writeAtomic } from "./atomic.js";
import { LOCK_DIR, TAKEOVER_DIR } from "./lock-holder.js";
import { RunFileError, manifestSchema, parseJsonFile, type Manifest } from "./schemas.js";

export const MANIFEST = "manifest.json";
export { LOCK_DIR, TAKEOVER_DIR };

/** Entries of a run folder that are augsal's bookkeeping, not a sign of someone else's files. */
const isBookkeeping = (name: string) =>
  name === LOCK_DIR || name === TAKEOVER_DIR || /^\.augsal-\d+-\d+\.tmp$/.test(name);

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Longest path and file-name lengths we accept (Linux PATH_MAX, NAME_MAX), with room for our own names. */
const PATH_MAX = 4096 - 64;
const NAME_MAX = 255;

/**
 * Check that --out can be a run folder, without writing anything: not a file, not under a file, not
 * too long, and in a writable place. Throws a UsageError naming --out and the reason.
 */
export function checkOutPath(out: string, flag = "--out"): void {
  const abs = resolve(out);
  const bad = (why: string) => new UsageError(`${flag} ${out}: ${why}`);
  if (Buffer.byteLength(abs) > PATH_MAX)
    throw bad(`the path is too long (${Buffer.byteLength(abs)} bytes; at most ${PATH_MAX})`);
  const long = abs.split(sep).find((s) => Buffer.byteLength(s) > NAME_MAX);
  if (long)
    throw bad(`the name '${long.slice(0, 40)}…' is too long (${Buffer.byteLength(long)} bytes; at most ${NAME_MAX})`);
  // Walk up to the nearest existing ancestor; every existing part must be a folder.
  let p = abs;
  let existing: string;
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR") {
        p = dirname(p);
        continue;
      }
      if (code !== "ENOENT") throw bad(`cannot look at ${p} (${code})`);
      const up = dirname(p);
      if (up === p) throw bad("no part of the path exists");
      p = up;
      continue;
    }
    if (!st.isDirectory()) {
      throw bad(p === abs ? "it is a file, not a folder" : `${p} is a file, not a folder`);
    }
    existing = p;
    break;
  }
  const target = existing;
  try {
    accessSync(target, constants.W_OK | constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "EROFS"
        ? "is on a read-only file system"
        : code === "EACCES"
          ? "is not writable (permission denied)"
          : `is not writable (${code})`;
    throw bad(target === abs ? `the folder ${why}` : `${target} ${why}`);
  }
  if (existing === abs) {
    // A folder that exists: its top-level entries must be listable (not a dangling mount etc.).
    try {
      readdirSync(abs);
    } catch (e) {
      throw bad(`cannot list the folder (${(e as NodeJS.ErrnoException).code})`);
    }
  }
}

export type FolderState =
  | { kind: "absent" }
  | { kind: "empty" }
  | { kind: "run"; manifest: Manifest }
  | { kind: "foreign"; entries: string[]; why: string };

function listing(entries: string[]): string {
  const shown = entries.slice(0, 8).join(", ");
  return entries.length > 8 ? `${shown}, … (${entries.length} entries)` : shown;
}

/** What is at `out`: nothing, an empty folder, an augsal run (its manifest), or someone else's files. */
export function inspectFolder(out: string): FolderState {
  const abs = resolve(out);
  let entries: string[];
  try {
    entries = readdirSync(abs).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "absent" };
    throw new UsageError(`--out ${out}: cannot list the folder (${code})`);
  }
  const others = entries.filter((n) => !isBookkeeping(n));
  if (others.length === 0) return { kind: "empty" };
  if (!others.includes(MANIFEST)) {
    const why = others.includes("config.json")
      ? "it holds a config.json but no manifest.json (a run of augsal 0.1, or not augsal's), so augsal cannot tell which files it wrote"
      : "it is not an augsal run (no manifest.json)";
    return { kind: "foreign", entries: others, why };
  }
  const path = join(abs, MANIFEST);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw fileError(path, "read", e);
  }
  const manifest = parseJsonFile(
    manifestSchema,
    path,
    text,
    "augsal cannot tell which files of this folder it wrote: move the folder away or use --out DIR for another",
  );
  return { kind: "run", manifest };
}

/** The refusal for a folder that is not an augsal run: exit 2, naming it and what is in it. */
export function foreignFolderError(out: string, state: { entries: string[]; why: string }, force: boolean): UsageError {
  return new UsageError(
    `--out ${out}: ${state.why}; it holds ${listing(state.entries)}. augsal writes only into an empty folder or its own ` +
      `run${force ? " (--force removes only files augsal wrote, so it does not apply here)" : ""}: choose another --out`,
  );
}

/** How the CLI is invoked in the commands augsal suggests. */
export const CLI = "node dist/cli.js";

/** Open run folders by absolute path: node/files.ts routes writes and reads under them through these. */
const active = new Map<string, RunFolder>();

/** The open run folder holding `path`, and the path relative to it ('/'-separated). */
export function runFolderOf(path: string): { rf: RunFolder; rel: string } | undefined {
  const abs = resolve(path);
  for (const [dir, rf] of active) {
    if (abs.startsWith(dir + sep))
      return {
        rf,
        rel: abs
          .slice(dir.length + 1)
          .split(sep)
          .join("/"),
      };
  }
  return undefined;
}

/** A run folder open for writing (the caller holds its lock): every write goes through the manifest. */
export class RunFolder {
  readonly dir: string;
  manifest: Manifest;

  private constructor(dir: string, manifest: Manifest) {
    this.dir = resolve(dir);
    this.manifest = manifest;
  }

  /** Start a new run in an absent or empty folder: create it and write an empty manifest. */
  static create(dir: string, version: string): RunFolder {
    const abs = resolve(dir);
    try {
      mkdirp(abs);
    } catch (e) {
      throw fileError(abs, "create the folder", e);
    }
    const rf = new RunFolder(abs, { format: "augsal-run", version: 1, augsal: version, files: {} });
    rf.saveManifest();
    return rf;
  }

  /** Create the folder (and its parents) if it does not exist: the first thing written, after every check. */
  static ensureDir(dir: string): void {
    try {
      mkdirp(resolve(dir));
    } catch (e) {
      throw fileError(resolve(dir), "create the folder", e);
    }
  }

  /** Open an existing run (its manifest already read and validated by inspectFolder). */
  static open(dir: string, manifest: Manifest): RunFolder {
    return new RunFolder(dir, manifest);
  }

  /** Read-only access to an existing run: inspect, and refuse anything that is not a run. */
  static read(dir: string): RunFolder {
    const st = inspectFolder(dir);
    if (st.kind === "run") return new RunFolder(dir, st.manifest);
    if (st.kind === "foreign") throw foreignFolderError(dir, st, false);
    throw new UsageError(
      `no augsal run in ${dir} (${st.kind === "absent" ? "no such folder" : "the folder is empty"}): run 'study' first or name the run with --out`,
    );
  }

  /** Route node/files.ts's writes and reads under this folder through the manifest (until deactivate). */
  activate(): this {
    active.set(this.dir, this);
    return this;
  }

  deactivate(): void {
    if (active.get(this.dir) === this) active.delete(this.dir);
  }

  /** The command that repairs a damaged or missing file of this run. */
  repairHint(rel: string): string {
    const q = this.dir.includes(" ") ? `'${this.dir}'` : this.dir;
    const m = rel.match(/^(weights|history)\/(.+)\.(bin|json)$/);
    if (m) return `remove it and run '${CLI} study --out ${q}' to retrain ${m[2]}`;
    if (rel.startsWith("saliency/") || rel === "results.json" || rel === "metrics.json" || rel === "table1.json") {
      return `run '${CLI} saliency --out ${q}' to recompute it`;
    }
    if (rel === "split.json" || rel === "queries.json")
      return `run '${CLI} study --out ${q}' to rewrite it from the run's configuration`;
    if (rel === "config.json")
      return `the run's configuration is lost: start again with --out DIR, or with --force (it removes only files augsal wrote)`;
    return `run '${CLI} report --out ${q}' to rewrite it`;
  }

  path(rel: string): string {
    return join(this.dir, ...rel.split("/"));
  }

  private saveManifest(): void {
    const files: Manifest["files"] = {};
    for (const k of Object.keys(this.manifest.files).sort()) files[k] = this.manifest.files[k];
    this.manifest = { ...this.manifest, files };
    writeAtomic(join(this.dir, MANIFEST), JSON.stringify(this.manifest, null, 2) + "\n");
  }

  /** Write a file of the run: listed first (being written), then written atomically, then its checksum. */
  write(rel: string, data: string | Uint8Array): void {
    this.writeMany([{ rel, data }]);
  }

  /** Several files of the run: all listed first (one manifest write), each written atomically, then
   *  their checksums (one manifest write): the guarantees of write() with two manifest writes in all. */
  writeMany(files: { rel: string; data: string | Uint8Array }[]): void {
    const bytes = files.map((f) => {
      if (f.rel === MANIFEST || f.rel.split("/").some((s) => s === "" || s === "." || s === ".."))
        throw new Error(`bad run-folder path ${f.rel}`);
      return typeof f.data === "string" ? Buffer.from(f.data, "utf8") : f.data;
    });
    let listed = false;
    for (const f of files) {
      const entry = this.manifest.files[f.rel];
      if (!entry || entry.sha256 !== null) {
        this.manifest.files[f.rel] = { sha256: null, bytes: null };
        listed = true;
      }
    }
    if (listed) this.saveManifest();
    for (const [i, f] of files.entries()) {
      writeAtomic(this.path(f.rel), bytes[i]);
      this.manifest.files[f.rel] = { sha256: sha256Hex(bytes[i]), bytes: bytes[i].length };
    }
    if (files.length) this.saveManifest();
  }

  writeJson(rel: string, value: unknown): void {
    this.write(rel, JSON.stringify(value, null, 2) + "\n");
  }

  /** Listed, finished (checksum recorded) and present. */
  has(rel: string): boolean {
    const e = this.manifest.files[rel];
    if (!e || e.sha256 === null) return false;
    try {
      return statSync(this.path(rel)).isFile();
    } catch {
      return false;
    }
  }

  /**
   * The bytes of a listed file, checked against its SHA-256; a missing, unlisted or damaged file is a
   * RunFileError naming it and the command that repairs it.
   */
  read(rel: string, repair: string): Buffer {
    const path = this.path(rel);
    const e = this.manifest.files[rel];
    if (!e) throw new RunFileError(path, "is not listed in the run's manifest.json", repair);
    if (e.sha256 === null) throw new RunFileError(path, "was being written when the run stopped (incomplete)", repair);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RunFileError(path, code === "ENOENT" ? "is missing" : `cannot be read (${code})`, repair);
    }
    if (bytes.length !== e.bytes || sha256Hex(bytes) !== e.sha256) {
      throw new RunFileError(
        path,
        `is damaged (${bytes.length !== e.bytes ? `${bytes.length} bytes, the manifest records ${e.bytes}` : "its SHA-256 differs from the manifest's"})`,
        repair,
      );
    }
    return bytes;
  }

  /** Forget a listed file and remove it (a damaged result about to be rebuilt). */
  remove(rel: string): void {
    if (!(rel in this.manifest.files)) return;
    try {
      rmSync(this.path(rel), { force: true });
    } catch (e) {
      throw fileError(this.path(rel), "remove", e);
    }
    delete this.manifest.files[rel];
    this.saveManifest();
  }

  /**
   * Remove augsal's temp files left by a killed run: in the folder and in every folder holding a
   * listed file. Returns their names.
   */
  removeStaleTemps(): string[] {
    const dirs = new Set<string>([""]);
    for (const rel of Object.keys(this.manifest.files)) {
      const parts = rel.split("/");
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
    }
    const removed: string[] = [];
    for (const d of dirs) {
      const abs = d ? this.path(d) : this.dir;
      let names: string[];
      try {
        names = readdirSync(abs);
      } catch {
        continue;
      }
      for (const n of names) {
        if (!TEMP_RE.test(n)) continue;
        const p = join(abs, n);
        try {
          if (!lstatSync(p).isFile()) continue;
          rmSync(p, { force: true });
          removed.push(d ? `${d}/${n}` : n);
        } catch (e) {
          throw fileError(p, "remove the temp file", e);
        }
      }
    }
    return removed;
  }

  /**
   * --force: remove every file the manifest lists (and folders left empty that held only them), then
   * start an empty manifest. Nothing unlisted is touched. Returns how many files were removed.
   */
  clear(): number {
    this.removeStaleTemps();
    const rels = Object.keys(this.manifest.files);
    const dirs = new Set<string>();
    let n = 0;
    for (const rel of rels) {
      const p = this.path(rel);
      try {
        const st = lstatSync(p);
        if (st.isDirectory()) continue; // a listed name that is now a folder is not ours to remove
        rmSync(p, { force: true });
        n++;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw fileError(p, "remove", e);
      }
      const parts = rel.split("/");
      for (let i = parts.length - 1; i >= 1; i--) dirs.add(parts.slice(0, i).join("/"));
    }
    // Deepest first; rmdir fails (and we leave it) on a folder that holds anything else.
    for (const d of [...dirs].sort((a, b) => b.split("/").length - a.split("/").length)) {
      try {
        rmdirSync(this.path(d));
      } catch {
        // not empty: it holds files augsal did not write
      }
    }
    this.manifest = { ...this.manifest, files: {} };
    this.saveManifest();
    return n;
  }
}
