// Run-folder ownership: the manifest lists every file before it is written, --force (clear) removes
// only listed files, a folder that is not a run is refused, checksums catch damage, --out paths that
// cannot be a run folder are refused before anything is written.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  MANIFEST,
  RunFolder,
  checkOutPath,
  foreignFolderError,
  inspectFolder,
  sha256Hex,
} from "../../src/node/runfolder.js";
import { FileError, writeAtomic } from "../../src/node/atomic.js";
import { RunFileError } from "../../src/node/schemas.js";
import { UsageError } from "../../src/study/config.js";

const rf = suite("node/runfolder");
const tmp = mkdtempSync(join(tmpdir(), "augsal-runfolder-"));
let n = 0;
const fresh = () => join(tmp, `f${n++}`);

rf("a new run lists each file with its SHA-256 and size; has() and read() agree with the bytes", () => {
  const dir = fresh();
  const run = RunFolder.create(dir, "0.0.0-test");
  run.writeJson("config.json", { a: 1 });
  run.write("weights/orig-seed0.bin", new Uint8Array([1, 2, 3]));
  const m = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8"));
  assert.is(m.format, "augsal-run");
  assert.equal(Object.keys(m.files), ["config.json", "weights/orig-seed0.bin"]);
  assert.equal(m.files["weights/orig-seed0.bin"], { sha256: sha256Hex(new Uint8Array([1, 2, 3])), bytes: 3 });
  assert.ok(run.has("weights/orig-seed0.bin"));
  assert.not.ok(run.has("weights/blur-seed0.bin"));
  assert.equal([...run.read("weights/orig-seed0.bin", "repair")], [1, 2, 3]);
  const st = inspectFolder(dir);
  assert.is(st.kind, "run");
});

rf("a damaged, truncated, missing or unlisted file is an error naming it and the repair", () => {
  const dir = fresh();
  const run = RunFolder.create(dir, "t");
  run.write("weights/a.bin", new Uint8Array(64).fill(7));
  const p = join(dir, "weights", "a.bin");
  const flipped = readFileSync(p);
  flipped[10] ^= 1;
  writeFileSync(p, flipped);
  const expectErr = (rel: string, re: RegExp) => {
    try {
      run.read(rel, "run 'x' to repair it");
      assert.unreachable("no error");
    } catch (e) {
      assert.instance(e, RunFileError);
      assert.instance(e, UsageError);
      assert.match((e as Error).message, re);
      assert.match((e as Error).message, /run 'x' to repair it/);
    }
  };
  expectErr("weights/a.bin", new RegExp(`${p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: is damaged \\(its SHA-256`));
  writeFileSync(p, flipped.subarray(0, 10));
  expectErr("weights/a.bin", /10 bytes, the manifest records 64/);
  writeFileSync(join(dir, "weights", "b.bin"), "x");
  expectErr("weights/b.bin", /not listed/);
  expectErr("weights/c.bin", /not listed/);
});

rf("clear (--force) removes listed files and their emptied folders, never anything else", () => {
  const dir = fresh();
  const run = RunFolder.create(dir, "t");
  run.write("figures/figure1.png", "png");
  run.write("report.html", "<html>");
  run.write("history/x.json", "{}");
  writeFileSync(join(dir, "figures", "thesis-figure.pdf"), "mine");
  writeFileSync(join(dir, "notes.txt"), "mine too");
  writeFileSync(join(dir, ".augsal-999999-0.tmp"), "half");
  mkdirSync(join(dir, "weights"));
  writeFileSync(join(dir, "weights", ".123.4.tmp"), "old temp");
  const removed = run.clear();
  assert.is(removed, 3);
  assert.equal(readdirSync(dir).sort(), ["figures", "manifest.json", "notes.txt", "weights"]);
  assert.equal(readdirSync(join(dir, "figures")), ["thesis-figure.pdf"]);
  assert.equal(JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")).files, {});
});

rf("a file listed as being written (killed mid-write) is not finished, and clear removes it", () => {
  const dir = fresh();
  const run = RunFolder.create(dir, "t");
  run.write("weights/a.bin", "done");
  const m = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8"));
  m.files["weights/b.bin"] = { sha256: null, bytes: null };
  writeFileSync(join(dir, MANIFEST), JSON.stringify(m));
  writeFileSync(join(dir, "weights", "b.bin"), "half");
  const st = inspectFolder(dir);
  assert.is(st.kind, "run");
  const again = RunFolder.open(dir, (st as unknown as { manifest: never }).manifest);
  assert.not.ok(again.has("weights/b.bin"));
  assert.throws(() => again.read("weights/b.bin", "r"), /being written/);
  again.clear();
  assert.not.ok(existsSync(join(dir, "weights")));
});

rf("removeStaleTemps removes augsal's temp files in the run's folders only", () => {
  const dir = fresh();
  const run = RunFolder.create(dir, "t");
  run.write("saliency/q.npy", "x");
  writeFileSync(join(dir, ".augsal-1-2.tmp"), "");
  writeFileSync(join(dir, "saliency", ".77.3.tmp"), "");
  writeFileSync(join(dir, "saliency", "mine.tmp"), "");
  assert.equal(run.removeStaleTemps().sort(), [".augsal-1-2.tmp", "saliency/.77.3.tmp"]);
  assert.ok(existsSync(join(dir, "saliency", "mine.tmp")));
});

rf("inspectFolder: absent, empty (bookkeeping only), foreign (named with its entries), run", () => {
  assert.is(inspectFolder(join(tmp, "nope")).kind, "absent");
  const e = fresh();
  mkdirSync(join(e, ".augsal.lock"), { recursive: true });
  assert.is(inspectFolder(e).kind, "empty");
  const f = fresh();
  mkdirSync(join(f, "figures"), { recursive: true });
  writeFileSync(join(f, "report.html"), "thesis");
  const st = inspectFolder(f);
  assert.is(st.kind, "foreign");
  const err = foreignFolderError(f, st as { entries: string[]; why: string }, true);
  assert.instance(err, UsageError);
  assert.match(err.message, new RegExp(`--out ${f}: it is not an augsal run`));
  assert.match(err.message, /figures, report\.html/);
  assert.match(err.message, /--force removes only files augsal wrote/);
  const legacy = fresh();
  mkdirSync(legacy);
  writeFileSync(join(legacy, "config.json"), "{}");
  assert.match((inspectFolder(legacy) as { why: string }).why, /config\.json but no manifest\.json/);
});

rf("a damaged manifest is an error naming the file and field; paths outside the folder are refused", () => {
  const dir = fresh();
  RunFolder.create(dir, "t").write("a.json", "{}");
  const p = join(dir, MANIFEST);
  const good = JSON.parse(readFileSync(p, "utf8"));
  const cases: [unknown, RegExp][] = [
    [null, /field \(the whole file\): expected object/],
    [{}, /field format/],
    [{ ...good, files: { "../../thesis.pdf": { sha256: null, bytes: null } } }, /relative path inside the run folder/],
    [{ ...good, files: { "/etc/passwd": { sha256: null, bytes: null } } }, /relative path inside the run folder/],
    [{ ...good, files: { "a.json": { sha256: "zz", bytes: 2 } } }, /files\.a\.json\.sha256/],
  ];
  for (const [value, re] of cases) {
    writeFileSync(p, JSON.stringify(value));
    try {
      inspectFolder(dir);
      assert.unreachable(JSON.stringify(value));
    } catch (e) {
      assert.instance(e, RunFileError);
      assert.match((e as Error).message, re);
      assert.ok((e as Error).message.startsWith(p), (e as Error).message);
    }
  }
  writeFileSync(p, good ? JSON.stringify(good).slice(0, 20) : "");
  assert.throws(() => inspectFolder(dir), /not valid JSON/);
  writeFileSync(p, "");
  assert.throws(() => inspectFolder(dir), /the file is empty/);
});

rf("checkOutPath: a file, a path under a file, too long, not writable: a UsageError naming --out", () => {
  const file = join(tmp, "a-file");
  writeFileSync(file, "x");
  const expect = (out: string, re: RegExp) => {
    try {
      checkOutPath(out);
      assert.unreachable(out);
    } catch (e) {
      assert.instance(e, UsageError);
      assert.ok((e as Error).message.startsWith(`--out ${out}: `), (e as Error).message);
      assert.match((e as Error).message, re);
    }
  };
  expect(file, /it is a file, not a folder/);
  expect(join(file, "sub", "run"), new RegExp(`${file} is a file, not a folder`));
  expect(join(tmp, "x".repeat(300)), /is too long/);
  expect(join(tmp, ...Array.from({ length: 40 }, () => "y".repeat(120))), /the path is too long/);
  checkOutPath(join(tmp, "new", "deeper"));
  if (process.getuid?.() !== 0) {
    const ro = fresh();
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    expect(join(ro, "run"), /not writable/);
    chmodSync(ro, 0o700);
  }
});

rf("writeAtomic: an I/O error names the target file and leaves no temp file", () => {
  const dir = fresh();
  mkdirSync(join(dir, "blocker"), { recursive: true });
  try {
    writeAtomic(join(dir, "blocker"), "x");
    assert.unreachable("renamed over a folder");
  } catch (e) {
    assert.instance(e, FileError);
    assert.match((e as Error).message, new RegExp(`${join(dir, "blocker")}: `));
  }
  assert.equal(readdirSync(dir), ["blocker"]);
  if (existsSync("/dev/full")) {
    // /dev/full: every write fails with ENOSPC; the temp file cannot be placed there, so write through a symlinked dir
    try {
      writeAtomic("/dev/full/x", "x");
      assert.unreachable("wrote under /dev/full");
    } catch (e) {
      assert.instance(e, FileError);
      assert.match((e as Error).message, /\/dev\/full/);
    }
  }
});

rf.after(() => {});
rf.run();
