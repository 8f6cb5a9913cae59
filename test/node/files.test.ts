import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeNpy, decodeNpy, writeAtomic, writeAtomicMany, toJson } from "../../src/node/files.js";
import { FileError } from "../../src/node/atomic.js";
import { MANIFEST, RunFolder, sha256Hex } from "../../src/node/runfolder.js";

const files = suite("node/files");

files("npy: the header is NumPy 1.0 with a 64-byte aligned data start, and data round-trips", () => {
  const data = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 0.5 - 3);
  const bytes = encodeNpy(data, [2, 3, 4]);
  assert.equal(Array.from(bytes.subarray(0, 8)), [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const hlen = bytes[8] | (bytes[9] << 8);
  assert.is((10 + hlen) % 64, 0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + hlen));
  assert.ok(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }"), header);
  assert.ok(header.endsWith("\n"));
  const back = decodeNpy(bytes);
  assert.equal(back.shape, [2, 3, 4]);
  assert.equal(Array.from(back.data), Array.from(data));
  assert.ok(decodeNpy(encodeNpy(Float32Array.from([1, 2]), [2])).shape.length === 1);
});

files("npy: a shape that does not match the data is an error", () => {
  assert.throws(() => encodeNpy(new Float32Array(5), [2, 3]), /shape \(2, 3\) holds 6 values/);
});

files("writeAtomic leaves the file complete and no temp files behind", () => {
  const dir = mkdtempSync(join(tmpdir(), "augsal-files-"));
  try {
    const p = join(dir, "sub", "a.json");
    writeAtomic(p, toJson({ a: 1 }));
    writeAtomic(p, toJson({ a: 2 }));
    assert.is(readFileSync(p, "utf8"), '{\n  "a": 2\n}\n');
    assert.equal(readdirSync(join(dir, "sub")), ["a.json"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every file under `dir`, relative and '/'-separated, sorted (folders by their files). */
function tree(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((e) => {
      const p = join(dir, e);
      return statSync(p).isDirectory() ? [`${e}/`, ...tree(p).map((f) => `${e}/${f}`)] : [e];
    })
    .sort();
}

// writeAtomicMany writes files of ONE open run folder with RunFolder.writeMany; any other mix (two run
// folders, or a file outside every run folder) takes the fallback: each file on its own, through its
// run folder's write() if it has one. These two tests make that mix happen.
files("writeAtomicMany over two run folders and a plain folder: every file whole, listed, nothing else left", () => {
  const root = mkdtempSync(join(tmpdir(), "augsal-many-"));
  const [a, b] = [RunFolder.create(join(root, "a"), "t").activate(), RunFolder.create(join(root, "b"), "t").activate()];
  try {
    const plain = join(root, "plain");
    const data = {
      a1: toJson({ a: 1 }),
      a2: new Uint8Array(100_000).map((_, i) => i % 251),
      b1: new Uint8Array([1, 2, 3]),
      p1: "plain text\n",
    };
    const batch = (suffix: string) => [
      { path: join(root, "a", "x.json"), data: data.a1 + suffix },
      { path: join(root, "b", "w.bin"), data: data.b1 },
      { path: join(plain, "p.txt"), data: data.p1 + suffix },
      { path: join(root, "a", "sub", "y.bin"), data: data.a2 },
    ];
    writeAtomicMany(batch("old"));
    writeAtomicMany(batch("")); // over the files just written
    assert.is(readFileSync(join(root, "a", "x.json"), "utf8"), data.a1);
    assert.equal(new Uint8Array(readFileSync(join(root, "a", "sub", "y.bin"))), data.a2);
    assert.equal([...readFileSync(join(root, "b", "w.bin"))], [1, 2, 3]);
    assert.is(readFileSync(join(plain, "p.txt"), "utf8"), data.p1);
    // each run folder lists its own files with their checksums (what a later read checks)
    const listed = (dir: string) => JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")).files;
    assert.equal(listed(join(root, "a")), {
      "sub/y.bin": { sha256: sha256Hex(data.a2), bytes: data.a2.length },
      "x.json": { sha256: sha256Hex(Buffer.from(data.a1)), bytes: data.a1.length },
    });
    assert.equal(listed(join(root, "b")), { "w.bin": { sha256: sha256Hex(data.b1), bytes: 3 } });
    assert.ok(a.has("x.json") && a.has("sub/y.bin") && b.has("w.bin"));
    assert.equal(tree(root), [
      "a/",
      "a/manifest.json",
      "a/sub/",
      "a/sub/y.bin",
      "a/x.json",
      "b/",
      "b/manifest.json",
      "b/w.bin",
      "plain/",
      "plain/p.txt",
    ]);
  } finally {
    a.deactivate();
    b.deactivate();
    rmSync(root, { recursive: true, force: true });
  }
});

files(
  "writeAtomicMany's fallback stops at a file it cannot write: the earlier ones whole and listed, no temp file",
  () => {
    const root = mkdtempSync(join(tmpdir(), "augsal-many-"));
    const [a, b] = [
      RunFolder.create(join(root, "a"), "t").activate(),
      RunFolder.create(join(root, "b"), "t").activate(),
    ];
    try {
      // a folder where the third file should go: its temp file is written, then renaming it over the folder fails
      mkdirSync(join(root, "plain", "p.txt"), { recursive: true });
      const target = join(root, "plain", "p.txt");
      try {
        writeAtomicMany([
          { path: join(root, "a", "x.json"), data: "x\n" },
          { path: join(root, "b", "w.bin"), data: new Uint8Array([9, 8]) },
          { path: target, data: "never\n" },
          { path: join(root, "a", "later.json"), data: "later\n" },
        ]);
        assert.unreachable("the write over a folder succeeded");
      } catch (e) {
        assert.instance(e, FileError);
        assert.is((e as FileError).path, target);
        assert.match(
          (e as Error).message,
          /^cannot move \.augsal-\d+-\d+\.tmp over .*p\.txt: it is a folder \(EISDIR\)$/,
        );
      }
      assert.is(readFileSync(join(root, "a", "x.json"), "utf8"), "x\n");
      assert.equal([...readFileSync(join(root, "b", "w.bin"))], [9, 8]);
      assert.ok(a.has("x.json") && b.has("w.bin"));
      assert.not.ok(a.has("later.json"));
      // no temp file (.augsal-<pid>-<n>.tmp) in plain/ or anywhere, and nothing written after the failure
      assert.equal(tree(root), [
        "a/",
        "a/manifest.json",
        "a/x.json",
        "b/",
        "b/manifest.json",
        "b/w.bin",
        "plain/",
        "plain/p.txt/",
      ]);
    } finally {
      a.deactivate();
      b.deactivate();
      rmSync(root, { recursive: true, force: true });
    }
  },
);

files.run();
