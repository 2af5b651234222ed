// Builds one DpsClient per connection, on demand, with the key read from SecretStorage at that
// moment. The emulator's CA is trusted only for loopback hosts (the client enforces it as well).
import { readFile } from 'node:fs/promises';
import { DpsClient, type RequestEvent } from '../dps/client';
import { isLoopbackHost } from '../dps/connectionString';
import type { Logger } from '../common/logger';
import type { ConnectionRecord, ConnectionStore } from './connectionStore';
import type { DpsApi } from '../dps/api';
import type { TokenProvider } from '../dps/auth';
import type { ApiVersion } from '../dps/apiVersion';

/** Token sources for Entra connections, given by the composition root (VS Code sign-in or the emulator's test account). */
export type TokenProviderFor = (connection: ConnectionRecord) => TokenProvider;

export class ClientFactory {
  private readonly clients = new Map<string, { fingerprint: string; client: Promise<DpsApi> }>();

  constructor(
    private readonly store: ConnectionStore,
    private readonly logger: Logger,
    private readonly timeoutMs: () => number,
    private readonly tokenProviderFor?: TokenProviderFor,
  ) {}

  clientFor(connection: ConnectionRecord): Promise<DpsApi> {
    const fingerprint = JSON.stringify([connection, this.timeoutMs()]);
    const cached = this.clients.get(connection.id);
    if (cached && cached.fingerprint === fingerprint) return cached.client;
    if (cached) this.invalidate(connection.id);
    const client = this.create(connection);
    this.clients.set(connection.id, { fingerprint, client });
    // A failed build (missing secret, unreadable CA) must not be cached.
    client.catch(() => this.clients.delete(connection.id));
    return client;
  }

  /** Forget (and close) cached clients, e.g. after a connection's key changed. */
  invalidate(connectionId?: string): void {
    const ids = connectionId ? [connectionId] : [...this.clients.keys()];
    for (const id of ids) {
      const cached = this.clients.get(id);
      this.clients.delete(id);
      cached?.client.then((c) => c.dispose?.(), () => undefined);
    }
  }

  private async create(connection: ConnectionRecord): Promise<DpsApi> {
    if (connection.authKind === 'entra') return await this.createEntra(connection);
    const connectionString = await this.store.connectionString(connection.id);
    this.logger.addSecret(connectionString);
    const ca = connection.caCertificatePath && isLoopbackHost(connection.hostName) ? await readFile(connection.caCertificatePath, 'utf8') : undefined;
    return createClient(connectionString, this.logger, this.timeoutMs(), ca, connection.apiVersion);
  }

  private async createEntra(connection: ConnectionRecord): Promise<DpsApi> {
    if (!this.tokenProviderFor) throw new Error('Microsoft Entra connections need the Azure sign-in, which is not available here.');
    const ca = connection.caCertificatePath && isLoopbackHost(connection.hostName) ? await readFile(connection.caCertificatePath, 'utf8') : undefined;
    return DpsClient.withTokenProvider(connection.hostName, this.tokenProviderFor(connection), {
      timeoutMs: this.timeoutMs(),
      ...(ca ? { ca } : {}),
      ...(connection.apiVersion ? { apiVersion: connection.apiVersion } : {}),
      onRequest: (e) => logRequest(this.logger, e),
    });
  }
}

function logRequest(logger: Logger, e: RequestEvent): void {
  const facts = [`${e.method} ${e.path}`, `status=${e.status ?? '-'}`, `${Math.round(e.durationMs)}ms`, e.attempt > 1 ? `attempt=${e.attempt}` : '', e.trackingId ? `trackingId=${e.trackingId}` : '']
    .filter(Boolean)
    .join(' ');
  logger.debug(`${e.operation}: ${facts}`);
}

/** A client whose every request is logged with its operation, status, timing and tracking id. */
export function createClient(connectionString: string, logger: Logger, timeoutMs: number, ca?: string, apiVersion?: ApiVersion): DpsApi {
  return DpsClient.fromConnectionString(connectionString, {
    timeoutMs,
    ...(ca ? { ca } : {}),
    ...(apiVersion ? { apiVersion } : {}),
    onRequest: (e: RequestEvent) => {
      const facts = [`${e.method} ${e.path}`, `status=${e.status ?? '-'}`, `${Math.round(e.durationMs)}ms`, e.attempt > 1 ? `attempt=${e.attempt}` : '', e.trackingId ? `trackingId=${e.trackingId}` : '']
        .filter(Boolean)
        .join(' ');
      logger.debug(`${e.operation}: ${facts}`);
    },
  });
}
