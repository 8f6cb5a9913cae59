// Clean ends of the CLI process. SIGINT (Ctrl-C) and SIGTERM stop the workers, remove this process's
// temp files, release the run-folder lock, say what is kept and how to resume, and exit 130 / 143
// (128 + the signal number, the shell's convention). A closed stdout or stderr (`augsal report | head`)
// ends the process quietly instead of with an EPIPE stack trace. A second signal exits at once.
import { removeOpenTemps } from "./atomic.js";

export interface InterruptHandler {
  /** Stop work (terminate workers); awaited up to STOP_TIMEOUT_MS. */
  stop?(): Promise<void> | void;
  /** Synchronous last cleanup (release the lock). */
  cleanup?(): void;
  /** What is kept and how to resume, printed after the signal's name. */
  message?(): string | undefined;
}

export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
const STOP_TIMEOUT_MS = 5000;

const handlers = new Set<InterruptHandler>();
let installed = false;
let stopping = false;

/** Register what to do on a signal; returns the function that unregisters it. */
export function onInterrupt(h: InterruptHandler): () => void {
  handlers.add(h);
  return () => handlers.delete(h);
}

function write(stream: NodeJS.WriteStream, text: string): void {
  try {
    stream.write(text);
  } catch {
    // the terminal is gone: nothing to tell
  }
}

async function interrupt(signal: string, stderr: NodeJS.WriteStream): Promise<void> {
  const code = SIGNAL_EXIT[signal] ?? 1;
  if (stopping) process.exit(code);
  stopping = true;
  const list = [...handlers];
  await Promise.race([
    Promise.allSettled(list.map(async (h) => h.stop?.())),
    new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS).unref()),
  ]);
  const removed = removeOpenTemps();
  for (const h of list) {
    try {
      h.cleanup?.();
    } catch {
      // keep going: the other handlers still run
    }
  }
  const lines = list.map((h) => h.message?.()).filter((m): m is string => !!m);
  write(
    stderr,
    `\naugsal: stopped by ${signal}${removed ? ` (removed ${removed} unfinished temp file${removed > 1 ? "s" : ""})` : ""}\n`,
  );
  for (const l of lines) write(stderr, l + "\n");
  process.exit(code);
}

function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") {
      // The reader left (head, true): there is no one to tell; clean up and end.
      removeOpenTemps();
      for (const h of handlers) {
        try {
          h.cleanup?.();
        } catch {
          // best effort
        }
      }
      process.exit(process.exitCode ?? 0);
    }
    throw e;
  });
}

/**
 * Install the EPIPE and (with `signals`, the default) signal handlers once: the CLI does; `serve`,
 * whose normal end is a signal, keeps its own; library users keep theirs.
 */
export function installCleanExit(
  opts: { signals?: boolean } = {},
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): void {
  if (installed) return;
  installed = true;
  quietOnEpipe(stdout);
  quietOnEpipe(stderr);
  if (opts.signals !== false)
    for (const sig of Object.keys(SIGNAL_EXIT)) process.on(sig, () => void interrupt(sig, stderr));
  process.on("exit", () => {
    removeOpenTemps();
    for (const h of handlers) {
      try {
        h.cleanup?.();
      } catch {
        // best effort
      }
    }
  });
}
