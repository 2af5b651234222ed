// The one error path: every command and every failed background action ends here. Cancelling is
// silent; everything else is logged in full and shown briefly with buttons that act.
import * as vscode from 'vscode';
import { actionLabels, describeError, type ErrorAction } from '../common/errorPresentation';
import type { Logger } from '../common/logger';

/** What the buttons do; the composition root supplies them. */
export type ErrorActionHandlers = Partial<Record<ErrorAction, () => unknown>>;

export class ErrorHandler {
  constructor(
    private readonly logger: Logger,
    private readonly defaultHandlers: ErrorActionHandlers,
  ) {}

  /** Logs and shows an error. `handlers` override the defaults for this one error (e.g. a retry of this command). */
  async report(error: unknown, context: string, handlers: ErrorActionHandlers = {}): Promise<void> {
    const described = describeError(error, context);
    if (described.message === null) {
      this.logger.debug(described.logLine);
      return;
    }
    this.logger.error(described.logLine);
    const all: ErrorActionHandlers = { showLogs: () => this.logger.show?.(), ...this.defaultHandlers, ...handlers };
    const actions = described.actions.filter((a) => all[a] !== undefined);
    const choice = await vscode.window.showErrorMessage(described.message, ...actions.map((a) => actionLabels[a]));
    const picked = actions.find((a) => actionLabels[a] === choice);
    if (picked) await all[picked]?.();
  }

  /** Runs `task`; any failure goes through `report` and the command resolves normally. */
  async run(context: string, task: () => Promise<unknown>, handlers: ErrorActionHandlers = {}): Promise<void> {
    try {
      await task();
    } catch (error) {
      await this.report(error, context, handlers);
    }
  }
}
