// One emulator per data folder: a lock file in the folder names the running emulator's pid and
// address. Written atomically and exclusively (a temp file hard-linked into place fails if another
// emulator got there first), removed on a clean stop, and stale once its pid is gone (a crash or
// kill -9 leaves it behind). It holds no key: a client that reconnects reads the folder's key file.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'emulator.lock';

export interface EmulatorLock {
  pid: number;
  port: number;
  /** https://localhost:<port> */
  url: string;
  /** The host name of the connection string (localhost:<port>). */
  hostName: string;
  keyName: string;
  /** Path of the CA certificate that clients must trust. */
  caCertificate: string;
  startedAt: string;
}

export class EmulatorAlreadyRunningError extends Error {
  override readonly name = 'EmulatorAlreadyRunningError';
  constructor(readonly lock: EmulatorLock, dataDir: string) {
    super(`An emulator already runs on the data folder ${dataDir} (pid ${lock.pid}, ${lock.url}). Stop it first, or use another --data-dir.`);
  }
}

export function lockPath(dataDir: string): string {
  return join(dataDir, LOCK_FILE_NAME);
}

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock as written, or undefined when there is none or it is not one of ours. */
export function readLock(dataDir: string): EmulatorLock | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(lockPath(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
  const v = value as Partial<EmulatorLock>;
  const ok = Number.isInteger(v.pid) && (v.pid ?? 0) > 0 && Number.isInteger(v.port) && typeof v.url === 'string'
    && typeof v.hostName === 'string' && typeof v.keyName === 'string' && typeof v.caCertificate === 'string';
  return ok ? (v as EmulatorLock) : undefined;
}

/** The running emulator of this folder; a stale or unreadable lock is removed and gives undefined. */
export function liveLock(dataDir: string, isAlive: (pid: number) => boolean = isProcessAlive): EmulatorLock | undefined {
  const lock = readLock(dataDir);
  if (lock && isAlive(lock.pid)) return lock;
  rmSync(lockPath(dataDir), { force: true });
  return undefined;
}

/** Takes the folder for `lock.pid`, or throws EmulatorAlreadyRunningError naming the one that holds it. */
export function acquireLock(dataDir: string, lock: EmulatorLock, isAlive: (pid: number) => boolean = isProcessAlive): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const temp = join(dataDir, `.${LOCK_FILE_NAME}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(lock)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        // link() never replaces: the whole file appears at once, and only for the first emulator.
        linkSync(temp, lockPath(dataDir));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
        const holder = liveLock(dataDir, isAlive);
        if (holder && holder.pid !== lock.pid) throw new EmulatorAlreadyRunningError(holder, dataDir);
        rmSync(lockPath(dataDir), { force: true });
      }
    }
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Removes the lock if it is this process's (never another emulator's). */
export function releaseLock(dataDir: string, pid: number = process.pid): void {
  if (readLock(dataDir)?.pid === pid) rmSync(lockPath(dataDir), { force: true });
}
