// Exit codes a pipeline can branch on.
export const EXIT_OK = 0; // no changes, no drift, or the command succeeded
export const EXIT_ERROR = 1; // bad usage, bad file, unreachable service, or an item that failed
export const EXIT_CHANGES = 2; // plan has changes / drift found

/** An error whose message is for the user as it is (no stack trace). */
export class CliError extends Error {
  /** `details`: extra fields of the --json error object (what a pipeline would otherwise parse out of the message). */
  constructor(message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'CliError';
  }
}
