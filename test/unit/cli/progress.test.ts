// The CLI's progress line: drawn only on a terminal; show() is never dropped by the redraw limit,
// so a throttle wait announced right after a count still appears.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine } from '../../../src/cli/progress';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (text: string) => { written.push(text); return true; } } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

void test('on a terminal: show() draws at once even straight after an update; done() clears the line', () => {
  const { stream, written } = fakeStream(true);
  const line = progressLine(stream);
  line.update('Importing: 10 of 100');
  line.show('Throttled by the service: waiting 59 s…');
  line.done();
  assert.deepEqual(written, ['\r\x1b[KImporting: 10 of 100', '\r\x1b[KThrottled by the service: waiting 59 s…', '\r\x1b[K']);
});

void test('not a terminal (a pipeline log): nothing is written', () => {
  const { stream, written } = fakeStream(false);
  const line = progressLine(stream);
  line.update('a');
  line.show('b');
  line.done();
  assert.deepEqual(written, []);
});
