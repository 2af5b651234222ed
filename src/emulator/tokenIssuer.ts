// The emulator's own Microsoft Entra stand-in: it signs RS256 JWTs with a key made at start-up and
// verifies them on the data plane and on its ARM paths. Tokens carry the audience of the resource
// they are for (DPS or ARM), an expiry and the role of the test account, so Reader versus
// Contributor behaviour can be tested offline. The key never leaves the process.
import { createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';

export const DPS_AUDIENCE = 'https://azure-devices-provisioning.net';
export const ARM_AUDIENCE = 'https://management.azure.com';
export const DATA_CONTRIBUTOR = 'Device Provisioning Service Data Contributor';
export const DATA_READER = 'Device Provisioning Service Data Reader';
export const ARM_CONTRIBUTOR = 'Contributor';
export const ARM_READER = 'Reader';

/** What a caller asks for: the access level of the test account for the scope's resource. */
export type TestAccessLevel = 'contributor' | 'reader';

export interface TokenClaims {
  aud: string;
  iss: string;
  sub: string;
  oid: string;
  tid: string;
  iat: number;
  nbf: number;
  exp: number;
  roles: string[];
}

export interface MintedToken {
  token: string;
  expiresOnTimestamp: number;
}

export class TokenRejection extends Error {
  override readonly name = 'TokenRejection';
}

const MAX_TOKEN_LENGTH = 16 * 1024;

export class TokenIssuer {
  readonly issuer: string;
  readonly tenantId: string;
  readonly keyId = randomUUID();
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(options: { tenantId?: string; now?: () => number } = {}) {
    this.tenantId = options.tenantId ?? '72f988bf-0000-4000-8000-00000000e1a7';
    this.issuer = `https://sts.emulator.invalid/${this.tenantId}/`;
    this.now = options.now ?? Date.now;
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = createPublicKey(pair.privateKey);
  }

  private readonly now: () => number;

  /** A token for `scope` (e.g. https://azure-devices-provisioning.net/.default) for the test account. */
  mint(input: { scope: string; level?: TestAccessLevel; lifetimeSeconds?: number; subject?: string }): MintedToken {
    const audience = audienceForScope(input.scope);
    const level = input.level ?? 'contributor';
    const lifetime = input.lifetimeSeconds ?? 3600;
    if (!Number.isInteger(lifetime) || lifetime < -86_400 || lifetime > 86_400) throw new RangeError('lifetimeSeconds must be a whole number of seconds within a day.');
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = {
      aud: audience,
      iss: this.issuer,
      sub: input.subject ?? 'emulator-test-account',
      oid: '00000000-0000-4000-8000-0000000000a1',
      tid: this.tenantId,
      iat,
      nbf: iat - 60,
      exp: iat + lifetime,
      roles: [roleFor(audience, level)],
    };
    const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.keyId }));
    const body = b64url(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${head}.${body}`), this.privateKey).toString('base64url');
    return { token: `${head}.${body}.${signature}`, expiresOnTimestamp: claims.exp * 1000 };
  }

  /** The claims of a token this issuer signed for `audience`; throws TokenRejection saying why not. */
  verify(token: string, audience: string): TokenClaims {
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejection('The bearer token is too long.');
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) throw new TokenRejection('The bearer token is not a JWT.');
    const header = parseSegment(parts[0]);
    // Only our algorithm: 'none' or HS256 with the public key as secret must never pass.
    if (header.alg !== 'RS256') throw new TokenRejection(`The bearer token's algorithm '${String(header.alg)}' is not accepted.`);
    const valid = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!valid) throw new TokenRejection('The bearer token signature is not valid (it was not issued by this emulator).');
    const claims = parseSegment(parts[1]) as Partial<TokenClaims>;
    if (claims.iss !== this.issuer) throw new TokenRejection('The bearer token was issued by another authority.');
    if (claims.aud !== audience) throw new TokenRejection(`The bearer token's audience '${String(claims.aud)}' is not ${audience}.`);
    const nowSeconds = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) throw new TokenRejection('The bearer token has expired.');
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + 300) throw new TokenRejection('The bearer token is not valid yet.');
    if (!Array.isArray(claims.roles) || !claims.roles.every((r) => typeof r === 'string')) throw new TokenRejection('The bearer token carries no roles.');
    return claims as TokenClaims;
  }
}

/** `https://x/.default` or `https://x` to the audience `https://x`; only the two resources the emulator serves. */
export function audienceForScope(scope: string): string {
  const audience = scope.trim().replace(/\/\.default$/, '').replace(/\/$/, '');
  if (audience !== DPS_AUDIENCE && audience !== ARM_AUDIENCE) {
    throw new RangeError(`The emulator issues tokens only for ${DPS_AUDIENCE}/.default and ${ARM_AUDIENCE}/.default; got '${scope.slice(0, 100)}'.`);
  }
  return audience;
}

function roleFor(audience: string, level: TestAccessLevel): string {
  if (audience === DPS_AUDIENCE) return level === 'reader' ? DATA_READER : DATA_CONTRIBUTOR;
  return level === 'reader' ? ARM_READER : ARM_CONTRIBUTOR;
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function parseSegment(segment: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new TokenRejection('The bearer token is not a JWT.');
}
