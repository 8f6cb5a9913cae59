// The cluster writers of `augsal sweep --slurm / --k8s` without a cluster: the scripts are valid shell,
// the #SBATCH lines say what the plan says, and — run by bash with a stand-in for node that prints its
// arguments — each script starts exactly the augsal command it should, with paths that need quoting.
// The flags through the CLI are test/e2e/cluster.test.ts, a real Slurm run test/e2e/slurm.test.ts.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  k8sManifest,
  mergeSbatchScript,
  sbatchScript,
  shq,
  slurmTime,
  taskResources,
  writeSlurmScripts,
  volumeMounts,
  type ClusterJob,
} from "../../src/sweep/slurm.js";
import { UsageError } from "../../src/study/config.js";

const t = suite("sweep/slurm");

function job(dir: string, over: Partial<ClusterJob> = {}): ClusterJob {
  return {
    dir,
    grid: join(dir, "grid.json"),
    cli: join(dir, "augsal", "dist", "cli.js"),
    shards: 5,
    throttle: 2,
    resources: { cpus: 3, memMiB: 1280, minutes: 95 },
    name: "augsal-test",
    ...over,
  };
}

/** Run a generated script with bash, node replaced by a script that prints one argument a line. */
function runScript(
  script: string,
  tmp: string,
  env: Record<string, string>,
): { status: number | null; argv: string[]; stderr: string } {
  const fake = join(tmp, "fake-node");
  writeFileSync(fake, '#!/bin/sh\necho "SHARD_COUNT=$AUGSAL_SHARD_COUNT"\nfor a in "$@"; do echo "$a"; done\n');
  chmodSync(fake, 0o755);
  const file = join(tmp, "job.sh");
  writeFileSync(file, script);
  const r = spawnSync("bash", [file], { env: { PATH: process.env.PATH, AUGSAL_NODE: fake, ...env }, encoding: "utf8" });
  return { status: r.status, argv: r.stdout.split("\n").slice(0, -1), stderr: r.stderr };
}

function sbatchLines(script: string): string[] {
  return script.split("\n").filter((l) => l.startsWith("#SBATCH "));
}

t("slurmTime: minutes as Slurm's D-HH:MM:SS", () => {
  assert.is(slurmTime(10), "0-00:10:00");
  assert.is(slurmTime(95), "0-01:35:00");
  assert.is(slurmTime(1440 + 61), "1-01:01:00");
});

t("taskResources: time covers the worst shard on the CPUs given plus its longest job, with margin", () => {
  // worst shard 3600 core-s on 3 cpus: 60 s start-up + 1200 + longest job 300 x 2/3 = 1460 s, x2 = 48.7 min.
  const r = taskResources([1000, 3600, 2000], 300, 100 * 2 ** 20, 3);
  assert.is(r.cpus, 3);
  assert.is(r.minutes, 49);
  // one CPU: the shard's jobs one after another, 60 + 3600 s, x2 = 122 min
  assert.is(taskResources([3600], 300, 1, 1).minutes, 122);
  // (512 MiB + 3 x 100 MiB) x 1.25 = 1015 MiB, rounded up to a multiple of 64.
  assert.is(r.memMiB, 1024);
  // tiny shards still get the floor of 10 minutes
  assert.is(taskResources([1, 2], 1, 1, 1).minutes, 10);
  assert.throws(
    () => taskResources([1], 1, 1, 0),
    (e: unknown) => e instanceof UsageError,
  );
});

t("shq: safe words as they are, others single-quoted so the shell reads them back", () => {
  assert.is(shq("/a/b-c_d.json"), "/a/b-c_d.json");
  assert.is(shq("/a b/it's"), `'/a b/it'\\''s'`);
  const r = spawnSync("bash", ["-c", `printf %s ${shq("/a b/it's $HOME")}`], { encoding: "utf8" });
  assert.is(r.stdout, "/a b/it's $HOME");
});

t("volumeMounts: the deepest folder both share, else each top folder from the volume's subfolder", () => {
  assert.equal(volumeMounts(["/shared/u/sweeps/a", "/shared/u/augsal"]), [{ mountPath: "/shared/u" }]);
  assert.equal(volumeMounts(["/shared/sw", "/shared/sw"]), [{ mountPath: "/shared/sw" }]);
  assert.equal(volumeMounts(["/tmp/sw", "/work/augsal"]), [
    { mountPath: "/tmp", subPath: "tmp" },
    { mountPath: "/work", subPath: "work" },
  ]);
});

t("sweep.sbatch: the array, throttle, resources and log paths of the plan", () => {
  const s = sbatchScript(job("/shared/sw"));
  assert.equal(sbatchLines(s), [
    "#SBATCH --job-name=augsal-test",
    "#SBATCH --array=0-4%2",
    "#SBATCH --ntasks=1",
    "#SBATCH --cpus-per-task=3",
    "#SBATCH --mem=1280M",
    "#SBATCH --time=0-01:35:00",
    "#SBATCH --output=/shared/sw/logs/sweep_%A_%a.out",
    "#SBATCH --error=/shared/sw/logs/sweep_%A_%a.err",
  ]);
  assert.ok(s.startsWith("#!/bin/bash\n"));
  assert.is(spawnSync("bash", ["-n"], { input: s }).status, 0, "bash -n");
});

t("sweep.sbatch runs `augsal sweep GRID --out DIR` on the task's CPUs, N pinned; quoting holds", () => {
  const tmp = mkdtempSync(join(tmpdir(), "augsal slurm '"));
  try {
    const j = job(join(tmp, "my sweep"));
    writeFileSync(join(tmp, "cli.js"), "");
    j.cli = join(tmp, "cli.js");
    const script = sbatchScript(j);
    // sbatch reads double quotes in #SBATCH lines (tried on Slurm 22.05), not shell escapes
    assert.ok(sbatchLines(script).includes(`#SBATCH --output="${j.dir}/logs/sweep_%A_%a.out"`));
    const r = runScript(script, tmp, { SLURM_ARRAY_TASK_ID: "3", SLURM_CPUS_PER_TASK: "3" });
    assert.is(r.status, 0, r.stderr);
    assert.equal(r.argv, ["SHARD_COUNT=5", j.cli, "sweep", j.grid, "--out", j.dir, "--workers", "3"]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

t("the scripts stop with a message in the log when node or augsal is not there", () => {
  const tmp = mkdtempSync(join(tmpdir(), "augsal-slurm-"));
  try {
    const j = job(tmp);
    const missingCli = runScript(sbatchScript(j), tmp, {});
    assert.is(missingCli.status, 2);
    assert.match(missingCli.stderr, /is not visible on .*: the sweep needs a file system every node shares/);
    writeFileSync(join(tmp, "cli.js"), "");
    const noNode = spawnSync("bash", ["-c", mergeSbatchScript({ ...j, cli: join(tmp, "cli.js") })], {
      env: { PATH: "/usr/bin:/bin", AUGSAL_NODE: "no-such-node-binary" },
      encoding: "utf8",
    });
    assert.is(noNode.status, 127);
    assert.match(noNode.stderr, /no-such-node-binary is not on PATH/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

t("merge.sbatch runs `augsal merge DIR` and is removed by Slurm when the array fails", () => {
  const tmp = mkdtempSync(join(tmpdir(), "augsal-slurm-"));
  try {
    const j = { ...job(tmp), cli: join(tmp, "cli.js") };
    writeFileSync(j.cli, "");
    const s = mergeSbatchScript(j);
    assert.ok(sbatchLines(s).includes("#SBATCH --kill-on-invalid-dep=yes"));
    assert.ok(sbatchLines(s).includes(`#SBATCH --output=${tmp}/logs/merge_%j.out`));
    const r = runScript(s, tmp, {});
    assert.is(r.status, 0, r.stderr);
    assert.equal(r.argv.slice(1), [j.cli, "merge", tmp]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

t("writeSlurmScripts writes both scripts and the logs folder", () => {
  const tmp = mkdtempSync(join(tmpdir(), "augsal-slurm-"));
  try {
    const w = writeSlurmScripts(job(tmp));
    assert.is(readFileSync(w.sweep, "utf8"), sbatchScript(job(tmp)));
    assert.is(readFileSync(w.merge, "utf8"), mergeSbatchScript(job(tmp)));
    assert.is(readFileSync(join(tmp, "logs", ".keep"), "utf8"), "");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

t("paths must be absolute, N and K positive", () => {
  assert.throws(() => sbatchScript(job("rel/dir")), /must be absolute/);
  assert.throws(() => sbatchScript(job("/d", { shards: 0 })), /--shards must be at least 1/);
  assert.throws(() => sbatchScript(job("/d", { throttle: 0 })), /--throttle must be at least 1/);
  assert.throws(() => sbatchScript(job("/d/100%")), /has % or "/);
});

t("k8s: an Indexed Job of N completions, K in parallel, the same command with N pinned", () => {
  const tmp = mkdtempSync(join(tmpdir(), "augsal-k8s-"));
  try {
    const j = { ...job(join(tmp, "sw")), cli: join(tmp, "cli.js") };
    const y = k8sManifest(j);
    const line = (key: string) =>
      y
        .split("\n")
        .find((l) => l.trimStart().startsWith(`${key}:`))
        ?.trim();
    assert.is(line("kind"), "kind: Job");
    assert.is(line("completionMode"), "completionMode: Indexed");
    assert.is(line("completions"), "completions: 5");
    assert.is(line("parallelism"), "parallelism: 2");
    // the sweep folder and the checkout (cli.js's parent's parent) share tmp's parent
    assert.is(line("mountPath"), `mountPath: ${JSON.stringify(join(tmp, ".."))}`);
    assert.match(y, /name: AUGSAL_SHARD_COUNT\n\s+value: "5"/);
    // the container's command is a JSON (so YAML) list; sh runs it as the pod would
    const command = JSON.parse(line("command")!.slice("command: ".length)) as string[];
    assert.is(command[0], "sh");
    writeFileSync(j.cli, "");
    const bin = join(tmp, "bin");
    spawnSync("mkdir", [bin]);
    writeFileSync(join(bin, "node"), '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n');
    chmodSync(join(bin, "node"), 0o755);
    const r = spawnSync(command[0], command.slice(1), {
      env: { PATH: `${bin}:/usr/bin:/bin`, JOB_COMPLETION_INDEX: "4", AUGSAL_SHARD_COUNT: "5" },
      encoding: "utf8",
    });
    assert.is(r.status, 0, r.stderr);
    assert.equal(r.stdout.split("\n").slice(0, -1), [j.cli, "sweep", j.grid, "--out", j.dir, "--workers", "3"]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

t.run();
