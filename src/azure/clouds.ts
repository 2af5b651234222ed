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

export function cloudNamed(name: unknown): AzureCloud {
  return typeof name === 'string' && name in AZURE_CLOUDS ? AZURE_CLOUDS[name as AzureCloudName] : AZURE_CLOUDS.AzureCloud;
}

/** The audience a token for `scope` carries: the scope without its `/.default`. */
export function audienceOf(scope: string): string {
  return scope.replace(/\/\.default$/, '');
}
