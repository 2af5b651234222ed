// Progress for anything slower than a moment: a notification with a cancel button whose token
// becomes an AbortSignal for the client.
import * as vscode from 'vscode';

export function withProgress<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (_progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        return await task(controller.signal);
      } finally {
        subscription.dispose();
      }
    },
  );
}

/** Shows a spinner on the tree view's badge area while loading pages. */
export function withViewProgress<T>(viewId: string, task: () => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: { viewId } }, task);
}
