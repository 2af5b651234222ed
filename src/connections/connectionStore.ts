// Saved connections. The connection string (it holds the key) lives only in SecretStorage under a
// typed key; globalState keeps ids, display names, host, policy name and api-version. No vscode import: the
// composition root passes context.secrets and context.globalState, tests pass fakes.

import { DEFAULT_API_VERSION, type ApiVersion } from '../dps/apiVersion';

/** What context.secrets offers. */
export interface SecretStore {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

/** What context.globalState offers. */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export interface ConnectionRecord {
  /** Stable id used in tree ids and document URIs; derived from host and policy, never from the key. */
  id: string;
  label: string;
  hostName: string;
  keyName: string;
  /** The local emulator started by this extension. */
  isEmulator?: boolean;
  /** CA file to trust for this connection; honoured only for loopback hosts. */
  caCertificatePath?: string;
  /** 'entra': no secret is stored; tokens come from the sign-in each time. Default 'sas'. */
  authKind?: 'sas' | 'entra';
  /** Where the instance lives in Azure (ids only), for ARM: CA certificates, linked hubs. */
  azure?: AzureLink;
  /** Service api-version for this connection; absent means 2021-10-01. */
  apiVersion?: ApiVersion;
}

/** Ids of the instance behind a connection; never a token or key. */
export interface AzureLink {
  /** A cloud name of src/azure/clouds.ts, or 'emulator' for the local emulator's test account. */
  cloud: string;
  tenantId?: string;
  subscriptionId: string;
  resourceId: string;
}

/** A record and its secret as SecretStorage held them (see ConnectionStore.snapshot). */
export interface SavedConnection {
  record: ConnectionRecord;
  connectionString?: string;
}

export interface NewConnection {
  /** Required for SAS connections; absent for Entra ones. */
  connectionString?: string;
  authKind?: 'sas' | 'entra';
  azure?: AzureLink;
  hostName: string;
  keyName: string;
  label?: string;
  id?: string;
  isEmulator?: boolean;
  caCertificatePath?: string;
  /** Absent keeps the saved connection's version (2021-10-01 for a new one). */
  apiVersion?: ApiVersion;
}

export const CONNECTIONS_STATE_KEY = 'dpsEnrollments.connections';
export const EMULATOR_CONNECTION_ID = 'local-emulator';

/** Typed secret key for one connection. */
export function secretKeyFor(connectionId: string): string {
  return `dpsEnrollments.connectionString/${connectionId}`;
}

export function connectionIdFor(hostName: string, keyName: string): string {
  return `${hostName.toLowerCase()}/${keyName}`;
}

type Listener = () => void;

export class ConnectionStore {
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly secrets: SecretStore,
    private readonly state: StateStore,
  ) {}

  list(): ConnectionRecord[] {
    const stored = this.state.get<ConnectionRecord[]>(CONNECTIONS_STATE_KEY);
    return Array.isArray(stored) ? stored.map((r) => ({ ...r })) : [];
  }

  get(id: string): ConnectionRecord | undefined {
    return this.list().find((r) => r.id === id);
  }

  /** Adds or replaces (same id) a connection. Returns the saved record. */
  async add(input: NewConnection): Promise<ConnectionRecord> {
    const id = input.id ?? connectionIdFor(input.hostName, input.keyName);
    const existing = this.get(id);
    // Absent keeps the saved choice (e.g. the emulator re-adding its connection on start).
    const apiVersion = input.apiVersion ?? existing?.apiVersion;
    const record: ConnectionRecord = {
      id,
      label: input.label?.trim() || existing?.label || input.hostName,
      hostName: input.hostName,
      keyName: input.keyName,
      ...(input.isEmulator ? { isEmulator: true } : {}),
      ...(input.caCertificatePath ? { caCertificatePath: input.caCertificatePath } : {}),
      ...(input.authKind === 'entra' ? { authKind: 'entra' as const } : {}),
      ...(input.azure ? { azure: { ...input.azure } } : {}),
      // The default is not stored, so records saved before versions existed read the same.
      ...(apiVersion !== undefined && apiVersion !== DEFAULT_API_VERSION ? { apiVersion } : {}),
    };
    if (input.authKind === 'entra') {
      // Nothing secret to keep; a key left from an earlier SAS connection with this id goes.
      await this.secrets.delete(secretKeyFor(id));
    } else {
      if (!input.connectionString) throw new Error('A shared access connection needs its connection string.');
      // Secret first: a record without its secret would be a broken node in the tree.
      await this.secrets.store(secretKeyFor(id), input.connectionString);
    }
    const others = this.list().filter((r) => r.id !== id);
    await this.state.update(CONNECTIONS_STATE_KEY, existing ? this.list().map((r) => (r.id === id ? record : r)) : [...others, record]);
    this.fire();
    return record;
  }

  async rename(id: string, label: string): Promise<void> {
    const trimmed = label.trim();
    if (!trimmed) throw new Error('A connection name cannot be empty.');
    if (!this.get(id)) throw new Error(`No saved connection with id "${id}".`);
    await this.state.update(CONNECTIONS_STATE_KEY, this.list().map((r) => (r.id === id ? { ...r, label: trimmed } : r)));
    this.fire();
  }

  /** A saved connection with its secret, taken before it is replaced, so a failed replacement can put it back. */
  async snapshot(id: string): Promise<SavedConnection | undefined> {
    const record = this.get(id);
    if (record === undefined) return undefined;
    const connectionString = record.authKind === 'entra' ? undefined : await this.secrets.get(secretKeyFor(id));
    return { record: { ...record }, ...(connectionString ? { connectionString } : {}) };
  }

  /** Puts a snapshot back as it was: its record in its place, its secret (or none). */
  async restore(saved: SavedConnection): Promise<void> {
    const { record } = saved;
    if (saved.connectionString !== undefined) await this.secrets.store(secretKeyFor(record.id), saved.connectionString);
    else await this.secrets.delete(secretKeyFor(record.id));
    const list = this.list();
    await this.state.update(CONNECTIONS_STATE_KEY, list.some((r) => r.id === record.id) ? list.map((r) => (r.id === record.id ? record : r)) : [...list, record]);
    this.fire();
  }

  async remove(id: string): Promise<void> {
    await this.state.update(CONNECTIONS_STATE_KEY, this.list().filter((r) => r.id !== id));
    await this.secrets.delete(secretKeyFor(id));
    this.fire();
  }

  /** The connection string, read from SecretStorage when a client is built. */
  async connectionString(id: string): Promise<string> {
    const value = await this.secrets.get(secretKeyFor(id));
    if (!value) throw new Error('The key of this connection is missing from the secret store; update the connection.');
    return value;
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(): void {
    for (const l of this.listeners) l();
  }
}
