// serve checks what the page will load against the run's manifest: a damaged weights file is named
// with the command that repairs it, before the server listens.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyServedFiles } from "../../src/cli/serve.js";
import { RunFolder } from "../../src/node/runfolder.js";
import { RunFileError } from "../../src/node/schemas.js";

const sv = suite("cli/serve-verify");

sv("a run whose files match passes; a flipped byte in a weights file is named with its repair", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "augsal-serve-verify-")), "run");
  const rf = RunFolder.create(dir, "t");
  rf.writeJson("config.json", { augsal: "t" });
  rf.write("weights/orig-seed0.bin", new Uint8Array(256).fill(3));
  verifyServedFiles(dir);
  const w = join(dir, "weights", "orig-seed0.bin");
  const b = readFileSync(w);
  b[200] ^= 0x10;
  writeFileSync(w, b);
  try {
    verifyServedFiles(dir);
    assert.unreachable("served damaged weights");
  } catch (e) {
    assert.instance(e, RunFileError);
    assert.ok((e as Error).message.startsWith(`${w}: is damaged`), (e as Error).message);
    assert.match((e as Error).message, /remove it and run 'node dist\/cli\.js study --out .*' to retrain orig-seed0/);
  }
});

sv.run();
