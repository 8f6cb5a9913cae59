// The run-folder lock's keeper: a worker thread that takes the lock with proper-lockfile and keeps its
// mtime fresh. It lives in a thread of its own so that a long synchronous stage on the main thread
// (saliency over many queries, the report) cannot delay the refresh past the stale threshold and let
// another process take the lock from a run that is still writing. Messages:
//   in:  { type: "release" }
//   out: { type: "locked" }  { type: "held", holder }  { type: "error", message, code }
//        { type: "compromised", message }  { type: "released" }
import { parentPort, workerData } from "node:worker_threads";
import * as fs from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import * as lockfile from "proper-lockfile";
import { HOLDER_FILE, pidAlive, readHolder, type KeeperInput } from "./lock-holder.js";

function main(): void {
  const port = parentPort!;
  const input = workerData as KeeperInput;
  // The lock is a directory (mkdir is atomic, also on NFS); the holder's record is written inside it
  // right after mkdir and before proper-lockfile sets the mtime it will keep checking, so writing it
  // does not look like a change by someone else. Removing the lock removes the record with it.
  const lockFs = {
    ...fs,
    mkdir(p: string, cb: (err: NodeJS.ErrnoException | null) => void) {
      fs.mkdir(p, (err) => {
        if (err) return cb(err);
        try {
          const tmp = join(p, `.${HOLDER_FILE}.tmp`);
          fs.writeFileSync(tmp, JSON.stringify(input.holder) + "\n");
          fs.renameSync(tmp, join(p, HOLDER_FILE));
        } catch (e) {
          fs.rmSync(p, { recursive: true, force: true });
          return cb(e as NodeJS.ErrnoException);
        }
        cb(null);
      });
    },
    rmdir(p: string, cb: (err: NodeJS.ErrnoException | null) => void) {
      fs.rm(p, { recursive: true }, (err) => cb(err));
    },
    rmdirSync(p: string) {
      fs.rmSync(p, { recursive: true });
    },
  };
  let release: (() => Promise<void>) | undefined;
  const opts = {
    lockfilePath: input.lockPath,
    realpath: false,
    stale: input.stale,
    update: input.update,
    fs: lockFs,
    onCompromised: (err: Error) => {
      release = undefined;
      port.postMessage({ type: "compromised", message: err.message });
    },
  } as unknown as lockfile.LockOptions;

  const attempt = async (tookOver: boolean): Promise<void> => {
    try {
      release = await lockfile.lock(input.dir, opts);
      port.postMessage({ type: "locked", tookOver });
      return;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== "ELOCKED") {
        port.postMessage({ type: "error", code: err.code, message: err.message });
        return;
      }
    }
    // Held. If the holder is a process of this host that no longer runs (killed), take over now rather
    // than after the stale threshold; a guard directory makes sure only one process does.
    const holder = readHolder(input.lockPath);
    if (!tookOver && holder && holder.host === hostname() && !pidAlive(holder.pid)) {
      let guarded = false;
      try {
        fs.mkdirSync(input.takeoverPath);
        guarded = true;
      } catch (e) {
        // Someone else is taking over; a guard older than the stale threshold was left by a killed one.
        try {
          if (Date.now() - fs.statSync(input.takeoverPath).mtimeMs > input.stale) {
            fs.rmSync(input.takeoverPath, { recursive: true, force: true });
            fs.mkdirSync(input.takeoverPath);
            guarded = true;
          }
        } catch {
          guarded = false;
        }
        void e;
      }
      if (guarded) {
        try {
          const again = readHolder(input.lockPath);
          if (again && again.pid === holder.pid && again.since === holder.since && again.host === holder.host) {
            fs.rmSync(input.lockPath, { recursive: true, force: true });
          }
        } finally {
          await attempt(true);
          fs.rmSync(input.takeoverPath, { recursive: true, force: true });
        }
        return;
      }
    }
    port.postMessage({ type: "held", holder: readHolder(input.lockPath) ?? null });
  };

  port.on("message", async (msg: { type: string }) => {
    if (msg.type !== "release") return;
    const r = release;
    release = undefined;
    try {
      if (r) await r();
    } catch {
      // already gone: nothing to release
    }
    port.postMessage({ type: "released" });
  });
  void attempt(false);
}

if (parentPort) main();
