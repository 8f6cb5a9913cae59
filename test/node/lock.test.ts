// One writer per run folder: a second process is refused naming the holder, a killed holder's lock is
// taken over at once, two processes racing for a new folder never both win, a stale lock of another
// host is taken over after the stale threshold and a fresh one is not.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LOCK_EXIT_CODE, LockError, lockRunFolder } from "../../src/node/lock.js";
import { LOCK_DIR } from "../../src/node/lock-holder.js";

const lk = suite("node/lock");
const tmp = mkdtempSync(join(tmpdir(), "augsal-lock-"));
const child = fileURLToPath(new URL("./fixtures/lock-child.js", import.meta.url));
let n = 0;
const fresh = () => {
  const d = join(tmp, `d${n++}`);
  mkdirSync(d);
  return d;
};

function start(dir: string, mode = ""): { proc: ChildProcess; line: Promise<string>; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, [child, dir, mode], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  const line = new Promise<string>((resolve) => {
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0]);
    });
    proc.on("exit", () => resolve(out.split("\n")[0]));
  });
  const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, line, exit };
}

lk("a second process is refused with the holder's host, pid and start time, and exit code 3", async () => {
  const dir = fresh();
  const a = start(dir);
  assert.match(await a.line, /^locked \d+ fresh$/);
  try {
    await lockRunFolder(dir);
    assert.unreachable("locked twice");
  } catch (e) {
    assert.instance(e, LockError);
    const m = (e as Error).message;
    assert.match(m, new RegExp(`process ${a.proc.pid} on ${hostname()} since \\d{4}-\\d\\d-\\d\\dT`));
    assert.match(m, /lock-child/);
    assert.match(m, /another --out/);
  }
  const b = start(dir);
  assert.match(await b.line, /^held: .* is being written by process/);
  assert.is(await b.exit, LOCK_EXIT_CODE);
  a.proc.kill("SIGKILL");
  await a.exit;
});

lk("the lock of a killed process is taken over at once; release removes the lock", async () => {
  const dir = fresh();
  const a = start(dir);
  assert.match(await a.line, /^locked/);
  a.proc.kill("SIGKILL");
  await a.exit;
  assert.ok(existsSync(join(dir, LOCK_DIR)), "a killed holder leaves its lock");
  const t0 = Date.now();
  const lock = await lockRunFolder(dir);
  assert.ok(lock.tookOver);
  assert.ok(Date.now() - t0 < 5000, "not after the stale threshold");
  await lock.release();
  assert.not.ok(existsSync(join(dir, LOCK_DIR)));
  const again = await lockRunFolder(dir);
  assert.not.ok(again.tookOver);
  await again.release();
});

lk("two processes racing for one folder: exactly one wins, every time", async () => {
  for (let i = 0; i < 3; i++) {
    const dir = fresh();
    const a = start(dir, "release-on-eof");
    const b = start(dir, "release-on-eof");
    const lines = await Promise.all([a.line, b.line]);
    assert.is(lines.filter((l) => l.startsWith("locked")).length, 1, lines.join(" / "));
    assert.is(lines.filter((l) => l.startsWith("held:")).length, 1, lines.join(" / "));
    a.proc.stdin!.end();
    b.proc.stdin!.end();
    const codes = await Promise.all([a.exit, b.exit]);
    assert.equal(codes.sort(), [0, LOCK_EXIT_CODE]);
    assert.not.ok(existsSync(join(dir, LOCK_DIR)));
  }
});

lk("another host's lock: refused while fresh, taken over once stale (mtime older than the threshold)", async () => {
  const dir = fresh();
  const lockDir = join(dir, LOCK_DIR);
  mkdirSync(lockDir);
  writeFileSync(
    join(lockDir, "holder.json"),
    JSON.stringify({ host: "elsewhere.example", pid: 1, since: "2026-01-01T00:00:00.000Z" }),
  );
  try {
    await lockRunFolder(dir, { stale: 3000, update: 1000 });
    assert.unreachable("took a fresh lock of another host");
  } catch (e) {
    assert.instance(e, LockError);
    assert.match((e as Error).message, /process 1 on elsewhere\.example since 2026-01-01/);
  }
  const old = new Date(Date.now() - 60_000);
  utimesSync(lockDir, old, old);
  const lock = await lockRunFolder(dir, { stale: 3000, update: 1000 });
  await lock.release();
  assert.not.ok(existsSync(lockDir));
});

lk("the holder refreshes its lock, so it does not go stale while held", async () => {
  const dir = fresh();
  const lock = await lockRunFolder(dir, { stale: 2000, update: 1000 });
  await new Promise((r) => setTimeout(r, 3500));
  try {
    await lockRunFolder(dir, { stale: 2000, update: 1000 });
    assert.unreachable("a refreshed lock was taken");
  } catch (e) {
    assert.instance(e, LockError);
  }
  assert.is(lock.lost(), undefined);
  await lock.release();
});

lk.run();
