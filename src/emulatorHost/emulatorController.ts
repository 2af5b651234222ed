// Starts the local emulator once, adds (or refreshes) its connection, and stops it on deactivate.
// The connection keeps a fixed id, so its tree nodes stay stable when the port changes. One emulator
// per data folder: when the folder's lock names a live emulator (another window started it), Start
// reconnects to it and Stop ends it by its pid.
import { parseConnectionString } from '../dps/connectionString';
import { EMULATOR_CONNECTION_ID, type ConnectionRecord, type ConnectionStore } from '../connections/connectionStore';
import type { Logger } from '../common/logger';
import { startEmulatorProcess, type EmulatorLaunchOptions, type EmulatorProcess } from './emulatorProcess';
import { runningEmulatorOf, stopByPid, type RunningElsewhere } from './runningEmulator';

export interface EmulatorControllerOptions {
  scriptPath: string;
  dataDir: string;
  port: () => number;
  seedDemo: () => boolean;
  store: ConnectionStore;
  logger: Logger;
  /** Replaceable for tests. */
  launch?: (options: EmulatorLaunchOptions) => Promise<EmulatorProcess>;
  onStateChange?: (running: boolean) => void;
  /** True while a start is under way, so the empty view can say so instead of offering to start it again. */
  onStartingChange?: (starting: boolean) => void;
  /** Replaceable for tests: the live emulator of the data folder, from its lock file. */
  findRunning?: (dataDir: string) => RunningElsewhere | undefined;
  /** Replaceable for tests: ends an emulator this window did not start. */
  stopPid?: (pid: number) => Promise<void>;
}

export class EmulatorController {
  private running: EmulatorProcess | undefined;
  private starting: Promise<ConnectionRecord> | undefined;

  constructor(private readonly options: EmulatorControllerOptions) {}

  get isRunning(): boolean {
    return this.running !== undefined || this.findRunning() !== undefined;
  }

  /** Tells the UI whether an emulator runs on the folder (one from an earlier window included). */
  announceState(): void {
    this.options.onStateChange?.(this.isRunning);
  }

  private findRunning(): RunningElsewhere | undefined {
    return (this.options.findRunning ?? runningEmulatorOf)(this.options.dataDir);
  }

  /** Starts the emulator if needed and returns its saved connection. */
  start(): Promise<ConnectionRecord> {
    if (!this.starting) {
      this.options.onStartingChange?.(true);
      this.starting = this.doStart().finally(() => {
        this.starting = undefined;
        this.options.onStartingChange?.(false);
      });
    }
    return this.starting;
  }

  private async doStart(): Promise<ConnectionRecord> {
    const o = this.options;
    if (this.running) {
      const existing = o.store.get(EMULATOR_CONNECTION_ID);
      if (existing) return existing;
    }
    const elsewhere = this.findRunning();
    if (elsewhere) {
      o.logger.info(`Reconnecting to the local emulator already running on ${o.dataDir} (pid ${elsewhere.lock.pid}, ${elsewhere.lock.url})`);
      const record = await this.saveConnection(elsewhere.connectionString, elsewhere.lock.caCertificate);
      o.onStateChange?.(true);
      return record;
    }
    o.logger.info(`Starting the local emulator (data in ${o.dataDir})`);
    const launch = o.launch ?? startEmulatorProcess;
    const emulator = await launch({
      scriptPath: o.scriptPath,
      dataDir: o.dataDir,
      port: o.port(),
      seedDemo: o.seedDemo(),
      log: (line) => o.logger.debug(`[emulator] ${line}`),
    });
    o.logger.addSecret(emulator.connectionString);
    this.running = emulator;
    void emulator.exited.then((code) => {
      if (this.running === emulator) {
        this.running = undefined;
        o.logger.warn(`The local emulator stopped (exit code ${code}).`);
        o.onStateChange?.(false);
      }
    });
    const record = await this.saveConnection(emulator.connectionString, emulator.caCertificatePath);
    o.logger.info(`Local emulator listening at ${emulator.url}`);
    o.onStateChange?.(true);
    return record;
  }

  private saveConnection(connectionString: string, caCertificatePath: string): Promise<ConnectionRecord> {
    const o = this.options;
    o.logger.addSecret(connectionString);
    const parsed = parseConnectionString(connectionString);
    o.logger.addSecret(parsed.sharedAccessKey);
    return o.store.add({
      id: EMULATOR_CONNECTION_ID,
      label: 'Local emulator',
      connectionString,
      hostName: parsed.hostName,
      keyName: parsed.sharedAccessKeyName,
      isEmulator: true,
      caCertificatePath,
    });
  }

  /** Stops this window's emulator, or the one an earlier window started on the same folder (by its pid). */
  async stop(): Promise<void> {
    const emulator = this.running;
    this.running = undefined;
    if (emulator) {
      await emulator.stop();
    } else {
      const elsewhere = this.findRunning();
      if (!elsewhere) return;
      await (this.options.stopPid ?? stopByPid)(elsewhere.lock.pid);
    }
    this.options.logger.info('Local emulator stopped.');
    this.options.onStateChange?.(false);
  }

  /** On deactivate: only the emulator this window started (another window's keeps running for it). */
  async dispose(): Promise<void> {
    const emulator = this.running;
    this.running = undefined;
    await emulator?.stop();
  }
}
