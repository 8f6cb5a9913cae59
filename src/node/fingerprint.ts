// Input fingerprints: the SHA-256 of every data file a run read, recorded in config.json, so that a
// resume on changed data (the files under an idx: folder replaced, Fashion-MNIST reinstalled) is
// refused instead of mixing models of two datasets in one run.
import { closeSync, openSync, readSync } from "node:fs";
import { createHash } from "node:crypto";
import { fileError } from "./atomic.js";

export interface InputFingerprint {
  path: string;
  bytes: number;
  sha256: string;
}

/** SHA-256 of a file, read in 1 MiB chunks (the MNIST training images are 47 MB). */
export function fileSha256(path: string): { bytes: number; sha256: string } {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw fileError(path, "read", e);
  }
  try {
    const h = createHash("sha256");
    const buf = Buffer.allocUnsafe(1 << 20);
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      bytes += n;
    }
    return { bytes, sha256: h.digest("hex") };
  } catch (e) {
    throw fileError(path, "read", e);
  } finally {
    closeSync(fd);
  }
}

/** Fingerprints of named input files, e.g. { trainImages: path, ... } (Dataset.files). */
export function fingerprintInputs(files: Record<string, string>): Record<string, InputFingerprint> {
  const out: Record<string, InputFingerprint> = {};
  for (const role of Object.keys(files).sort()) out[role] = { path: files[role], ...fileSha256(files[role]) };
  return out;
}

/**
 * What differs between the inputs a run recorded and the inputs now: one line per file, naming it.
 * Only contents count (a moved but identical file is the same input).
 */
export function inputChanges(
  recorded: Record<string, InputFingerprint>,
  now: Record<string, InputFingerprint>,
): string[] {
  const changes: string[] = [];
  for (const role of [...new Set([...Object.keys(recorded), ...Object.keys(now)])].sort()) {
    const a = recorded[role];
    const b = now[role];
    if (!a) changes.push(`${role}: ${b.path} was not an input of the run`);
    else if (!b) changes.push(`${role}: ${a.path} is no longer an input`);
    else if (a.sha256 !== b.sha256) {
      changes.push(
        `${b.path} changed (SHA-256 ${b.sha256.slice(0, 12)}…, the run used ${a.sha256.slice(0, 12)}…${a.path !== b.path ? ` from ${a.path}` : ""})`,
      );
    }
  }
  return changes;
}
