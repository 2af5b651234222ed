// Waiting that can be cut short: every wait in the client and the bulk runner goes through a
// `Sleep`, so tests inject an instant one and cancellation never has to wait out a back-off.

/** Resolves after `ms`, or as soon as `signal` aborts (callers check the signal afterwards). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
