// Claims on a sweep's jobs, so that several processes writing into one sweep folder (shards on the
// nodes of a cluster, over NFS) do not train the same job twice. A claim is a directory made with mkdir
// (atomic on local disks and on NFS; no flock) holding the claimant's host and pid; the claimant
// refreshes its mtime while it trains. A claim not refreshed for STALE_MS, or held by a dead process of
// this host, is taken over: renamed away (one rename wins) and made again. Correctness does not rest on
// claims: a job's folder appears by one atomic rename (./store.ts), so two processes training one job
// (a takeover race) cost time, never a mixed folder.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { pidAlive } from "../node/lock-holder.js";
import { mkdirp } from "../node/atomic.js";

export const CLAIMS_DIR = "claims";
export const STALE_MS = 60_000;
export const REFRESH_MS = 10_000;

interface Holder {
  host: string;
  pid: number;
  since: string;
}

export class Claims {
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly me: Holder = { host: hostname(), pid: process.pid, since: new Date().toISOString() };
  constructor(
    readonly dir: string,
    readonly staleMs = STALE_MS,
  ) {}

  private path(hash: string): string {
    return join(this.dir, CLAIMS_DIR, hash);
  }

  /** Claim a job; false if another live process holds it. */
  claim(hash: string): boolean {
    const p = this.path(hash);
    mkdirp(join(this.dir, CLAIMS_DIR));
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        mkdirSync(p);
        writeFileSync(join(p, "holder.json"), JSON.stringify(this.me) + "\n");
        this.held.add(hash);
        this.start();
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      if (!this.stale(p)) return false;
      // take it over: one process wins the rename, the others see it gone or fresh again
      const away = `${p}.stale-${this.me.host}-${this.me.pid}`;
      try {
        renameSync(p, away);
        rmSync(away, { recursive: true, force: true });
      } catch {
        return false;
      }
    }
    return false;
  }

  private stale(p: string): boolean {
    let mtime: number;
    try {
      mtime = statSync(p).mtimeMs;
    } catch {
      return true; // gone: try again
    }
    try {
      const h = JSON.parse(readFileSync(join(p, "holder.json"), "utf8")) as Holder;
      if (h.host === this.me.host && h.pid !== this.me.pid && !pidAlive(h.pid)) return true;
      if (h.host === this.me.host && h.pid === this.me.pid) return false;
    } catch {
      // a record being written: judge by the age alone
    }
    return Date.now() - mtime > this.staleMs;
  }

  release(hash: string): void {
    if (!this.held.delete(hash)) return;
    try {
      rmSync(this.path(hash), { recursive: true, force: true });
    } catch {
      // stale after STALE_MS anyway
    }
    if (this.held.size === 0) this.stop();
  }

  releaseAll(): void {
    for (const h of [...this.held]) this.release(h);
    this.stop();
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = new Date();
      for (const h of this.held) {
        try {
          utimesSync(this.path(h), now, now);
        } catch {
          // taken over or removed: the job's folder is still written atomically
        }
      }
    }, REFRESH_MS);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
