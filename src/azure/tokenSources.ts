// Token sources that need no editor: the local emulator's test account (POST /_emulator/token on a
// loopback host, trusting only the emulator's CA) and the expiry of a JWT that another source (VS
// Code's sign-in) handed out without one. Tokens are returned, never logged or stored.
import * as https from 'node:https';
import { isLoopbackHost } from '../dps/connectionString';
import type { AccessToken, TokenProvider } from '../dps/auth';

export interface EmulatorAccount {
  /** The emulator's host:port (loopback only). */
  hostName: string;
  /** The emulator's CA (PEM). */
  ca: string;
  role?: 'contributor' | 'reader';
}

export function emulatorTokenProvider(account: EmulatorAccount, scope: string): TokenProvider {
  if (!isLoopbackHost(account.hostName)) throw new RangeError('The emulator test account is available only on a loopback host.');
  return () =>
    new Promise<AccessToken>((resolve, reject) => {
      const data = JSON.stringify({ scope, role: account.role ?? 'contributor' });
      const req = https.request(
        `https://${account.hostName}/_emulator/token`,
        { method: 'POST', ca: account.ca, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }, timeout: 10_000 },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => {
            try {
              const body = JSON.parse(text) as { token?: unknown; expiresOnTimestamp?: unknown; error?: { message?: unknown } };
              if (res.statusCode === 200 && typeof body.token === 'string' && typeof body.expiresOnTimestamp === 'number') {
                resolve({ token: body.token, expiresOnTimestamp: body.expiresOnTimestamp });
              } else {
                reject(new Error(`The emulator did not issue a token (HTTP ${res.statusCode ?? '?'}${typeof body.error?.message === 'string' ? `: ${body.error.message}` : ''}).`));
              }
            } catch {
              reject(new Error('The emulator answered the token request with something that is not JSON.'));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('The emulator did not answer the token request in time.')));
      req.on('error', (error) => reject(new Error(`Could not reach the emulator for a token: ${error.message}`)));
      req.end(data);
    });
}

/**
 * When a token stops working, read from its `exp` claim (the signature is the service's business).
 * VS Code's sessions carry no expiry; a token that cannot be read is assumed to live ten minutes, so
 * the cache asks again soon rather than sending a stale one.
 */
export function jwtExpiry(token: string, nowMs = Date.now()): number {
  const payload = token.split('.')[1];
  if (payload !== undefined) {
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
      if (typeof claims.exp === 'number' && Number.isFinite(claims.exp)) return claims.exp * 1000;
    } catch {
      // fall through
    }
  }
  return nowMs + 10 * 60_000;
}
