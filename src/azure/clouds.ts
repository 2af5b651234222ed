// The Azure clouds a user may sign in to, and what each one calls its endpoints and token audiences.
// Public cloud values are from the DPS and ARM docs; the sovereign ones follow each cloud's published
// suffixes (the DPS audience there is unverified: no document names it, so it follows the host suffix).

export type AzureCloudName = 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment';

export interface AzureCloud {
  name: AzureCloudName;
  /** ARM endpoint, no trailing slash. */
  resourceManagerEndpoint: string;
  /** Token scope for ARM. */
  armScope: string;
  /** Token scope for the DPS data plane. */
  dpsScope: string;
  /** VS Code's authentication provider for this cloud, and the value its `microsoft-sovereign-cloud.environment` setting must have. */
  authProviderId: 'microsoft' | 'microsoft-sovereign-cloud';
  sovereignEnvironment?: 'ChinaCloud' | 'USGovernment';
}

export const AZURE_CLOUDS: Readonly<Record<AzureCloudName, AzureCloud>> = {
  AzureCloud: {
    name: 'AzureCloud',
    resourceManagerEndpoint: 'https://management.azure.com',
    armScope: 'https://management.azure.com/.default',
    dpsScope: 'https://azure-devices-provisioning.net/.default',
    authProviderId: 'microsoft',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
    armScope: 'https://management.chinacloudapi.cn/.default',
    dpsScope: 'https://azure-devices-provisioning.cn/.default',
    authProviderId: 'microsoft-sovereign-cloud',
    sovereignEnvironment: 'ChinaCloud',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    resourceManagerEndpoint: 'https://management.usgovcloudapi.net',
    armScope: 'https://management.usgovcloudapi.net/.default',
    dpsScope: 'https://azure-devices-provisioning.us/.default',
    authProviderId: 'microsoft-sovereign-cloud',
    sovereignEnvironment: 'USGovernment',
  },
};

/**
 * The cloud called `name`, or undefined: an unknown name is the caller's to refuse, never silently the
 * public cloud (a token request there would go to the wrong authority). Own keys only, so "toString" is no cloud.
 */
export function knownCloud(name: unknown): AzureCloud | undefined {
  return typeof name === 'string' && Object.hasOwn(AZURE_CLOUDS, name) ? AZURE_CLOUDS[name as AzureCloudName] : undefined;
}

/** The cloud names for a message: "AzureCloud, AzureChinaCloud or AzureUSGovernment". */
export function cloudNameList(): string {
  const names = Object.keys(AZURE_CLOUDS);
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

/** The audience a token for `scope` carries: the scope without its `/.default`. */
export function audienceOf(scope: string): string {
  return scope.replace(/\/\.default$/, '');
}
