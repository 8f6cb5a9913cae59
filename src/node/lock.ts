// One writer per run folder. The lock is proper-lockfile's: a directory made with mkdir (atomic on
// local disks and on NFS, unlike O_EXCL on old NFS clients) whose mtime the holder refreshes; a lock
// not refreshed for STALE_MS is stale and the next process takes it over, which also works across
// hosts sharing the folder over NFS. A lock whose holder is a dead process of this host is taken over
// at once. The holder (host, pid, since, command) is recorded inside the lock so a refused process can
// name it. A second process exits with LOCK_EXIT_CODE.
import { Worker } from "node:worker_threads";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { existsSync, rmSync } from "node:fs";
import { LOCK_DIR, TAKEOVER_DIR, pidAlive, readHolder, type Holder, type KeeperInput } from "./lock-holder.js";

export type { Holder };

/** The exit code of a process refused because another one holds the run folder (README). */
export const LOCK_EXIT_CODE = 3;

/** How long a lock may go without a refresh before it is stale (ms), and how often it is refreshed. */
export const STALE_MS = 20_000;
export const UPDATE_MS = 4_000;

/** The run folder is locked by another process (or the lock was lost): exit LOCK_EXIT_CODE. */
export class LockError extends Error {
  override name = "LockError";
  readonly exitCode = LOCK_EXIT_CODE;
  constructor(
    message: string,
    readonly holder?: Holder,
  ) {
    super(message);
  }
}

export function describeHolder(h: Holder | undefined | null): string {
  if (!h) return "another process (its record is being written)";
  return `process ${h.pid} on ${h.host} since ${h.since}${h.command ? ` (${h.command})` : ""}`;
}

/**
 * The LockError for `dir` when another process holds its lock now (a live pid of this host, any
 * holder of another host, or a holder still writing its record), else undefined. A folder being
 * created by that writer can look foreign or half-configured for a moment: this names the writer.
 */
export function heldLockError(dir: string): LockError | undefined {
  const abs = resolve(dir);
  const lockPath = join(abs, LOCK_DIR);
  if (!existsSync(lockPath)) return undefined;
  const h = readHolder(lockPath);
  if (h && h.host === hostname() && (h.pid === process.pid || !pidAlive(h.pid))) return undefined;
  return new LockError(
    `${abs} is being written by ${describeHolder(h)}; wait for it to finish or use another --out`,
    h,
  );
}

export interface RunLock {
  readonly dir: string;
  /** Set when the lock was lost while held (another process took it over): stop writing. */
  lost(): string | undefined;
  /** Whether this lock was taken over from a dead process. */
  readonly tookOver: boolean;
  release(): Promise<void>;
  /** For exit paths that cannot wait (a signal handler): stop the keeper and remove the lock. */
  releaseSync(): void;
}

export interface LockOptions {
  command?: string;
  stale?: number;
  update?: number;
}

/**
 * Lock the run folder `dir` (it must exist) for this process, or throw a LockError naming the holder.
 */
export function lockRunFolder(dir: string, opts: LockOptions = {}): Promise<RunLock> {
  const abs = resolve(dir);
  const lockPath = join(abs, LOCK_DIR);
  const input: KeeperInput = {
    dir: abs,
    lockPath,
    takeoverPath: join(abs, TAKEOVER_DIR),
    holder: { host: hostname(), pid: process.pid, since: new Date().toISOString(), command: opts.command },
    stale: opts.stale ?? STALE_MS,
    update: opts.update ?? UPDATE_MS,
  };
  const worker = new Worker(new URL("./lock-keeper.js", import.meta.url), { workerData: input });
  let lostWhy: string | undefined;
  let released = false;
  return new Promise<RunLock>((resolvePromise, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(e);
    };
    worker.on("error", (e) => fail(new LockError(`cannot lock ${abs}: ${e.message}`)));
    worker.on("exit", () => fail(new LockError(`cannot lock ${abs}: the lock keeper stopped`)));
    worker.on(
      "message",
      (msg: { type: string; holder?: Holder | null; message?: string; code?: string; tookOver?: boolean }) => {
        if (msg.type === "held") {
          fail(
            new LockError(
              `${abs} is being written by ${describeHolder(msg.holder)}; wait for it to finish or use another --out`,
              msg.holder ?? undefined,
            ),
          );
        } else if (msg.type === "error") {
          fail(new LockError(`cannot lock ${abs}: ${msg.message}`));
        } else if (msg.type === "compromised") {
          lostWhy = `the lock on ${abs} was lost (${msg.message}); ${describeHolder(readHolder(lockPath))} holds it now`;
        } else if (msg.type === "locked" && !settled) {
          settled = true;
          worker.unref();
          resolvePromise({
            dir: abs,
            tookOver: !!msg.tookOver,
            lost: () => lostWhy,
            release: () =>
              new Promise<void>((done) => {
                if (released) return done();
                released = true;
                worker.ref();
                const finish = () => {
                  void worker.terminate();
                  done();
                };
                worker.once("message", (m: { type: string }) => m.type === "released" && finish());
                worker.once("exit", finish);
                worker.postMessage({ type: "release" });
              }),
            releaseSync: () => {
              if (released) return;
              released = true;
              void worker.terminate();
              // Only our own lock: the record inside names this process.
              const h = readHolder(lockPath);
              if (
                !lostWhy &&
                h &&
                h.pid === process.pid &&
                h.host === input.holder.host &&
                h.since === input.holder.since
              ) {
                try {
                  rmSync(lockPath, { recursive: true, force: true });
                } catch {
                  // stale after STALE_MS anyway
                }
              }
            },
          });
        }
      },
    );
  });
}
