#!/usr/bin/env node
// The `augsal` executable (package.json "bin", `node dist/cli.js`): runs src/cli/main.ts's main on the
// process's arguments. Importing this module from another (a test) runs nothing.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { main } from "./cli/main.js";

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isMain) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
