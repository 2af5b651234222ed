// One small class per kind of tree node. Ids are resource paths, so expansion and selection
// survive a refresh: "<connection>/enrollments/<registrationId>".
import type { DeviceRegistrationState, EnrollmentGroup, IndividualEnrollment, ProvisioningStatus } from '../dps/models';
import type { ConnectionRecord } from '../connections/connectionStore';
import { DEFAULT_API_VERSION } from '../dps/apiVersion';
import { contextValue, enrollmentContext } from './contextValues';
import { enrollmentId, isFilterActive, matchesFilter } from './filters';
import { PagedCollection } from './pagedCollection';
import type { DpsTreeNode, TreeContext, TreeItemDescriptor } from './treeModel';
import { ITEM_KIND_FACTS, queryItems, type Item, type ItemKind } from '../dps/items';
import { earliestExpiry, expiryPhrase, needsExpiryWarning, type CertificateExpiry } from '../attestation/expiry';
import { isRegistered, whereAssigned } from './registrationState';
import { certificatePolicyOf, describeCertificatePolicy } from '../dps/certificatePolicy';
import type { CaCertificate } from '../azure/armModels';
import { caCertificateStatus } from './caCertificateStatus';

export const attestationIcons: Record<string, string> = {
  x509: 'workspace-trusted',
  symmetricKey: 'key',
  tpm: 'chip',
  none: 'circle-large-outline',
};

const DISABLED_COLOR = 'disabledForeground';

function statusOf(item: { provisioningStatus?: ProvisioningStatus }): ProvisioningStatus {
  return item.provisioningStatus === 'disabled' ? 'disabled' : 'enabled';
}

/** A certificate that ends within 30 days (or has ended): the phrase for the description and tooltip. */
function expiryWarning(item: Item): CertificateExpiry | undefined {
  const expiry = earliestExpiry(item.attestation);
  return needsExpiryWarning(expiry) ? expiry : undefined;
}

function expiryLine(expiry: CertificateExpiry | undefined): [string, string | undefined] {
  if (!expiry) return ['Certificate', undefined];
  return ['Certificate', `${expiry.which}${expiry.subjectName ? ` (${expiry.subjectName})` : ''} ${expiryPhrase(expiry.daysLeft)} (${expiry.notAfter})`];
}

/** The attestation icon, or a warning/error icon when a certificate is about to end or has ended. */
function itemIcon(type: string, status: ProvisioningStatus, expiry: CertificateExpiry | undefined): { id: string; color?: string } {
  if (expiry) return expiry.daysLeft < 0 ? { id: 'error', color: 'errorForeground' } : { id: 'warning', color: 'list.warningForeground' };
  return { id: attestationIcons[type] ?? 'question', ...(status === 'disabled' ? { color: DISABLED_COLOR } : {}) };
}

/** The ADR certificate policy (2026-11-01): its name in the description, the full path in the tooltip. */
function policyDetails(item: Item): { short?: string; line: [string, string | undefined] } {
  const ref = certificatePolicyOf(item);
  if (!ref) return { line: ['Certificate policy', undefined] };
  return { short: `policy ${ref.certificatePolicyName}`, line: ['Certificate policy', describeCertificatePolicy(ref)] };
}

function lines(entries: Array<[string, string | number | boolean | undefined]>): string {
  return entries
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join('\n');
}

export class ConnectionNode implements DpsTreeNode {
  readonly parent = undefined;
  readonly id: string;
  readonly enrollments: CategoryNode;
  readonly groups: CategoryNode;
  /** Only for a connection added from Azure: its CA certificates are reached through ARM. */
  readonly caCertificates?: CaCertificatesNode;

  constructor(
    readonly connection: ConnectionRecord,
    readonly ctx: TreeContext,
  ) {
    this.id = `conn:${connection.id}`;
    const pageOf = (kind: ItemKind) => (token: string | undefined) =>
      this.ctx.clientFor(this.connection).then((c) => queryItems(c, kind, { pageSize: this.ctx.pageSize(), ...(token ? { continuationToken: token } : {}) }));
    this.enrollments = new CategoryNode(this, 'enrollment', pageOf('enrollment'));
    this.groups = new CategoryNode(this, 'group', pageOf('group'),
    );
    const caCertificatesOf = ctx.caCertificatesOf?.bind(ctx);
    if (connection.azure && caCertificatesOf) this.caCertificates = new CaCertificatesNode(this, () => caCertificatesOf(this.connection));
  }

  describe(): TreeItemDescriptor {
    const c = this.connection;
    const entra = c.authKind === 'entra';
    const apiVersion = c.apiVersion ?? DEFAULT_API_VERSION;
    // Host and policy name only: the key stays in SecretStorage. The version only when it is not the default,
    // so a connection that speaks the newer API stands out.
    const short = [c.label === c.hostName ? undefined : c.hostName, entra ? 'Microsoft Entra ID' : c.keyName, apiVersion === DEFAULT_API_VERSION ? undefined : apiVersion];
    return {
      id: this.id,
      label: c.label,
      description: short.filter(Boolean).join(' · '),
      tooltip: lines([
        ['Connection', c.label],
        ['Host', c.hostName],
        ['Authentication', entra ? 'Microsoft Entra ID (your Azure sign-in; no key stored)' : `shared access policy "${c.keyName}"`],
        ['API version', apiVersion],
        ['Azure resource', c.azure?.resourceId],
        ['Local emulator', c.isEmulator ? 'yes' : undefined],
      ]),
      icon: { id: c.isEmulator ? 'beaker' : 'plug' },
      collapsible: 'expanded',
      contextValue: contextValue('connection', c.isEmulator && 'emulator', 'refreshable'),
    };
  }

  getChildren(): Promise<DpsTreeNode[]> {
    return Promise.resolve(this.caCertificates ? [this.enrollments, this.groups, this.caCertificates] : [this.enrollments, this.groups]);
  }
}

/** "Individual enrollments" or "Enrollment groups" under a connection: a paged, filtered list. */

export class CategoryNode implements DpsTreeNode {
  readonly id: string;
  readonly pages: PagedCollection<Item>;
  private readonly nodeOf = nodePerItem<Item>(() => this.pages, (item) =>
    (this.kind === 'enrollment' ? new EnrollmentNode(this, item as IndividualEnrollment) : new GroupNode(this, item as EnrollmentGroup)));

  constructor(
    readonly parent: ConnectionNode,
    readonly kind: ItemKind,
    fetch: (token: string | undefined) => Promise<{ items: Item[]; continuationToken?: string }>,
  ) {
    this.id = `${parent.id}/${ITEM_KIND_FACTS[kind].collection}`;
    this.pages = new PagedCollection<Item>(fetch, enrollmentId);
  }

  get connection(): ConnectionRecord {
    return this.parent.connection;
  }

  describe(): TreeItemDescriptor {
    const loaded = this.pages.items.length;
    const shown = this.pages.items.filter((i) => matchesFilter(i, this.parent.ctx.filter())).length;
    let description: string | undefined;
    if (this.pages.hasLoaded && loaded > 0) {
      // A total only when every page is loaded; otherwise what is loaded, marked as more to come.
      const count = this.pages.hasMore ? `${loaded}+ loaded` : `${loaded}`;
      description = isFilterActive(this.parent.ctx.filter()) ? `${shown} of ${count}` : this.pages.hasMore ? `${loaded}+` : `${loaded}`;
    }
    return {
      id: this.id,
      label: this.kind === 'enrollment' ? 'Individual enrollments' : 'Enrollment groups',
      ...(description ? { description } : {}),
      icon: { id: this.kind === 'enrollment' ? 'person' : 'organization' },
      // Expanded: the first page of each list is what people come for.
      collapsible: 'expanded',
      contextValue: contextValue('category', ITEM_KIND_FACTS[this.kind].collection, 'refreshable'),
    };
  }

  async getChildren(): Promise<DpsTreeNode[]> {
    await this.pages.ensureLoaded();
    const individual = this.kind === 'enrollment';
    return pagedChildren(
      this,
      this.pages.items,
      this.nodeOf,
      (item) => matchesFilter(item, this.parent.ctx.filter()),
      individual ? 'No individual enrollments.' : 'No enrollment groups.',
      individual ? 'Could not load individual enrollments' : 'Could not load enrollment groups',
    );
  }
}

/**
 * One node per loaded item object, made on first sight and reused after: "Load more" adds nodes for
 * the new page only, and a group node keeps its own loaded registrations. An item replaced after an
 * edit is a new object, so it gets a new node; a reset drops the items and with them their nodes.
 */
function nodePerItem<T extends object>(pages: () => PagedCollection<T>, make: (item: T) => DpsTreeNode): (item: T) => DpsTreeNode {
  let made = new WeakMap<T, DpsTreeNode>();
  let resets = 0;
  return (item) => {
    // A refresh rebuilds even when the source hands back the same objects.
    if (pages().resets !== resets) {
      made = new WeakMap();
      resets = pages().resets;
    }
    let node = made.get(item);
    if (node === undefined) {
      node = make(item);
      made.set(item, node);
    }
    return node;
  };
}

/** Children of any paged container: items, then "Load more" or an error node. */
function pagedChildren<T>(
  owner: PagedNode,
  items: readonly T[],
  toNode: (item: T) => DpsTreeNode,
  keep: (item: T) => boolean,
  emptyText: string,
  errorContext: string,
): DpsTreeNode[] {
  const pages = owner.pages;
  const visible = items.filter(keep);
  const children: DpsTreeNode[] = visible.map(toNode);
  if (pages.error !== undefined) {
    children.push(new ErrorNode(owner, pages.error, errorContext));
  } else if (pages.hasMore) {
    children.push(new LoadMoreNode(owner, pages.items.length));
  }
  if (children.length === 0) {
    const loaded = pages.items.length;
    children.push(new MessageNode(owner, loaded === 0 ? emptyText : pages.hasMore ? `No loaded item matches the filter (${loaded} loaded).` : `No item matches the filter (${loaded} in all).`));
  }
  return children;
}

/** What the enrollment's row says of its device: nothing when assigned, else why not (a refusal must show without expanding). */
function registrationNote(state: DeviceRegistrationState | undefined): string | undefined {
  if (!isRegistered(state)) return 'not registered';
  return state.status === 'failed' || state.status === 'disabled' ? `registration ${state.status}` : undefined;
}

export class EnrollmentNode implements DpsTreeNode {
  readonly id: string;
  constructor(
    readonly parent: CategoryNode,
    readonly enrollment: IndividualEnrollment,
  ) {
    this.id = `${parent.id}/${enrollment.registrationId}`;
  }

  get connection(): ConnectionRecord {
    return this.parent.connection;
  }
  get itemId(): string {
    return this.enrollment.registrationId;
  }

  describe(): TreeItemDescriptor {
    const e = this.enrollment;
    const status = statusOf(e);
    const type = e.attestation?.type ?? 'none';
    const registered = isRegistered(e.registrationState);
    const expiry = expiryWarning(e);
    // A device id equal to the registration id says nothing new: show the hub instead.
    const deviceId = e.deviceId && e.deviceId !== e.registrationId ? e.deviceId : undefined;
    const target = deviceId ?? (registered ? e.registrationState?.assignedHub : undefined) ?? e.iotHubHostName;
    const policy = policyDetails(e);
    const details = [status === 'disabled' ? 'disabled' : undefined, expiry && expiryPhrase(expiry.daysLeft), target, registrationNote(e.registrationState), policy.short];
    return {
      id: this.id,
      label: e.registrationId,
      description: details.filter(Boolean).join(' · ') || undefined,
      tooltip: lines([
        ['Individual enrollment', e.registrationId],
        ['Attestation', type],
        ['Status', status],
        expiryLine(expiry),
        ['Device id', e.deviceId],
        ['Registration', registered ? e.registrationState?.status : 'not registered'],
        ['Assigned hub', registered ? e.registrationState?.assignedHub : undefined],
        ['IoT hub', e.iotHubHostName],
        ['Allocation', e.allocationPolicy],
        ['IoT Edge', e.capabilities?.iotEdge],
        policy.line,
        ['Created', e.createdDateTimeUtc],
        ['Updated', e.lastUpdatedDateTimeUtc],
      ]),
      icon: itemIcon(type, status, expiry),
      // Expandable only when a device has registered: its registration is the one child.
      collapsible: registered ? 'collapsed' : 'none',
      ariaLabel: [e.registrationId, 'individual enrollment', type, status, ...details.slice(1)].filter(Boolean).join(', '),
      contextValue: enrollmentContext('enrollment', type, e.provisioningStatus),
      command: { command: 'dpsEnrollments.openJson', title: 'Open as JSON' },
    };
  }

  getChildren(): Promise<DpsTreeNode[]> {
    const state = this.enrollment.registrationState;
    return Promise.resolve(isRegistered(state) ? [new RegistrationNode(this, { registrationId: this.enrollment.registrationId, ...state })] : []);
  }
}

export class GroupNode implements DpsTreeNode {
  readonly id: string;
  readonly pages: PagedCollection<DeviceRegistrationState>;
  private readonly nodeOf = nodePerItem<DeviceRegistrationState>(() => this.pages, (r) => new RegistrationNode(this, r));

  constructor(
    readonly parent: CategoryNode,
    readonly group: EnrollmentGroup,
  ) {
    this.id = `${parent.id}/${group.enrollmentGroupId}`;
    const ctx = parent.parent.ctx;
    this.pages = new PagedCollection<DeviceRegistrationState>(
      (token) =>
        ctx.clientFor(parent.connection).then((c) =>
          c.queryRegistrationStates(group.enrollmentGroupId, { pageSize: ctx.pageSize(), ...(token ? { continuationToken: token } : {}) }),
        ),
      (r) => r.registrationId ?? '',
    );
  }

  get connection(): ConnectionRecord {
    return this.parent.connection;
  }
  get itemId(): string {
    return this.group.enrollmentGroupId;
  }

  describe(): TreeItemDescriptor {
    const g = this.group;
    const status = statusOf(g);
    const type = g.attestation?.type ?? 'none';
    const hubs = g.iotHubs && g.iotHubs.length > 0 ? g.iotHubs.join(', ') : g.iotHubHostName;
    const expiry = expiryWarning(g);
    const policy = policyDetails(g);
    const details = [status === 'disabled' ? 'disabled' : undefined, expiry && expiryPhrase(expiry.daysLeft), hubs, policy.short];
    return {
      id: this.id,
      label: g.enrollmentGroupId,
      description: details.filter(Boolean).join(' · ') || undefined,
      tooltip: lines([
        ['Enrollment group', g.enrollmentGroupId],
        ['Attestation', type],
        ['Status', status],
        expiryLine(expiry),
        ['IoT hubs', hubs],
        ['Allocation', g.allocationPolicy],
        ['IoT Edge', g.capabilities?.iotEdge],
        policy.line,
        ['Created', g.createdDateTimeUtc],
        ['Updated', g.lastUpdatedDateTimeUtc],
      ]),
      icon: itemIcon(type, status, expiry),
      collapsible: 'collapsed',
      ariaLabel: [g.enrollmentGroupId, 'enrollment group', type, status, ...details.slice(1)].filter(Boolean).join(', '),
      contextValue: enrollmentContext('group', type, g.provisioningStatus, 'refreshable'),
    };
  }

  async getChildren(): Promise<DpsTreeNode[]> {
    await this.pages.ensureLoaded();
    return pagedChildren(this, this.pages.items, this.nodeOf, () => true,
      'No device registrations.', 'Could not load device registrations');
  }
}

/** A device registration: one of a group's (paged), or the one of an individual enrollment (its own registrationState). */
export class RegistrationNode implements DpsTreeNode {
  readonly id: string;
  constructor(
    readonly parent: GroupNode | EnrollmentNode,
    readonly registration: DeviceRegistrationState,
  ) {
    this.id = `${parent.id}/registrations/${registration.registrationId ?? ''}`;
  }

  get connection(): ConnectionRecord {
    return this.parent.connection;
  }
  get itemId(): string {
    return this.registration.registrationId ?? '';
  }

  describe(): TreeItemDescriptor {
    const r = this.registration;
    const failed = r.status === 'failed';
    const where = whereAssigned(r);
    const ofEnrollment = this.parent instanceof EnrollmentNode;
    // Under an enrollment the status is the news (there is only one); under a group "assigned" is the norm.
    const status = ofEnrollment ? [r.status, r.substatus].filter(Boolean).join(' / ') : r.status && r.status !== 'assigned' ? r.status : undefined;
    return {
      id: this.id,
      label: ofEnrollment ? 'Device registration' : (r.registrationId ?? '(no id)'),
      description: [status, where, ofEnrollment && r.lastUpdatedDateTimeUtc ? `updated ${r.lastUpdatedDateTimeUtc}` : undefined].filter(Boolean).join(' · ') || undefined,
      tooltip: lines([
        ['Device registration', r.registrationId],
        ['Status', r.status],
        ['Substatus', r.substatus],
        ['Device id', r.deviceId],
        ['Assigned hub', r.assignedHub],
        ['Error', r.errorMessage],
        ['Created', r.createdDateTimeUtc],
        ['Last updated', r.lastUpdatedDateTimeUtc],
      ]),
      icon: { id: failed ? 'error' : 'vm', ...(failed ? { color: 'errorForeground' } : r.status === 'disabled' ? { color: DISABLED_COLOR } : {}) },
      collapsible: 'none',
      contextValue: contextValue('registration', ofEnrollment && 'individual'),
    };
  }
}

/** "CA Certificates" under a connection added from Azure: ARM lists them in one answer (one "page"). */
export class CaCertificatesNode implements DpsTreeNode {
  readonly id: string;
  readonly pages: PagedCollection<CaCertificate>;

  constructor(
    readonly parent: ConnectionNode,
    list: () => Promise<CaCertificate[]>,
  ) {
    this.id = `${parent.id}/caCertificates`;
    this.pages = new PagedCollection<CaCertificate>(async () => ({ items: await list() }), (c) => c.name);
  }

  get connection(): ConnectionRecord {
    return this.parent.connection;
  }

  describe(): TreeItemDescriptor {
    const all = this.pages.items;
    const unverified = all.filter((c) => !c.isVerified).length;
    const description = this.pages.hasLoaded && all.length > 0 ? `${all.length}${unverified > 0 ? ` · ${unverified} not verified` : ''}` : undefined;
    return {
      id: this.id,
      label: 'CA Certificates',
      ...(description ? { description } : {}),
      tooltip: 'CA certificates uploaded to this instance (read through Azure Resource Manager). Groups may reference a verified one.',
      icon: { id: 'workspace-trusted' },
      // Collapsed: each expansion is an ARM call, made only when asked for.
      collapsible: 'collapsed',
      contextValue: contextValue('caCertificates', 'refreshable'),
    };
  }

  async getChildren(): Promise<DpsTreeNode[]> {
    await this.pages.ensureLoaded();
    return pagedChildren(this, this.pages.items, (c) => new CaCertificateNode(this, c), () => true, 'No CA certificates. Upload one from the workspace.', 'Could not load CA certificates');
  }
}

export class CaCertificateNode implements DpsTreeNode {
  readonly id: string;
  constructor(
    readonly parent: CaCertificatesNode,
    readonly certificate: CaCertificate,
  ) {
    this.id = `${parent.id}/${certificate.name}`;
  }

  get connection(): ConnectionRecord {
    return this.parent.connection;
  }

  describe(): TreeItemDescriptor {
    const c = this.certificate;
    const status = caCertificateStatus(c);
    const details = [status.verified ? 'verified' : 'not verified', status.expiryText];
    return {
      id: this.id,
      label: c.name,
      description: details.filter(Boolean).join(' · '),
      tooltip: lines([
        ['CA certificate', c.name],
        ['Status', status.verified ? 'verified (proof of possession done)' : 'not verified: groups cannot use it until it is'],
        ['Subject', c.subject],
        ['Thumbprint', c.thumbprint],
        ['Expiry', c.expiry],
        ['Warning', status.warn ? `this certificate ${status.expiryText ?? ''}` : undefined],
        ['Uploaded', c.created],
        ['Updated', c.updated],
      ]),
      icon: status.icon,
      collapsible: 'none',
      ariaLabel: [c.name, 'CA certificate', ...details].filter(Boolean).join(', '),
      contextValue: contextValue('caCertificate', status.verified ? 'verified' : 'unverified'),
    };
  }
}

/** Containers with paged children: what "Load more" and "Retry" act on. */
export type PagedNode = CategoryNode | GroupNode | CaCertificatesNode;

export class LoadMoreNode implements DpsTreeNode {
  readonly id: string;
  constructor(
    readonly parent: PagedNode,
    private readonly loadedCount: number,
  ) {
    this.id = `${parent.id}/#load-more`;
  }

  describe(): TreeItemDescriptor {
    return {
      id: this.id,
      label: 'Load more…',
      description: `${this.loadedCount} loaded`,
      icon: { id: 'more' },
      collapsible: 'none',
      contextValue: contextValue('loadMore'),
      command: { command: 'dpsEnrollments.loadMore', title: 'Load more' },
    };
  }
}

export class ErrorNode implements DpsTreeNode {
  readonly id: string;
  readonly isAuth: boolean;
  private readonly text: string;
  constructor(
    readonly parent: PagedNode,
    error: unknown,
    context: string,
  ) {
    this.id = `${parent.id}/#error`;
    const described = findCtx(parent).describeError(error, context);
    this.text = described.message ?? `${context}.`;
    // "Update Connection" mends a key; an Entra ID connection has none (its remedy is a role or a sign-in).
    this.isAuth = described.isAuth && findConnection(this).authKind !== 'entra';
  }

  get connection(): ConnectionRecord {
    return findConnection(this);
  }

  describe(): TreeItemDescriptor {
    return {
      id: this.id,
      label: this.text,
      description: 'click to retry',
      tooltip: this.text,
      icon: { id: 'error', color: 'errorForeground' },
      collapsible: 'none',
      contextValue: contextValue('error', this.isAuth && 'auth'),
      command: { command: 'dpsEnrollments.retry', title: 'Retry' },
    };
  }
}

export class MessageNode implements DpsTreeNode {
  readonly id: string;
  constructor(
    readonly parent: DpsTreeNode,
    private readonly text: string,
  ) {
    this.id = `${parent.id}/#message`;
  }
  describe(): TreeItemDescriptor {
    return { id: this.id, label: this.text, icon: { id: 'info' }, collapsible: 'none', contextValue: contextValue('message') };
  }
}

function findCtx(node: DpsTreeNode): TreeContext {
  let current: DpsTreeNode | undefined = node;
  while (current && !(current instanceof ConnectionNode)) current = current.parent;
  if (!current) throw new Error('Tree node without a connection.');
  return current.ctx;
}

export function findConnection(node: DpsTreeNode): ConnectionRecord {
  let current: DpsTreeNode | undefined = node;
  while (current && !(current instanceof ConnectionNode)) current = current.parent;
  if (!current) throw new Error('Tree node without a connection.');
  return current.connection;
}
