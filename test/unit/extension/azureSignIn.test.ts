// The Azure sign-in: which provider, scopes and options VS Code's authentication is asked with (per
// cloud, per tenant, consent only while the user acts), the emulator's test account that never goes
// to Microsoft's provider, and that no token is kept anywhere. VS Code's getSession is the stub's
// fake; ARM is a fake adapter, or the emulator for its test account.
import '../../support/vscodeStubInstall';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import { recorder, resetRecorder, setSetting, type SessionRequest } from '../../support/vscodeStub';
import { LogRecorder, MemorySecrets, MemoryState } from '../../support/vscodeFakes';
import { AzureSignIn } from '../../../src/ui/azureSignIn';
import { addConnectionFromAzure, readCaCertificates } from '../../../src/commands/azureCommands';
import { ArmClient } from '../../../src/azure/armClient';
import { ClientFactory } from '../../../src/connections/clientFactory';
import { ConnectionStore, EMULATOR_CONNECTION_ID, type AzureLink, type ConnectionRecord } from '../../../src/connections/connectionStore';
import { createLogger, type Logger } from '../../../src/common/logger';
import { parseConnectionString } from '../../../src/dps/connectionString';
import type { RunningEmulator } from '../../../src/emulator/server';
import { startTestEmulator, type TestEmulator } from '../../support/emulator';
import type { CommandContext } from '../../../src/commands/commandContext';

const ARM_SCOPE = 'https://management.azure.com/.default';
const DPS_SCOPE = 'https://azure-devices-provisioning.net/.default';
const CLOUD_SETTING = 'dpsEnrollments.azure.cloud';
const SOVEREIGN_SETTING = 'microsoft-sovereign-cloud.environment';
/** Any JWT: what a token looks like, whoever issued it. */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

const EXP = Math.floor(Date.now() / 1000) + 3600;
/** A token VS Code's provider would hand out for `request`; each one different, so a leak can be traced. */
let issued: string[] = [];
function tokenFor(request: SessionRequest): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({ aud: request.scopes[0], scp: request.scopes, exp: EXP, n: issued.length })}.c2lnbmF0dXJl`;
  issued.push(token);
  return token;
}

/** VS Code's provider: a session for scopes the user consented to; `createIfNone` is the consent. */
function consentingUser(): void {
  const consented = new Set<string>();
  recorder.signIn = (request) => {
    const key = `${request.providerId} ${request.scopes.join(' ')}`;
    if (request.options.createIfNone) consented.add(key);
    return consented.has(key) ? { accessToken: tokenFor(request) } : undefined;
  };
}

/** The requests in a short form: "provider scope… (option)". */
const asked = () => recorder.sessionRequests.map((r) => `${r.providerId} ${r.scopes.join(' ')} (${Object.keys(r.options).filter((k) => r.options[k as keyof SessionRequest['options']]).join(',')})`);

/** Answers a QuickPick with the item whose label contains `text`, noting what was offered. */
let offered: string[][] = [];
const pickLabel = (text: string) => (items: unknown) => {
  const list = items as Array<{ label: string }>;
  offered.push(list.map((i) => i.label));
  return list.find((i) => i.label.includes(text));
};
const pickFirst = (items: unknown) => (items as unknown[])[0];

/** Everything the extension keeps or shows: secrets, globalState, settings writes, log lines, notifications. */
function everythingKept(secrets: MemorySecrets, state: MemoryState, log: LogRecorder): string {
  return JSON.stringify({ secrets: [...secrets.values], state: [...state.values], settings: recorder.settingsWrites, log: log.lines, messages: recorder.messages });
}

beforeEach(() => {
  resetRecorder();
  issued = [];
  offered = [];
});

void describe("tokens from VS Code's Microsoft sign-in", () => {
  const signIn = () => new AzureSignIn(new ConnectionStore(new MemorySecrets(), new MemoryState()));

  void test("ARM: the public cloud's ARM scope, silently, the expiry read from the token", async () => {
    consentingUser();
    await assert.rejects(signIn().tokenProvider({ cloud: 'AzureCloud' }, 'arm')(), /signed out of Azure.*"Add Connection from Azure…"/);
    assert.deepEqual(asked(), [`microsoft ${ARM_SCOPE} (silent)`], 'not interactive: no sign-in is shown');
    resetRecorder();
    recorder.signIn = (request) => ({ accessToken: tokenFor(request) });
    const token = await signIn().tokenProvider({ cloud: 'AzureCloud' }, 'arm')();
    assert.deepEqual(recorder.sessionRequests, [{ providerId: 'microsoft', scopes: [ARM_SCOPE], options: { silent: true } }]);
    assert.equal(token.token, issued[0]);
    assert.equal(token.expiresOnTimestamp, EXP * 1000);
  });

  void test('DPS data plane: its own scope, and the chosen tenant as VSCODE_TENANT', async () => {
    recorder.signIn = (request) => ({ accessToken: tokenFor(request) });
    await signIn().tokenProvider({ cloud: 'AzureCloud', tenantId: 'tenant-b' }, 'dps')();
    await signIn().tokenProvider({ cloud: 'AzureCloud' }, 'dps')();
    assert.deepEqual(asked(), [`microsoft ${DPS_SCOPE} VSCODE_TENANT:tenant-b (silent)`, `microsoft ${DPS_SCOPE} (silent)`]);
  });

  void test('interactive: consent is asked only when no session exists, silent once given', async () => {
    consentingUser();
    const provider = signIn().tokenProvider({ cloud: 'AzureCloud', tenantId: 't1' }, 'dps', true);
    await provider();
    await provider();
    await signIn().tokenProvider({ cloud: 'AzureCloud', tenantId: 't1' }, 'dps')();
    const scopes = `${DPS_SCOPE} VSCODE_TENANT:t1`;
    assert.deepEqual(asked(), [`microsoft ${scopes} (silent)`, `microsoft ${scopes} (createIfNone)`, `microsoft ${scopes} (silent)`, `microsoft ${scopes} (silent)`]);
  });

  void test('interactive, the user declines: the refusal reaches the caller, nothing is asked again', async () => {
    const provider = signIn().tokenProvider({ cloud: 'AzureCloud' }, 'arm', true);
    await assert.rejects(provider(), /did not consent/);
    assert.deepEqual(asked(), [`microsoft ${ARM_SCOPE} (silent)`, `microsoft ${ARM_SCOPE} (createIfNone)`]);
  });
});

void describe('sovereign clouds', () => {
  const signIn = () => new AzureSignIn(new ConnectionStore(new MemorySecrets(), new MemoryState()));
  // Written out rather than read from src/azure/clouds.ts, so a wrong entry there fails here.
  const expected = [
    { cloud: 'AzureCloud', environment: undefined, provider: 'microsoft', arm: 'https://management.azure.com', dps: DPS_SCOPE },
    { cloud: 'AzureChinaCloud', environment: 'ChinaCloud', provider: 'microsoft-sovereign-cloud', arm: 'https://management.chinacloudapi.cn', dps: 'https://azure-devices-provisioning.cn/.default' },
    { cloud: 'AzureUSGovernment', environment: 'USGovernment', provider: 'microsoft-sovereign-cloud', arm: 'https://management.usgovcloudapi.net', dps: 'https://azure-devices-provisioning.us/.default' },
  ];

  for (const c of expected) {
    void test(`${c.cloud}: provider ${c.provider}, ARM at ${c.arm}`, async () => {
      setSetting(CLOUD_SETTING, c.cloud);
      setSetting(SOVEREIGN_SETTING, c.environment);
      recorder.signIn = (request) => ({ accessToken: tokenFor(request) });
      const azure = signIn();
      const cloud = azure.configuredCloud();
      assert.equal(cloud.name, c.cloud);
      const arm = await azure.armClient({ cloud: cloud.name });
      arm.dispose();
      assert.equal(arm.endpoint, c.arm);
      await azure.tokenProvider({ cloud: cloud.name }, 'arm')();
      await azure.tokenProvider({ cloud: cloud.name }, 'dps')();
      assert.deepEqual(recorder.sessionRequests.map((r) => [r.providerId, ...r.scopes]), [[c.provider, `${c.arm}/.default`], [c.provider, c.dps]]);
    });
  }

  void test('unset: the public cloud', () => {
    assert.equal(signIn().configuredCloud().name, 'AzureCloud');
  });

  void test("a sovereign cloud without VS Code's sovereign account set for it: refused before anything is asked", async () => {
    setSetting(CLOUD_SETTING, 'AzureChinaCloud');
    setSetting(SOVEREIGN_SETTING, 'USGovernment');
    const azure = signIn();
    await assert.rejects(azure.tokenProvider({ cloud: azure.configuredCloud().name }, 'arm', true)(), /set "microsoft-sovereign-cloud\.environment" to "ChinaCloud"/);
    assert.deepEqual(recorder.sessionRequests, []);
  });

  for (const value of ['AzureGermanCloud', 'toString', 42]) {
    void test(`an unknown cloud (${String(value)}) is refused with a sentence naming the setting`, () => {
      setSetting(CLOUD_SETTING, value);
      assert.throws(() => signIn().configuredCloud(), (e: Error) => {
        assert.match(e.message, /"dpsEnrollments\.azure\.cloud"/);
        assert.match(e.message, /AzureCloud, AzureChinaCloud or AzureUSGovernment/);
        return true;
      });
    });
  }

  void test('an unknown cloud: "Add Connection from Azure…" stops before any sign-in', async () => {
    setSetting(CLOUD_SETTING, 'AzureGermanCloud');
    const azure = signIn();
    const ctx = { azure, emulator: { isRunning: false } } as unknown as CommandContext;
    await assert.rejects(addConnectionFromAzure(ctx), /"dpsEnrollments\.azure\.cloud"/);
    assert.deepEqual(recorder.sessionRequests, []);
  });

  void test('a connection linked to a cloud this version does not know: refused, not sent to the public cloud', async () => {
    recorder.signIn = (request) => ({ accessToken: tokenFor(request) });
    const azure = signIn();
    await assert.rejects(azure.tokenProvider({ cloud: 'AzureGermanCloud' }, 'dps')(), /"AzureGermanCloud".*Add Connection from Azure/);
    await assert.rejects(azure.armClient({ cloud: 'constructor' }), /"constructor".*Add Connection from Azure/);
    assert.deepEqual(recorder.sessionRequests, []);
  });
});

/** ARM as the public cloud answers it: two directories, one subscription, one instance; requests noted. */
function fakeArm(seen: Array<{ url: string; authorization: string }>): AxiosAdapter {
  const instance = {
    id: '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Devices/provisioningServices/plant-dps',
    name: 'plant-dps',
    location: 'westeurope',
    properties: { serviceOperationsHostName: 'plant-dps.azure-devices-provisioning.net', idScope: '0ne00000001' },
  };
  return (config: InternalAxiosRequestConfig) => {
    const url = String(config.url);
    seen.push({ url, authorization: String(config.headers.Authorization ?? config.headers.authorization) });
    const body = url.startsWith('/tenants')
      ? { value: [{ tenantId: 'tenant-a', displayName: 'Contoso' }, { tenantId: 'tenant-b', displayName: 'Fabrikam' }] }
      : url.startsWith('/subscriptions?')
        ? { value: [{ subscriptionId: 'sub-1', displayName: 'Plant' }] }
        : url.includes('/certificates')
          ? { value: [] }
          : { value: [instance] };
    return Promise.resolve({ data: JSON.stringify(body), status: 200, statusText: 'OK', headers: {}, config });
  };
}

/** The real sign-in, with the ARM client it builds pointed at a fake adapter (same endpoint, same token source). */
class SignInWithFakeArm extends AzureSignIn {
  readonly seen: Array<{ url: string; authorization: string }> = [];
  readonly endpoints: string[] = [];
  override async armClient(link: Pick<AzureLink, 'cloud' | 'tenantId'>, interactive = false): Promise<ArmClient> {
    const real = await super.armClient(link, interactive);
    real.dispose();
    this.endpoints.push(real.endpoint);
    return new ArmClient({ endpoint: real.endpoint, tokenProvider: this.tokenProvider(link, 'arm', interactive), adapter: fakeArm(this.seen) });
  }
}

void describe('"Add Connection from Azure…" with a Microsoft account', () => {
  let secrets: MemorySecrets;
  let state: MemoryState;
  let log: LogRecorder;
  let logger: Logger;
  let azure: SignInWithFakeArm;
  let ctx: CommandContext;
  /** Data-plane calls the saved connection made: the token each one was sent with. */
  let dataPlane: string[];

  beforeEach(() => {
    secrets = new MemorySecrets();
    state = new MemoryState();
    log = new LogRecorder();
    logger = createLogger(log);
    const store = new ConnectionStore(secrets, state);
    azure = new SignInWithFakeArm(store);
    dataPlane = [];
    // The saved connection's client takes its tokens as extension.ts wires it (not interactive).
    const clients = {
      clientFor: (record: ConnectionRecord) => {
        const tokens = azure.tokenProvider(record.azure ?? { cloud: azure.configuredCloud().name }, 'dps');
        return Promise.resolve({ queryEnrollments: async () => (dataPlane.push((await tokens()).token), { items: [] }) });
      },
      invalidate: () => undefined,
    };
    ctx = { store, clients, logger, azure, emulator: { isRunning: false }, tree: { refresh: () => undefined } } as unknown as CommandContext;
  });

  void test('consent for ARM and the data plane while the user is there, silent afterwards; no token kept', async () => {
    consentingUser();
    recorder.answers.push(pickLabel('Fabrikam'), pickFirst, pickFirst, pickLabel('Microsoft Entra ID'), pickFirst /* api-version */);
    const record = (await addConnectionFromAzure(ctx)) as ConnectionRecord;

    assert.equal(offered[0]?.some((l) => l.includes('Local emulator')), false, 'no emulator source while it is not running');
    assert.deepEqual(record.azure, { cloud: 'AzureCloud', tenantId: 'tenant-b', subscriptionId: 'sub-1', resourceId: '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Devices/provisioningServices/plant-dps' });
    const arm = `microsoft ${ARM_SCOPE}`;
    const armB = `${arm} VSCODE_TENANT:tenant-b`;
    const dpsB = `microsoft ${DPS_SCOPE} VSCODE_TENANT:tenant-b`;
    assert.deepEqual(asked(), [
      `${arm} (silent)`, `${arm} (createIfNone)`, // the directories, before a tenant is chosen
      `${armB} (silent)`, `${armB} (createIfNone)`, // subscriptions and instances in the chosen one
      `${dpsB} (silent)`, `${dpsB} (createIfNone)`, // the data-plane consent, asked now
      `${dpsB} (silent)`, // the connection's test call: silent
    ]);
    assert.deepEqual(new Set(azure.endpoints), new Set(['https://management.azure.com']));
    const tokenOf = (n: number) => `Bearer ${issued[n]}`;
    assert.equal(azure.seen[0]?.authorization, tokenOf(0), 'directories read with the token for no tenant');
    assert.ok(azure.seen.slice(1).every((s) => s.authorization === tokenOf(1)), 'the rest with the chosen tenant');
    assert.deepEqual(dataPlane, [issued[3]]);

    // A tree expansion later (not interactive) stays silent.
    await readCaCertificates(ctx, record);
    assert.equal(recorder.sessionRequests.at(-1)?.options.silent, true);
    assert.equal(recorder.sessionRequests.some((r, i) => i >= 7 && r.options.createIfNone), false);

    const kept = everythingKept(secrets, state, log);
    assert.ok(issued.length >= 4);
    // Whole or in part: the payload (its claims) of each token is what identifies it.
    for (const token of issued) for (const part of [token, token.split('.')[1] ?? token]) assert.equal(kept.includes(part), false, 'a token was kept');
    assert.doesNotMatch(kept, JWT);
    assert.ok(state.values.size > 0 && kept.includes('plant-dps'), 'the connection itself was saved');
  });

  void test('signed out later: the tree expansion says how to sign in, and shows no sign-in', async () => {
    const link: AzureLink = { cloud: 'AzureCloud', tenantId: 'tenant-b', subscriptionId: 'sub-1', resourceId: '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Devices/provisioningServices/plant-dps' };
    const record = await ctx.store.add({ id: 'plant/entra', label: 'Plant', hostName: 'plant-dps.azure-devices-provisioning.net', keyName: 'Microsoft Entra ID', authKind: 'entra', azure: link });
    await assert.rejects(readCaCertificates(ctx, record), /signed out of Azure: run "Add Connection from Azure…"/);
    assert.ok(recorder.sessionRequests.length > 0);
    assert.ok(recorder.sessionRequests.every((r) => r.options.silent === true && !r.options.createIfNone));
  });

  void test('the emulator not running: the Microsoft account is the only source, asked for at once', async () => {
    recorder.answers.push(pickFirst);
    await assert.rejects(addConnectionFromAzure(ctx), /did not consent/);
    assert.deepEqual(offered, [], 'no "Sign in with" choice');
    assert.equal(recorder.answers.length, 1, 'no QuickPick was shown');
    assert.deepEqual(asked(), [`microsoft ${ARM_SCOPE} (silent)`, `microsoft ${ARM_SCOPE} (createIfNone)`]);
  });
});

void describe('"Add Connection from Azure…" with the local emulator\'s test account', () => {
  let emu: RunningEmulator;
  let running: TestEmulator;

  before(async () => {
    running = await startTestEmulator({ port: 0, seed: 'none' });
    emu = running.emu;
  });
  after(async () => {
    await running?.dispose();
  });

  for (const how of ['Microsoft Entra ID', 'Shared access policy']) {
    void test(`offered while it runs; choosing it sends nothing to Microsoft's provider (${how}); no token kept`, async () => {
      consentingUser();
      const secrets = new MemorySecrets();
      const state = new MemoryState();
      const log = new LogRecorder();
      const logger = createLogger(log);
      const store = new ConnectionStore(secrets, state);
      const { hostName, sharedAccessKeyName } = parseConnectionString(emu.connectionString);
      await store.add({ id: EMULATOR_CONNECTION_ID, label: 'Local emulator', hostName, keyName: sharedAccessKeyName, connectionString: emu.connectionString, isEmulator: true, caCertificatePath: emu.caCertificatePath });
      const azure = new AzureSignIn(store);
      // Wired as extension.ts does: a connection's data-plane tokens come from the sign-in.
      const clients = new ClientFactory(store, logger, () => 5000, (c) => azure.tokenProvider(c.azure ?? { cloud: azure.configuredCloud().name }, 'dps'));
      const ctx = { store, clients, logger, azure, emulator: { isRunning: true }, tree: { refresh: () => undefined } } as unknown as CommandContext;

      recorder.answers.push(pickLabel('Local emulator'), pickFirst, pickFirst, pickLabel(how), pickFirst /* api-version */);
      if (how === 'Shared access policy') recorder.answers.push((options: { value?: string }) => options.value);
      const record = (await addConnectionFromAzure(ctx)) as ConnectionRecord;

      assert.deepEqual(offered[0], ['$(azure) Microsoft account (AzureCloud)', '$(beaker) Local emulator (test account)']);
      assert.equal(record.azure?.cloud, 'emulator');
      await (await clients.clientFor(record)).queryEnrollments({ pageSize: 1 });
      assert.deepEqual(recorder.sessionRequests, [], "nothing went to Microsoft's provider");
      const kept = everythingKept(secrets, state, log);
      assert.doesNotMatch(kept, JWT, 'no token kept');
      assert.ok(kept.includes(record.id), 'the connection itself was saved');
    });
  }

  void test('the emulator stopped: its linked connection says to start it, and asks Microsoft for nothing', async () => {
    const azure = new AzureSignIn(new ConnectionStore(new MemorySecrets(), new MemoryState()));
    await assert.rejects(azure.tokenProvider({ cloud: 'emulator' }, 'dps', true)(), /local emulator is not running: start it/);
    await assert.rejects(azure.armClient({ cloud: 'emulator' }, true), /local emulator is not running: start it/);
    assert.deepEqual(recorder.sessionRequests, []);
  });
});
