// One log for the whole extension. The sink is a vscode LogOutputChannel in production and a plain
// array in tests; every line passes through `redact` with the secrets registered so far.
import { redact } from './redact';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** What a LogOutputChannel offers; kept narrow so tests can supply a recorder. */
export interface LogSink {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Logger extends LogSink {
  /** Registers a value that must never appear in the log (a key being handled, a connection string). */
  addSecret(secret: string): void;
  show?(): void;
}

export function createLogger(sink: LogSink & { show?(preserveFocus?: boolean): void }): Logger {
  const secrets = new Set<string>();
  const write = (level: LogLevel) => (message: string) => sink[level](redact(message, secrets));
  return {
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    addSecret: (secret) => {
      if (secret) secrets.add(secret);
    },
    show: () => sink.show?.(true),
  };
}
