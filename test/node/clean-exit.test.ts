// Clean ends: a closed stdout ends the process quietly (exit 0, no stack trace); SIGINT and SIGTERM
// run the stop handlers, say what is kept and how to resume, and exit 130 / 143.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ce = suite("node/clean-exit");
const child = fileURLToPath(new URL("./fixtures/clean-exit-child.js", import.meta.url));

ce("a reader that leaves (| head -1) ends the writer quietly with exit 0", async () => {
  const p = spawn(process.execPath, [child, "flood"], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  p.stderr.on("data", (d: Buffer) => (err += d));
  await new Promise<void>((r) => p.stdout.once("data", () => r()));
  p.stdout.destroy();
  const code = await new Promise<number | null>((r) => p.on("exit", (c) => r(c)));
  assert.is(code, 0, err);
  assert.is(err, "");
});

for (const [sig, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  ce(`${sig}: the stop handlers run, the message says what is kept, exit ${code}`, async () => {
    const p = spawn(process.execPath, [child, "wait"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err += d));
    await new Promise<void>((r) => p.stdout.once("data", () => r()));
    p.kill(sig);
    const c = await new Promise<number | null>((r) => p.on("exit", (x) => r(x)));
    assert.is(c, code, err);
    assert.match(err, new RegExp(`augsal: stopped by ${sig}`));
    assert.match(err, /kept 2 finished models \(stopped: true\); run 'again' to resume/);
    assert.not.match(err, /at .*\.js:\d+/);
  });
}

ce.run();
