// The one error path: every command and every failed background action ends here. Cancelling is
// silent; everything else is logged in full and shown briefly with buttons that act. The toast is
// never awaited by the command that failed: the command ends at once, and a button's action
// (a Retry, say) starts afresh instead of running inside the failed command.
import * as vscode from 'vscode';
import { actionLabels, describeError, type ErrorAction } from '../common/errorPresentation';
import type { Logger } from '../common/logger';

export type ErrorActionHandler = () => unknown;

/** What the buttons do for one error; `retry` is usually the failed command run again. */
export type ErrorActionHandlers = Partial<Record<ErrorAction, ErrorActionHandler>>;

/** Every action the mapping can offer has a default, except retry (only the caller knows what to re-run) and showLogs (built in). */
export type DefaultErrorActionHandlers = Record<Exclude<ErrorAction, 'retry' | 'showLogs'>, ErrorActionHandler>;

/** Waits before a Retry the service asked to delay (429 Retry-After). */
export type RetryWait = (ms: number) => Promise<void>;

/** Longest wait honoured before a retry; a longer Retry-After is better retried by hand. */
const MAX_RETRY_WAIT_MS = 60_000;

const realWait: RetryWait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ErrorHandler {
  constructor(
    private readonly logger: Logger,
    private readonly defaultHandlers: DefaultErrorActionHandlers,
    private readonly wait: RetryWait = realWait,
  ) {}

  /**
   * Logs an error and shows it. Returns when the person's choice (if any) has been acted on; a
   * command must not await that (see `run`), tests may. `handlers` override the defaults for this error.
   */
  report(error: unknown, context: string, handlers: ErrorActionHandlers = {}): Promise<void> {
    const described = describeError(error, context);
    if (described.message === null) {
      this.logger.debug(described.logLine);
      return Promise.resolve();
    }
    this.logger.error(described.logLine);
    const all: ErrorActionHandlers = { showLogs: () => this.logger.show?.(), ...this.defaultHandlers, ...handlers };
    // Only a retry can be missing (nothing to re-run); every other mapped action has a handler by type.
    const actions = described.actions.filter((a) => all[a] !== undefined);
    const act = async (choice: string | undefined): Promise<void> => {
      const picked = actions.find((a) => actionLabels[a] === choice);
      if (picked === undefined) return;
      if (picked === 'retry' && described.retryAfterMs !== undefined && described.retryAfterMs > 0) {
        await this.wait(Math.min(described.retryAfterMs, MAX_RETRY_WAIT_MS));
      }
      await all[picked]?.();
    };
    return Promise.resolve(vscode.window.showErrorMessage(described.message, ...actions.map((a) => actionLabels[a])))
      .then(act)
      .catch((failure: unknown) => this.logger.error(`${context}: the chosen action failed: ${failure instanceof Error ? failure.message : String(failure)}`));
  }

  /**
   * Runs `task`; a failure is logged and shown, and the returned promise resolves without waiting
   * for the toast. Retry, unless `handlers` says otherwise, runs `task` again as a fresh run.
   */
  async run(context: string, task: () => Promise<unknown>, handlers: ErrorActionHandlers = {}): Promise<void> {
    try {
      await task();
    } catch (error) {
      const retry = handlers.retry ?? (() => this.run(context, task, handlers));
      void this.report(error, context, { ...handlers, retry });
    }
  }
}
