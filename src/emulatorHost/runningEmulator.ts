// An emulator found through its data folder's lock file: its connection string (the host from the
// lock, the key from the folder's key file) and a stop by pid for one this window did not start.
import { isProcessAlive, liveLock, type EmulatorLock } from '../emulator/dataDirLock';
import { readServiceKey } from '../emulator/serviceKey';

export interface RunningElsewhere {
  lock: EmulatorLock;
  connectionString: string;
}

export function runningEmulatorOf(dataDir: string): RunningElsewhere | undefined {
  const lock = liveLock(dataDir);
  const key = lock && readServiceKey(dataDir);
  if (!lock || !key) return undefined;
  return { lock, connectionString: `HostName=${lock.hostName};SharedAccessKeyName=${lock.keyName};SharedAccessKey=${key}` };
}

/** SIGTERM (the emulator saves its data and removes its lock), then SIGKILL if it has not gone in time. */
export async function stopByPid(pid: number, graceMs = 10_000, isAlive: (pid: number) => boolean = isProcessAlive): Promise<void> {
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signal('SIGKILL');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
