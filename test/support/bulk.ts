// Helpers for the bulk job tests: an emulator with a client whose retries are fast, and views of
// what the emulator stored, to check reports against the truth.
import { DpsClient } from '../../src/dps/client';
import type { EnrollmentGroup, IndividualEnrollment } from '../../src/dps/models';
import { startTestEmulator, type TestEmulator } from './emulator';
import type { EmulatorOptions } from '../../src/emulator/server';

export interface BulkTestEnvironment {
  emulator: TestEmulator;
  client: DpsClient;
  dispose(): Promise<void>;
}

export const FAST_RETRY = { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 2_000 };

export async function startBulkEnvironment(options: EmulatorOptions = {}): Promise<BulkTestEnvironment> {
  const emulator = await startTestEmulator({ seed: 'none', ...options });
  const client = DpsClient.fromConnectionString(emulator.emu.connectionString, { ca: emulator.emu.caCertificatePem, retry: FAST_RETRY });
  return {
    emulator,
    client,
    async dispose() {
      client.dispose();
      await emulator.dispose();
    },
  };
}

export function storedEnrollments(env: BulkTestEnvironment, prefix: string): IndividualEnrollment[] {
  return env.emulator.emu.store.snapshot().enrollments.filter((e) => e.registrationId.startsWith(prefix));
}

export function storedGroups(env: BulkTestEnvironment, prefix: string): EnrollmentGroup[] {
  return env.emulator.emu.store.snapshot().enrollmentGroups.filter((g) => g.enrollmentGroupId.startsWith(prefix));
}

/** A CSV line per id with the given extra cells; ids are safe CSV as they are. */
export function csvLines(header: string, ids: readonly string[], cells: (id: string, index: number) => string = () => ''): string {
  return [header, ...ids.map((id, i) => `${id}${cells(id, i)}`)].join('\r\n') + '\r\n';
}
