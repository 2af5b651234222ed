// The autoStart setting starts the emulator when it turns on, also when another window's emulator runs
// on the folder (start() then reconnects and saves its connection, so this window lists it too), and
// not again on every settings change while it stays on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { emulatorAutoStart } from '../../../src/emulatorHost/autoStart';

void describe('emulator autoStart', () => {
  void test('starts (or reconnects) once when the setting is on, again only after it turned off and on', () => {
    let asked = true;
    let starts = 0;
    const autoStart = emulatorAutoStart(() => asked, () => void starts++);
    autoStart.check();
    autoStart.check();
    assert.equal(starts, 1, 'a settings change while it stays on does not restart a stopped emulator');
    asked = false;
    autoStart.check();
    asked = true;
    autoStart.check();
    assert.equal(starts, 2);
  });

  void test('off: nothing; after trust is granted the setting is read anew', () => {
    let asked = false;
    let starts = 0;
    const autoStart = emulatorAutoStart(() => asked, () => void starts++);
    autoStart.check();
    assert.equal(starts, 0);
    asked = true;
    autoStart.check();
    autoStart.reset();
    autoStart.check();
    assert.equal(starts, 2);
  });
});
