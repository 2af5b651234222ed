// When `dpsEnrollments.emulator.autoStart` turns on (at activation, on a settings change, once the
// workspace is trusted), start the local emulator, or reconnect to the one another window runs on the
// same data folder: EmulatorController.start does either and saves the connection. Not on every
// settings change while it stays on: the user may have stopped the emulator since.
export interface EmulatorAutoStart {
  /** Starts or reconnects when the setting has turned on since the last check. */
  check(): void;
  /** Forgets what was seen, so the next check reads the setting anew (restricted settings after trust). */
  reset(): void;
}

export function emulatorAutoStart(isAsked: () => boolean, start: () => void): EmulatorAutoStart {
  let seen = false;
  return {
    check() {
      const asked = isAsked();
      const turnedOn = asked && !seen;
      seen = asked;
      // No "already running?" gate: an emulator of another window is reconnected, so this window lists it too.
      if (turnedOn) start();
    },
    reset() {
      seen = false;
    },
  };
}
