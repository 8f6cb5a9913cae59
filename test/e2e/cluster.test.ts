// `augsal sweep --slurm / --k8s / --submit` through the CLI, no cluster needed: usage errors before
// anything is written, and --k8s writing its manifest beside the sweep's records and split. (The
// writers themselves: test/sweep/slurm.test.ts; a real Slurm: ./slurm.test.ts.)
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { idxSubset } from "./slurm-harness.js";

const t = suite("sweep --slurm/--k8s flags");
const root = fileURLToPath(new URL("../../../../", import.meta.url));
const cli = (args: string[]) =>
  spawnSync(process.execPath, [join(root, "dist", "cli.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });

t("sweep: --submit without --slurm, --slurm with --shard or --dry-run, a bad --shards: exit 2, nothing written", () => {
  const tmp = mkdtempSync(join(tmpdir(), "augsal-slurm-cli-"));
  try {
    const grid = join(tmp, "grid.json");
    writeFileSync(grid, JSON.stringify({ seeds: [0], strengths: { blur: [1] } }));
    const out = join(tmp, "out");
    for (const [args, msg] of [
      [["--submit"], /--submit goes with --slurm or --k8s/],
      [["--throttle", "2"], /--throttle goes with --slurm or --k8s/],
      [["--slurm", "--shard", "0/2"], /--shard runs one slice here/],
      [["--k8s", "--dry-run"], /--dry-run writes nothing/],
      [["--slurm", "--shards", "0"], /--shards must be from 1 to 1000/],
      [["--slurm", "--shards", "x"], /--shards must be a positive integer/],
      [["--k8s", "--submit"], /--submit goes with --slurm/],
    ] as [string[], RegExp][]) {
      const r = cli(["sweep", grid, "--out", out, ...args]);
      assert.is(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.not.ok(existsSync(out), `${args.join(" ")}: nothing written`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

t("sweep --k8s --shards 3: the manifest, the records and the split of 3 shards", () => {
  const tmp = mkdtempSync(join(tmpdir(), "augsal-slurm-cli-"));
  try {
    mkdirSync(join(tmp, "data"));
    idxSubset(join(tmp, "data"), "train", 1000, "train");
    idxSubset(join(tmp, "data"), "t10k", 200, "t10k");
    const grid = join(tmp, "grid.json");
    writeFileSync(
      grid,
      JSON.stringify({
        datasets: [`idx:${join(tmp, "data")}`],
        seeds: [0],
        methods: ["vanilla"],
        strengths: { blur: [0.5, 1.5] },
        study: { epochs: 1, steps: 2, copies: 1, "train-per-class": 4, "val-per-class": 5, queries: 1 },
      }),
    );
    const out = join(tmp, "out");
    const r = cli(["sweep", grid, "--out", out, "--k8s", "--shards", "3", "--throttle", "2", "--workers", "2"]);
    assert.is(r.status, 0, r.stderr);
    const y = readFileSync(join(out, "sweep.k8s.yaml"), "utf8");
    assert.match(y, /\n  completions: 3\n  parallelism: 2\n/);
    assert.match(y, /--workers 2/);
    const split = JSON.parse(readFileSync(join(out, "shards.json"), "utf8")) as { n: number };
    assert.is(split.n, 3);
    for (const f of ["grid.json", "plan.json", "sweep.json"]) assert.ok(existsSync(join(out, f)), f);
    assert.not.ok(existsSync(join(out, "sweep.sbatch")), "no Slurm script without --slurm");
    assert.match(r.stdout, /cluster: \d+ jobs in 3 shards/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

t.run();
