// Microsoft Entra ID for the CLI: a bearer token for the DPS data plane. A pipeline either hands one
// in (DPS_ACCESS_TOKEN, e.g. from `az account get-access-token`) or lets @azure/identity's
// DefaultAzureCredential find one (service principal or workload identity variables, managed
// identity, Azure CLI). @azure/identity is loaded only when that path is taken.
import { DPS_ENTRA_SCOPE, type AccessToken, type TokenProvider } from '../dps/auth';
import { jwtExpiry } from '../azure/tokenSources';

export const ACCESS_TOKEN_VARIABLE = 'DPS_ACCESS_TOKEN';

export function entraTokenProvider(env: Record<string, string | undefined>): TokenProvider {
  const handedIn = env[ACCESS_TOKEN_VARIABLE]?.trim();
  if (handedIn !== undefined && handedIn !== '') {
    const token: AccessToken = { token: handedIn.replace(/^Bearer\s+/i, ''), expiresOnTimestamp: jwtExpiry(handedIn.replace(/^Bearer\s+/i, '')) };
    return () => Promise.resolve(token);
  }
  let credential: Promise<{ getToken: (scope: string, options: { abortSignal?: AbortSignal }) => Promise<AccessToken | null> }> | undefined;
  return async (options = {}) => {
    credential ??= import('@azure/identity').then((identity) => {
      // dist/cli.js imports a CommonJS bundle (dist/cli-identity.js), whose exports arrive as `default`.
      const { DefaultAzureCredential } = (identity as { default?: typeof identity }).default ?? identity;
      return new DefaultAzureCredential();
    });
    const token = await (await credential).getToken(DPS_ENTRA_SCOPE, { abortSignal: options.signal });
    if (token === null) {
      throw new Error(`No Microsoft Entra credential was found: set ${ACCESS_TOKEN_VARIABLE}, or AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a managed identity, or sign in with az login).`);
    }
    return { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
  };
}
