// Progress on stderr, only when stderr is a terminal: pipeline logs stay clean and stdout stays the
// command's output (text or JSON).
export interface ProgressLine {
  /** Redraws at most ten times a second: a count that changes often. */
  update(text: string): void;
  /** Redraws now: a rare message that must not be lost to the rate limit (a throttle wait). */
  show(text: string): void;
  done(): void;
}

export function progressLine(stream: NodeJS.WriteStream = process.stderr): ProgressLine {
  if (!stream.isTTY) return { update: () => undefined, show: () => undefined, done: () => undefined };
  let shown = false;
  let last = 0;
  const draw = (text: string): void => {
    last = Date.now();
    stream.write(`\r\x1b[K${text}`);
    shown = true;
  };
  return {
    update(text) {
      if (Date.now() - last < 100) return; // a terminal need not redraw more than ten times a second
      draw(text);
    },
    show: draw,
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
