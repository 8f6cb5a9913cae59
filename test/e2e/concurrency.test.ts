// One writer per run folder, end to end: two studies started at once on one new folder (one wins, the
// other is refused with the lock's exit code or as another configuration, and the folder holds one
// configuration's files), and a killed lock holder whose run is then resumed at once.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SMALLEST_STUDY, studyFlags, tinyData } from "./idx-subset.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const cliPath = join(root, "dist", "cli.js");
const cc = suite("study/concurrency");
const LOCK_CODE = 3;

const tmp = mkdtempSync(join(tmpdir(), "augsal-conc-"));
const data = tinyData(join(tmp, "data"), 300, 100);
const TINY = studyFlags(data, SMALLEST_STUDY);

function start(args: string[]) {
  const p = spawn(process.execPath, [cliPath, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  let stderr = "";
  p.stderr.on("data", (d: Buffer) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((r) =>
    p.on("close", (code) => r({ code, stderr })),
  );
  return { p, done, stderr: () => stderr };
}

cc(
  "two studies of different configurations started at once on one new folder: one writes, the other is refused",
  async () => {
    for (let i = 0; i < 2; i++) {
      const out = join(tmp, `race${i}`);
      const a = start([...TINY, "--epochs", "1", "--out", out]);
      const b = start([...TINY, "--epochs", "2", "--out", out]);
      const [ra, rb] = await Promise.all([a.done, b.done]);
      const codes = [ra.code, rb.code];
      assert.is(codes.filter((c) => c === 0).length, 1, `${ra.stderr}\n---\n${rb.stderr}`);
      const loser = ra.code === 0 ? rb : ra;
      assert.ok(loser.code === LOCK_CODE || loser.code === 2, loser.stderr);
      // Refused by the lock while the winner writes (exit 3), or by the winner's finished configuration (exit 2).
      if (loser.code === LOCK_CODE)
        assert.match(loser.stderr, /is being written by process \d+ on .* since /, loser.stderr);
      else assert.match(loser.stderr, /holds a run of another configuration \(epochs/, loser.stderr);
      const winnerEpochs = ra.code === 0 ? 1 : 2;
      const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
      const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
      assert.is(cfg.config.epochs, winnerEpochs);
      assert.is(res.config.epochs, winnerEpochs);
      assert.not.ok(existsSync(join(out, ".augsal.lock")));
    }
  },
);

cc("a killed lock holder: the same command resumes at once and ends as an uninterrupted run", async () => {
  const out = join(tmp, "killed");
  const a = start([...TINY, "--epochs", "3", "--out", out]);
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (/trained orig-seed|trained blur-seed/.test(a.stderr())) {
        clearInterval(t);
        resolve();
      }
    }, 20);
  });
  a.p.kill("SIGKILL");
  await a.done;
  const b = start([...TINY, "--epochs", "3", "--out", out]);
  const rb = await b.done;
  assert.is(rb.code, 0, rb.stderr);
  assert.match(rb.stderr, /resuming/);
  const ref = join(tmp, "uninterrupted");
  const c = await start([...TINY, "--epochs", "3", "--out", ref]).done;
  assert.is(c.code, 0, c.stderr);
  assert.ok(readFileSync(join(out, "results.json")).equals(readFileSync(join(ref, "results.json"))));
});

cc.after(() => rmSync(tmp, { recursive: true, force: true }));
cc.run();
