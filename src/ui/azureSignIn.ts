// Tokens for Azure connections: from VS Code's built-in Microsoft authentication provider (or its
// sovereign-cloud provider), or from the local emulator's test account while the emulator runs. The
// two differ only in the token source and the endpoints. We keep no token: VS Code caches sessions,
// our clients cache tokens in memory until shortly before they expire.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import type { ArmClient } from '../azure/armClient';
import { AZURE_CLOUDS, cloudNameList, knownCloud, type AzureCloud } from '../azure/clouds';
import { emulatorTokenProvider, jwtExpiry } from '../azure/tokenSources';
import type { TokenProvider } from '../dps/auth';
import { EMULATOR_CONNECTION_ID, type AzureLink, type ConnectionStore } from '../connections/connectionStore';

export const EMULATOR_CLOUD = 'emulator';
export const AZURE_CLOUD_SETTING = 'azure.cloud';

export type Audience = 'arm' | 'dps';

export class AzureSignIn {
  constructor(private readonly store: ConnectionStore) {}

  /** The cloud chosen in `dpsEnrollments.azure.cloud`; a value that names none is refused. */
  configuredCloud(): AzureCloud {
    const value = vscode.workspace.getConfiguration('dpsEnrollments').get<unknown>(AZURE_CLOUD_SETTING);
    // VS Code answers the default when unset; undefined comes only from a host without the manifest.
    if (value === undefined) return AZURE_CLOUDS.AzureCloud;
    const cloud = knownCloud(value);
    if (!cloud) throw new Error(`The setting "dpsEnrollments.${AZURE_CLOUD_SETTING}" is ${JSON.stringify(value)}, which is not an Azure cloud: set it to ${cloudNameList()}.`);
    return cloud;
  }

  /** Tokens for `audience` of a linked instance; `interactive` may show VS Code's sign-in. */
  tokenProvider(link: Pick<AzureLink, 'cloud' | 'tenantId'>, audience: Audience, interactive = false): TokenProvider {
    if (link.cloud === EMULATOR_CLOUD) {
      const scope = audience === 'arm' ? `${AZURE_CLOUDS.AzureCloud.armScope}` : AZURE_CLOUDS.AzureCloud.dpsScope;
      return async () => emulatorTokenProvider(await this.emulatorAccount(), scope)();
    }
    return async () => {
      const cloud = linkedCloud(link.cloud);
      const scopes = [audience === 'arm' ? cloud.armScope : cloud.dpsScope, ...(link.tenantId ? [`VSCODE_TENANT:${link.tenantId}`] : [])];
      checkSovereignSetting(cloud);
      const session =
        (await vscode.authentication.getSession(cloud.authProviderId, scopes, { silent: true })) ??
        (interactive ? await vscode.authentication.getSession(cloud.authProviderId, scopes, { createIfNone: true }) : undefined);
      if (!session) throw new Error('You are signed out of Azure: run "Add Connection from Azure…" to sign in again.');
      return { token: session.accessToken, expiresOnTimestamp: jwtExpiry(session.accessToken) };
    };
  }

  async armClient(link: Pick<AzureLink, 'cloud' | 'tenantId'>, interactive = false): Promise<ArmClient> {
    // Loaded on first use: the ARM client brings axios, which the rest of the extension does without.
    const { ArmClient } = await import('../azure/armClient.js');
    if (link.cloud === EMULATOR_CLOUD) {
      const account = await this.emulatorAccount();
      return new ArmClient({ endpoint: `https://${account.hostName}`, ca: account.ca, tokenProvider: this.tokenProvider(link, 'arm') });
    }
    return new ArmClient({ endpoint: linkedCloud(link.cloud).resourceManagerEndpoint, tokenProvider: this.tokenProvider(link, 'arm', interactive) });
  }

  /** The running emulator's host and CA, from its saved connection. */
  async emulatorAccount(): Promise<{ hostName: string; ca: string }> {
    const record = this.store.get(EMULATOR_CONNECTION_ID);
    if (!record?.caCertificatePath) throw new Error('The local emulator is not running: start it to use its test account.');
    return { hostName: record.hostName, ca: await readFile(record.caCertificatePath, 'utf8') };
  }
}

/** The cloud a connection was linked in; one this version does not know is refused rather than guessed. */
function linkedCloud(name: string): AzureCloud {
  const cloud = knownCloud(name);
  if (!cloud) throw new Error(`This connection is linked to the Azure cloud "${name}", which this version of the extension does not know: add it again with "Add Connection from Azure…".`);
  return cloud;
}

function checkSovereignSetting(cloud: AzureCloud): void {
  if (cloud.sovereignEnvironment === undefined) return;
  const configured = vscode.workspace.getConfiguration('microsoft-sovereign-cloud').get<string>('environment');
  if (configured !== cloud.sovereignEnvironment) {
    throw new Error(`Signing in to ${cloud.name} uses VS Code's "Microsoft Sovereign Cloud" account: set "microsoft-sovereign-cloud.environment" to "${cloud.sovereignEnvironment}" first.`);
  }
}
