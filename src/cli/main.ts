// augsal's command line: parses flags (./parse.ts) and calls one command (./commands.ts, ./serve.ts).
// Everything below it can be called from a test or another program. Usage errors exit with code 2
// before any work or any file is touched. src/cli.ts (dist/cli.js) is the executable that calls main.
import { UsageError } from "../study/config.js";
import { VERSION } from "../version.js";
import { helpText, parseCli, type ParsedCli } from "./parse.js";
import { installCleanExit } from "../node/clean-exit.js";
import { LockError, LOCK_EXIT_CODE } from "../node/lock.js";

/** A logger for a terminal (one updating progress line) or a pipe (plain lines). */
export function consoleLogger(stream: NodeJS.WriteStream = process.stderr): {
  info(l: string): void;
  progress(l: string): void;
} {
  const tty = !!stream.isTTY;
  let active = false;
  return {
    info(line: string) {
      if (active) stream.write("\r\x1b[2K");
      active = false;
      stream.write(line + "\n");
    },
    progress(line: string) {
      if (!tty) {
        stream.write(line + "\n");
        return;
      }
      const cols = stream.columns || 100;
      stream.write("\r\x1b[2K" + (line.length >= cols ? line.slice(0, cols - 2) + "…" : line));
      active = true;
    },
  };
}

/** Run the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  installCleanExit({ signals: argv[0] !== "serve" });
  if (argv[0] === "serve") return (await import("./serve.js")).serveMain(argv.slice(1));
  let p: ParsedCli;
  try {
    p = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`augsal: ${e.message}\n(run with --help for the flags)\n`);
      return 2;
    }
    throw e;
  }
  if (p.version) {
    process.stdout.write(VERSION + "\n");
    return 0;
  }
  if (p.help) {
    process.stdout.write(helpText());
    return 0;
  }
  const log = consoleLogger();
  try {
    const { runCommand } = await import("./commands.js");
    return await runCommand(p, log);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`augsal: ${e.message}\n`);
      return 2;
    }
    if (e instanceof LockError) {
      process.stderr.write(`augsal: ${e.message}\n`);
      return LOCK_EXIT_CODE;
    }
    // A failure that is not the user's input: say what failed; the stack only on request.
    const err = e as Error;
    process.stderr.write(`augsal: ${err.message ?? err}\n`);
    if (process.env.AUGSAL_DEBUG) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write("(set AUGSAL_DEBUG=1 for the stack trace)\n");
    return 1;
  }
}
