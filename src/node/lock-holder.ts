// The lock holder's record (host, pid, since, command), kept inside proper-lockfile's lock directory,
// and what the process that finds a lock needs to read it. No proper-lockfile import here: only the
// keeper thread (lock-keeper.ts) loads it, so its exit hooks stay out of the main thread.
import * as fs from "node:fs";
import { join } from "node:path";

/** proper-lockfile's lock directory inside the run folder, and the guard of a takeover. */
export const LOCK_DIR = ".augsal.lock";
export const TAKEOVER_DIR = ".augsal.lock.takeover";

export interface Holder {
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  since: string;
  command?: string;
}

export interface KeeperInput {
  dir: string;
  lockPath: string;
  takeoverPath: string;
  holder: Holder;
  stale: number;
  update: number;
}

export const HOLDER_FILE = "holder.json";

/** Who holds the lock at lockPath, from its holder.json (undefined while it is being taken). */
export function readHolder(lockPath: string): Holder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(join(lockPath, HOLDER_FILE), "utf8"));
    if (typeof h?.host === "string" && Number.isInteger(h?.pid) && typeof h?.since === "string") return h as Holder;
  } catch {
    // missing or half written
  }
  return undefined;
}

/** Whether a process of this host is alive (EPERM: alive, but another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
