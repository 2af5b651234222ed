// Device SAS tokens: sr = URL-encoded "{idScope}/registrations/{registrationId}", se = expiry in
// epoch seconds, sig = base64 HMAC-SHA256 of "sr\nse" under the device key, skn = registration.
// The signer is pluggable so a TPM can sign without the key leaving it.
import { createHmac } from 'node:crypto';

export type Signer = (data: Buffer) => Promise<Buffer>;

export const DEVICE_SAS_LIFETIME_SECONDS = 3600;

export function keySigner(base64Key: string): Signer {
  const key = Buffer.from(base64Key, 'base64');
  return (data) => Promise.resolve(createHmac('sha256', key).update(data).digest());
}

export async function deviceSasToken(idScope: string, registrationId: string, sign: Signer, nowMs = Date.now()): Promise<string> {
  const sr = encodeURIComponent(`${idScope}/registrations/${registrationId}`);
  const se = Math.ceil(nowMs / 1000) + DEVICE_SAS_LIFETIME_SECONDS;
  const sig = (await sign(Buffer.from(`${sr}\n${se}`, 'utf8'))).toString('base64');
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}&skn=registration`;
}

/** The device connection string of a symmetric-key device on its assigned hub. Secret: clipboard only. */
export function deviceConnectionString(assignedHub: string, deviceId: string, deviceKey: string): string {
  return `HostName=${assignedHub};DeviceId=${deviceId};SharedAccessKey=${deviceKey}`;
}
