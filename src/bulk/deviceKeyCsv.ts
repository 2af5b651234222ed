// Device keys for factory provisioning: for a symmetric-key group, the derived key of each
// registration id, as CSV (registrationId,derivedKey). Ids are checked first, so every line
// written is one the service will accept; rejected ids are returned with their reasons.
import { deriveDeviceKeys, type RejectedRegistrationId } from '../attestation';

export interface DeviceKeyCsv {
  /** The CSV text; it holds device keys, so write it only where the user chose. */
  csv: string;
  count: number;
  rejected: RejectedRegistrationId[];
}

export function deviceKeyCsv(groupKey: string, registrationIds: readonly string[]): DeviceKeyCsv {
  const { keys, rejected } = deriveDeviceKeys(groupKey, registrationIds);
  // Registration ids allow only [A-Za-z0-9._:-] and base64 has no comma or quote: no cell needs quoting.
  const lines = ['registrationId,derivedKey', ...keys.map((k) => `${k.registrationId},${k.derivedKey}`)];
  return { csv: lines.join('\r\n') + '\r\n', count: keys.length, rejected };
}
