// The official Node device SDK (azure-iot-provisioning-device + -http) pointed at the emulator.
// The SDK takes a host name only (no port) and no CA, so its HTTP base gets an agent whose default
// port is the emulator's and which trusts the emulator's CA, for this client only.
import * as https from 'node:https';
import { ProvisioningDeviceClient, type RegistrationResult } from 'azure-iot-provisioning-device';
import { Http } from 'azure-iot-provisioning-device-http';
import { SymmetricKeySecurityClient } from 'azure-iot-security-symmetric-key';
import { X509Security } from 'azure-iot-security-x509';
import type { RunningEmulator } from '../../src/emulator/server';

/** What the SDK needs of an emulator (also one running in another process). */
export type SdkTarget = Pick<RunningEmulator, 'port' | 'caCertificatePem' | 'idScope'>;

type Security = Parameters<typeof ProvisioningDeviceClient.create>[3];

function transport(emu: SdkTarget, pollingIntervalMs: number): Http {
  const t = new Http();
  const agent = new https.Agent({ ca: emu.caCertificatePem, keepAlive: false });
  // https.request takes the port from the agent when the options carry none.
  (agent as unknown as { defaultPort: number }).defaultPort = emu.port;
  // The transport's own HTTP base (a private member): options reach every request it builds.
  (t as unknown as { _httpBase: { setOptions(o: unknown): void } })._httpBase.setOptions({ http: { agent } });
  t.setTransportOptions({ pollingInterval: pollingIntervalMs });
  return t;
}

export function sdkRegisterWithKey(emu: SdkTarget, registrationId: string, key: string, payload?: unknown, pollingIntervalMs = 50): Promise<RegistrationResult> {
  const client = ProvisioningDeviceClient.create('localhost', emu.idScope, transport(emu, pollingIntervalMs), new SymmetricKeySecurityClient(registrationId, key) as unknown as Security);
  if (payload !== undefined) client.setProvisioningPayload(payload as Record<string, unknown>);
  return client.register() as Promise<RegistrationResult>;
}

export function sdkRegisterWithCertificate(emu: SdkTarget, registrationId: string, certificatePem: string, privateKeyPem: string): Promise<RegistrationResult> {
  const security = new X509Security(registrationId, { cert: certificatePem, key: privateKeyPem });
  return ProvisioningDeviceClient.create('localhost', emu.idScope, transport(emu, 50), security).register() as Promise<RegistrationResult>;
}
