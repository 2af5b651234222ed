// The device API's ID scope of each connection, asked once and kept in globalState (an ID scope is
// not a secret). The local emulator's is known: derived from its key.
import type { StateStore } from './connectionStore';

export const ID_SCOPES_STATE_KEY = 'dpsEnrollments.idScopes';

export class IdScopeStore {
  constructor(private readonly state: StateStore) {}

  get(connectionId: string): string | undefined {
    const all = this.state.get<Record<string, string>>(ID_SCOPES_STATE_KEY) ?? {};
    return typeof all[connectionId] === 'string' ? all[connectionId] : undefined;
  }

  /** Drops a scope the service refused, so the next provisioning asks again. */
  async forget(connectionId: string): Promise<void> {
    const all = { ...(this.state.get<Record<string, string>>(ID_SCOPES_STATE_KEY) ?? {}) };
    if (!(connectionId in all)) return;
    delete all[connectionId];
    await this.state.update(ID_SCOPES_STATE_KEY, all);
  }

  async set(connectionId: string, idScope: string): Promise<void> {
    const all = { ...(this.state.get<Record<string, string>>(ID_SCOPES_STATE_KEY) ?? {}) };
    all[connectionId] = idScope;
    await this.state.update(ID_SCOPES_STATE_KEY, all);
  }
}
