// The one progress helper: a cancellable notification (or a tree view's busy bar) whose cancel
// button becomes an AbortSignal for the libraries, and a `report` that takes the share done so far
// instead of VS Code's increments, so callers never track what they reported last.
import * as vscode from 'vscode';

export interface ProgressUpdate {
  message?: string;
  /** Share of the work done so far, 0 to 1. */
  done?: number;
}

export type ReportProgress = (update: ProgressUpdate) => void;

export interface ProgressPlace {
  /** A tree view shows a busy bar instead of a notification; it cannot be cancelled there. */
  viewId?: string;
}

export function withProgress<T>(
  title: string,
  task: (signal: AbortSignal, report: ReportProgress) => Promise<T>,
  place: ProgressPlace = {},
): Thenable<T> {
  const location = place.viewId !== undefined ? { viewId: place.viewId } : vscode.ProgressLocation.Notification;
  return vscode.window.withProgress({ location, title, cancellable: place.viewId === undefined }, async (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    let shownShare = 0;
    const report: ReportProgress = ({ message, done }) => {
      const share = done === undefined ? shownShare : Math.min(1, Math.max(0, done)) * 100;
      progress.report({ ...(message !== undefined ? { message } : {}), increment: share - shownShare });
      shownShare = share;
    };
    try {
      return await task(controller.signal, report);
    } finally {
      subscription.dispose();
    }
  });
}
