// The error of bad input (a flag, a file, a folder): the CLI prints its message and exits with code 2.
// It lives here, below the study, so the run-folder modules of src/node can raise it too; the study's
// configuration module re-exports it.
export class UsageError extends Error {
  override name = "UsageError";
}
