// How the client proves who it is: a SAS token minted per request from a policy key, or a Microsoft
// Entra bearer token from a token provider. Tokens are cached and renewed before they expire, with
// one refresh in flight at a time. Nothing here logs or echoes a token or a key.
import type { DpsConnectionString } from './connectionString';
import { DpsError } from './errors';
import { createSasToken, expiryFromNow } from './sas';

/** What a token source gives: the token and when it stops working (ms since the epoch). */
export interface AccessToken {
  token: string;
  expiresOnTimestamp: number;
}

/** VS Code's authentication API, @azure/identity or the emulator's issuer, behind one shape. */
export type TokenProvider = (options?: { signal?: AbortSignal }) => Promise<AccessToken>;

export type AuthKind = 'sas' | 'entra';

export interface DpsAuth {
  readonly kind: AuthKind;
  /** The value of the Authorization header for the next request. */
  authorization(signal?: AbortSignal): Promise<string>;
}

/** The data-plane resource of DPS in the public cloud; sovereign clouds pass their own. */
export const DPS_ENTRA_SCOPE = 'https://azure-devices-provisioning.net/.default';
/** A token is renewed this long before it expires, so no request leaves with one about to lapse. */
export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * A fresh SAS token per request (and per retry), as the official SDKs do. The expiry has one-second
 * resolution, so requests within the same second get the same token: it is minted once, not per
 * request (an HMAC per page was a visible share of listing time).
 */
export function sasAuth(connection: DpsConnectionString, nowMs: () => number = Date.now): DpsAuth {
  let last: { expiry: number; token: string } | undefined;
  return {
    kind: 'sas',
    authorization: () => {
      const expiry = expiryFromNow(undefined, nowMs());
      if (last?.expiry !== expiry) {
        last = {
          expiry,
          token: createSasToken({ resourceUri: connection.hostName, keyName: connection.sharedAccessKeyName, key: connection.sharedAccessKey, expiry }),
        };
      }
      return Promise.resolve(last.token);
    },
  };
}

export interface BearerAuthOptions {
  /** Renew this long before expiry; default 5 minutes. */
  refreshMarginMs?: number;
  /** Clock in ms; tests pass a virtual one. */
  now?: () => number;
}

/** The cause code of a token provider's refusal; not a transient network code, so never retried. */
export const CREDENTIAL_REFUSED = 'CREDENTIAL_REFUSED';
/** Names of the errors with which @azure/identity's credentials refuse (rather than fail to connect). */
const CREDENTIAL_REFUSALS: ReadonlySet<string> = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError']);

/** Bearer tokens from a provider, cached until shortly before expiry. */
export class BearerTokenAuth implements DpsAuth {
  readonly kind = 'entra';
  private cached?: AccessToken;
  private inFlight?: Promise<AccessToken>;
  private readonly margin: number;
  private readonly now: () => number;

  constructor(
    private readonly provider: TokenProvider,
    options: BearerAuthOptions = {},
  ) {
    this.margin = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    if (!Number.isFinite(this.margin) || this.margin < 0) throw new RangeError('refreshMarginMs must be zero or a positive number.');
    this.now = options.now ?? Date.now;
  }

  async authorization(signal?: AbortSignal): Promise<string> {
    return `Bearer ${(await this.token(signal)).token}`;
  }

  /** The cached token while it is comfortably valid; otherwise one shared refresh. */
  async token(signal?: AbortSignal): Promise<AccessToken> {
    if (this.cached && this.now() < this.cached.expiresOnTimestamp - this.margin) return this.cached;
    this.inFlight ??= this.refresh(signal).finally(() => {
      this.inFlight = undefined;
    });
    return await this.inFlight;
  }

  /** Drops the cached token (e.g. after the service refused it), so the next request fetches a new one. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async refresh(signal?: AbortSignal): Promise<AccessToken> {
    let fresh: AccessToken;
    try {
      fresh = await this.provider({ signal });
    } catch (error) {
      // The provider's error may carry request details; keep only its sentence.
      const reason = error instanceof Error ? error.message : String(error);
      // A refusal (no credential found, a secret the authority rejected) is not retried: trying again cannot cure it.
      const refused = error instanceof Error && CREDENTIAL_REFUSALS.has(error.name);
      throw new DpsError({ kind: 'network', operation: 'GetAccessToken', message: `Could not get a Microsoft Entra token: ${reason}`, ...(refused ? { causeCode: CREDENTIAL_REFUSED } : {}) });
    }
    if (!isAccessToken(fresh)) {
      throw new DpsError({ kind: 'invalidResponse', operation: 'GetAccessToken', message: 'The token provider returned no token or no expiry time.' });
    }
    if (fresh.expiresOnTimestamp <= this.now()) {
      throw new DpsError({ kind: 'invalidResponse', operation: 'GetAccessToken', message: 'The token provider returned a token that has already expired; sign in again.' });
    }
    this.cached = fresh;
    return fresh;
  }
}

function isAccessToken(value: unknown): value is AccessToken {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Partial<AccessToken>;
  return typeof t.token === 'string' && t.token !== '' && typeof t.expiresOnTimestamp === 'number' && Number.isFinite(t.expiresOnTimestamp);
}

/** Methods that only read: DELETE and PUT write; POST is a read for queries and attestation mechanisms. */
export function isWriteOperation(operation: string): boolean {
  return /_(CreateOrUpdate|Delete|RunBulkOperation)$/.test(operation);
}

export const DATA_READER_ROLE = 'Device Provisioning Service Data Reader';
export const DATA_CONTRIBUTOR_ROLE = 'Device Provisioning Service Data Contributor';

/**
 * Under Entra ID a 401 means the token was not accepted and a 403 that the signed-in identity lacks
 * a data-plane role; say which role the operation needs, keeping the service's own message.
 */
export function withEntraRoleHint(error: DpsError): DpsError {
  if (error.kind !== 'http' || (error.status !== 401 && error.status !== 403)) return error;
  const write = isWriteOperation(error.operation);
  const role = write ? DATA_CONTRIBUTOR_ROLE : `${DATA_READER_ROLE} (or Data Contributor)`;
  const sentence =
    error.status === 403
      ? `The signed-in account lacks the "${role}" role on this provisioning service${write ? ' needed to change enrollments' : ''}.`
      : `The service did not accept the Microsoft Entra token: sign in again, and make sure the account has the "${role}" role on this provisioning service.`;
  return new DpsError({ ...error.toInit(), authKind: 'entra', message: `${sentence} (${error.message})` });
}
