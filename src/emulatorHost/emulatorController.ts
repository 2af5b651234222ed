// Starts the local emulator once, adds (or refreshes) its connection, and stops it on deactivate.
// The connection keeps a fixed id, so its tree nodes stay stable when the port changes.
import { parseConnectionString } from '../dps/connectionString';
import { EMULATOR_CONNECTION_ID, type ConnectionRecord, type ConnectionStore } from '../connections/connectionStore';
import type { Logger } from '../common/logger';
import { startEmulatorProcess, type EmulatorLaunchOptions, type EmulatorProcess } from './emulatorProcess';

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
}

export class EmulatorController {
  private running: EmulatorProcess | undefined;
  private starting: Promise<ConnectionRecord> | undefined;

  constructor(private readonly options: EmulatorControllerOptions) {}

  get isRunning(): boolean {
    return this.running !== undefined;
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
    const parsed = parseConnectionString(emulator.connectionString);
    o.logger.addSecret(parsed.sharedAccessKey);
    const record = await o.store.add({
      id: EMULATOR_CONNECTION_ID,
      label: 'Local emulator',
      connectionString: emulator.connectionString,
      hostName: parsed.hostName,
      keyName: parsed.sharedAccessKeyName,
      isEmulator: true,
      caCertificatePath: emulator.caCertificatePath,
    });
    o.logger.info(`Local emulator listening at ${emulator.url}`);
    o.onStateChange?.(true);
    return record;
  }

  async stop(): Promise<void> {
    const emulator = this.running;
    this.running = undefined;
    if (emulator) {
      await emulator.stop();
      this.options.logger.info('Local emulator stopped.');
      this.options.onStateChange?.(false);
    }
  }
}
