// Atomic file writes whose failures name the file, and the registry of temp files still open so that
// a signal handler can remove them. A write goes to a temp file in the same folder (same file system,
// so rename is atomic), is fsynced, then renamed over the target: a run that stops leaves the old
// file or the new one, never half of one, and never a temp file unless the process is killed -9
// (RunFolder removes those on the next start).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The names augsal gives temp files: `.augsal-<pid>-<n>.tmp` (and `.<pid>.<n>.tmp` before 0.2). */
export const TEMP_RE = /^\.(augsal-\d+-\d+|\d+\.\d+)\.tmp$/;

const liveTemps = new Set<string>();
let counter = 0;

/** An I/O failure on a named file: the message says which file, what was being done and why. */
export class FileError extends Error {
  override name = "FileError";
  constructor(
    readonly path: string,
    readonly action: string,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`cannot ${action} ${path}: ${detail}`);
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "it is a folder",
  ENAMETOOLONG: "the path is too long",
  ENOENT: "no such file or folder",
  EEXIST: "a file of that name exists",
  EIO: "input/output error",
  EMFILE: "too many open files",
};

/** Wrap a Node fs error as a FileError naming `path` (the target, not the temp file). */
export function fileError(path: string, action: string, e: unknown): FileError {
  if (e instanceof FileError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const reason = (code && REASONS[code]) ?? err?.message ?? String(e);
  return new FileError(path, action, code, code ? `${reason} (${code})` : reason);
}

/** Temp files this process has open right now (absolute paths). */
export function openTemps(): string[] {
  return [...liveTemps];
}

/** Remove every temp file this process still has open; returns how many were removed. */
export function removeOpenTemps(): number {
  let n = 0;
  for (const t of liveTemps) {
    try {
      rmSync(t, { force: true });
      n++;
    } catch {
      // best effort: this runs from a signal handler
    }
  }
  liveTemps.clear();
  return n;
}

/**
 * mkdir -p without { recursive: true }, which loops forever on a path under /proc (Node 20/22): make
 * each missing folder from the nearest existing one down.
 */
export function mkdirp(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    const up = dirname(dir);
    if (up !== dir) mkdirp(up);
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    return;
  }
  throw Object.assign(new Error(`${dir} is a file`), { code: "ENOTDIR" });
}

/** Write `data` to `path` atomically; an I/O error names `path` and leaves no temp file behind. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  try {
    mkdirp(dir);
  } catch (e) {
    throw fileError(dir, "create the folder", e);
  }
  const tmp = join(dir, `.augsal-${process.pid}-${counter++}.tmp`);
  liveTemps.add(tmp);
  try {
    let fd: number;
    try {
      fd = openSync(tmp, "w");
    } catch (e) {
      throw fileError(path, "write", e);
    }
    try {
      const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } catch (e) {
      throw fileError(path, "write", e);
    } finally {
      try {
        closeSync(fd);
      } catch {
        // the write error above is the one to report
      }
    }
    try {
      renameSync(tmp, path);
    } catch (e) {
      throw fileError(path, `move ${basename(tmp)} over`, e);
    }
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the write error is the one to report
    }
    throw e;
  } finally {
    liveTemps.delete(tmp);
  }
}
