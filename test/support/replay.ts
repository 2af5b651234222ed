// Helpers for the replay tests: value formats and key sets the live service was recorded with
// (Azure/azure-sdk-for-python, sdk/iothub/azure-iot-deviceprovisioning/tests/recordings, api-version
// 2021-10-01). Only facts are taken from the recordings (statuses, codes, shapes, formats); the
// requests are written here, not copied.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createSasToken, expiryFromNow } from '../../src/dps/sas';
import type { RunningEmulator } from '../../src/emulator/server';
import { request, type EmulatorResponse } from './emulator';

/** A record timestamp: 100-ns precision, trailing zeros trimmed (`...:45.1256254Z`, `...:50.425632Z`). */
export const RECORD_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/;
/** A certificate validity date: whole seconds (`2023-05-19T23:10:43Z`). */
export const CERTIFICATE_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
/** An etag: opaque base64, no quote characters (`IjBhMDBiNzQyLTAw...MDAwMCI=`). */
export const ETAG = /^[A-Za-z0-9+/]+={0,2}$/;

export function keysOf(value: unknown): string[] {
  return Object.keys(value as Record<string, unknown>).sort();
}

export function assertKeys(value: unknown, expected: string[], label: string): void {
  assert.deepEqual(keysOf(value), [...expected].sort(), `${label}: key set differs from the recording`);
}

/** Headers every recorded answer lacks: no ETag header, no echo of x-ms-max-item-count. */
export function assertNoUnrecordedHeaders(response: EmulatorResponse): void {
  assert.equal(response.headers.etag, undefined, 'the service sends no ETag header');
  assert.equal(response.headers['x-ms-max-item-count'], undefined, 'the service does not echo x-ms-max-item-count');
}

export function assertRecordShape(body: { etag?: unknown; createdDateTimeUtc?: unknown; lastUpdatedDateTimeUtc?: unknown }): void {
  assert.match(String(body.etag), ETAG);
  assert.ok(!String(body.etag).includes('"'), 'etag has no quote characters');
  assert.match(String(body.createdDateTimeUtc), RECORD_TIMESTAMP);
  assert.match(String(body.lastUpdatedDateTimeUtc), RECORD_TIMESTAMP);
}

export const base64Key = (fill: number): string => Buffer.alloc(32, fill).toString('base64');

/**
 * Registers a device through the emulator's device API with a symmetric key, as a device does:
 * PUT .../register (202, assigning), then polling the operation until it settles.
 */
export async function registerDevice(emu: RunningEmulator, registrationId: string, key: string): Promise<EmulatorResponse<{ status?: string }>> {
  const idScope = emu.idScope;
  const authorization = createSasToken({ resourceUri: `${idScope}/registrations/${registrationId}`, keyName: 'registration', key, expiry: expiryFromNow(300) });
  const device = { apiVersion: '2021-06-01', skipSpecCheck: true, authorization };
  const started = await request<{ operationId?: string; status?: string }>(emu, {
    method: 'PUT', path: `/${idScope}/registrations/${registrationId}/register`, ...device, body: { registrationId },
  });
  if (started.status !== 202 || started.body.operationId === undefined) return started;
  for (let attempt = 0; attempt < 100; attempt++) {
    const polled = await request<{ status?: string }>(emu, { method: 'GET', path: `/${idScope}/registrations/${registrationId}/operations/${started.body.operationId}`, ...device });
    if (polled.body.status !== 'assigning') return polled;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`The registration of ${registrationId} stayed "assigning".`);
}

export const derivedDeviceKey = (groupKey: string, registrationId: string): string =>
  createHmac('sha256', Buffer.from(groupKey, 'base64')).update(registrationId).digest('base64');
