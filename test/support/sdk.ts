// The official Node service SDK (azure-iot-provisioning-service) pointed at a running emulator.
// The SDK passes the connection string's HostName ('localhost:PORT') to https.request as `host`,
// which cannot be resolved; an agent whose createConnection dials 127.0.0.1:PORT with
// servername 'localhost' routes it. TLS verification stays on, trusting only the emulator's CA.
import type { Duplex } from 'node:stream';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { SharedAccessSignature } from 'azure-iot-common';
import { RestApiClient } from 'azure-iot-http-base';
import { ProvisioningServiceClient } from 'azure-iot-provisioning-service';
import type { RunningEmulator } from '../../src/emulator/server';
import { connectionStringParts } from './emulator';

export type SdkTarget = Pick<RunningEmulator, 'port' | 'connectionString' | 'caCertificatePem'>;

/** An https.Agent that sends every request to the emulator on loopback. */
export function emulatorAgent(emu: SdkTarget, options: https.AgentOptions = { keepAlive: true }): https.Agent {
  class LoopbackAgent extends https.Agent {
    override createConnection(): Duplex {
      return tls.connect({ host: '127.0.0.1', port: emu.port, ca: emu.caCertificatePem, servername: 'localhost' });
    }
  }
  return new LoopbackAgent(options);
}

export function officialSdkClient(emu: SdkTarget): ProvisioningServiceClient {
  const { hostName, keyName, key } = connectionStringParts(emu.connectionString);
  // Same config as ProvisioningServiceClient.fromConnectionString builds; the token is renewed per request by the RestApiClient.
  // azure-iot-http-base carries its own copy of azure-iot-common; the token object is duck-typed (extend()), hence the cast.
  const sharedAccessSignature = SharedAccessSignature.create(hostName, keyName, key, Date.now()) as unknown as RestApiClient.TransportConfig['sharedAccessSignature'];
  const config: RestApiClient.TransportConfig = { host: hostName, sharedAccessSignature };
  const rest = new RestApiClient(config, 'azure-iot-provisioning-service/emulator-test');
  rest.setOptions({ http: { agent: emulatorAgent(emu) } });
  return new ProvisioningServiceClient(config, rest);
}
