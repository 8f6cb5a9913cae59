// A single-node Slurm for a test, through scripts/slurm.sh (which installs nothing): start it, run
// client commands against it (SLURM_CONF names its slurm.conf, nothing global is used), wait for jobs,
// read how they ended, stop it by its recorded pids.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** scripts/slurm.sh (the tests run from build/ts/test/e2e/). */
export const SLURM_SH = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "scripts", "slurm.sh");

export interface Slurm {
  dir: string;
  /** The environment for client commands and for the augsal processes that call them. */
  env: NodeJS.ProcessEnv;
  /** Seconds from `slurm.sh up` to an idle node. */
  upSeconds: number;
  /** Run a Slurm client command; throws with its stderr when it fails. */
  run(cmd: string, args: string[]): string;
  /** Stop it (slurm.sh down) and remove its folder (kept with AUGSAL_KEEP_SLURM=1). */
  stop(): void;
}

/** Why Slurm cannot run here (packages missing, not root), or null when it may. */
export function slurmUnavailable(): string | null {
  const missing = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/sbin/munged"].filter(
    (p) => !existsSync(p),
  );
  if (missing.length)
    return (
      `${missing.join(", ")} missing (apt-get install --no-install-recommends slurmctld slurmd slurm-client munge; ` +
      `.ci/run does it)`
    );
  if (process.getuid?.() !== 0)
    return `not root (uid ${process.getuid?.()}): munged and slurmd must be started as root`;
  return null;
}

/** Start a Slurm; on failure returns the reason (with the script's message) instead. */
export function startSlurm(): Slurm | string {
  const t0 = performance.now();
  const up = spawnSync("bash", [SLURM_SH, "up"], { encoding: "utf8", timeout: 120_000 });
  if (up.status !== 0) {
    return `scripts/slurm.sh up failed (exit ${up.status ?? up.signal}): ${(up.stderr || "").trim().slice(-1500)}`;
  }
  const dir = up.stdout.trim().split("\n").pop()!;
  const upSeconds = (performance.now() - t0) / 1000;
  const env = { ...process.env, SLURM_CONF: join(dir, "slurm.conf"), PATH: `${process.env.PATH}:/usr/sbin` };
  let stopped = false;
  return {
    dir,
    env,
    upSeconds,
    run(cmd, args) {
      const r = spawnSync(cmd, args, { env, encoding: "utf8", timeout: 60_000 });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}): ${r.stderr}`);
      return r.stdout;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      const down = spawnSync("bash", [SLURM_SH, "down", dir], { encoding: "utf8", timeout: 60_000 });
      if (down.status !== 0) console.log(`  slurm: 'slurm.sh down ${dir}' failed: ${down.stderr}`);
      // its logs are kept when asked (AUGSAL_KEEP_SLURM=1) or when it could not be stopped
      else if (!process.env.AUGSAL_KEEP_SLURM) rmSync(dir, { recursive: true, force: true });
      else console.log(`  slurm: logs kept in ${dir}`);
    },
  };
}

/** Wait until none of the jobs is in the queue (pending, running or completing); polls squeue, which
 *  is faster than `sbatch --wait` (notes: it polls every ~10 s). Throws after `timeoutMs`, and at once
 *  when a job waits on a dependency that can never be met (unless told to wait for Slurm to remove it). */
export async function waitForJobs(
  slurm: Slurm,
  jobIds: string[],
  timeoutMs: number,
  opts: { neverSatisfied?: "throw" | "wait" } = {},
): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    let q: string;
    try {
      q = slurm.run("squeue", ["-h", "-o", "%i %T %r", "-j", jobIds.join(",")]).trim();
    } catch (e) {
      // a job slurmctld has forgotten (older than MinJobAge) is not queued either
      if (/Invalid job id/i.test((e as Error).message)) return;
      throw e;
    }
    if (q === "") return;
    // A job whose dependency can never be met would wait forever; say so at once.
    if (opts.neverSatisfied !== "wait" && /DependencyNeverSatisfied/.test(q))
      throw new Error(`a job waits on a failed dependency:\n${q}`);
    if (performance.now() > end) throw new Error(`jobs ${jobIds.join(",")} still queued after ${timeoutMs} ms:\n${q}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface JobEnd {
  jobId: string;
  arrayJobId?: string;
  arrayTaskId?: string;
  name: string;
  state: string;
  exitCode: string;
}

/** Every finished job and array task, from the jobcomp/filetxt log (no slurmdbd, so no sacct). */
export function finishedJobs(slurm: Slurm): JobEnd[] {
  const file = join(slurm.dir, "log", "jobcomp.txt");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((line) => {
      const field = (k: string) => line.match(new RegExp(`(?:^| )${k}=(\\S*)`))?.[1];
      return {
        jobId: field("JobId") ?? "",
        arrayJobId: field("ArrayJobId"),
        arrayTaskId: field("ArrayTaskId"),
        name: field("Name") ?? "",
        state: field("JobState") ?? "",
        exitCode: field("ExitCode") ?? "",
      };
    });
}

export { idxSubset } from "./idx-subset.js";
