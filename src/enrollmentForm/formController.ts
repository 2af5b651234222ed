// The host side of the enrollment form without the editor: it answers the page's messages using
// the attestation library and the client, and keeps the state that must not live in the page
// (certificate contents, the object being updated). Everything editor-specific comes in through
// `FormPorts`, so this runs and is tested in plain Node.

import type { DpsApi } from '../dps/api';
import { DEFAULT_API_VERSION, type ApiVersion } from '../dps/apiVersion';
import { randomBytes } from 'node:crypto';
import type { EnrollmentGroup, IndividualEnrollment } from '../dps/models';
import { buildServiceObject, draftFromServiceObject, serviceObjectId } from './draftMapping';
import type { FormAttestation } from './formAttestation';
import { toFieldProblem } from './formAttestation';
import { emptyDraft, type CertificateFileEntry, type CertificateSlot, type CertificateSummary, type FieldProblem, type FormDraft, type FormMode, type HostMessage, type InitMessage, type PageMessage, type TpmKeyFacts } from './protocol';
import { checkPageMessage, MessageRejection } from './protocolGuards';
import { isDpsError } from '../dps/errors';
import { placeServiceError } from './serviceErrorFields';
import { linkedHubsAnswer, type LinkedHubSource } from './linkedHubChoices';
import { caCertificatesAnswer, type CaCertificateSource } from './caCertificateChoices';
import { type Item, type ItemKind, getItem, getItemAttestation } from '../dps/items';

/** The client calls the form makes; `DpsClient` satisfies this structurally. */
export type FormClient = Pick<
  DpsApi,
  'getEnrollment' | 'getEnrollmentGroup' | 'createOrUpdateEnrollment' | 'createOrUpdateEnrollmentGroup' | 'getEnrollmentAttestation' | 'getEnrollmentGroupAttestation'
>;

/** A file the host can read; `label` is what the user sees (workspace-relative path). */
export interface ReadableFile {
  label: string;
  read(): Promise<Uint8Array>;
}

export interface FormLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface FormPorts {
  post(message: HostMessage): void;
  getClient(): Promise<FormClient>;
  attestation: FormAttestation;
  listCertificateFiles(): Promise<ReadableFile[]>;
  /** The system open dialog; undefined when cancelled. */
  browseFile(purpose: 'certificate' | 'tpmKey'): Promise<ReadableFile | undefined>;
  /** Asks whether to throw away unsaved input; true = discard. */
  confirmDiscard(): Promise<boolean>;
  close(): void;
  onSaved(kind: ItemKind, object: Item): void;
  log: FormLogger;
  /** The hubs linked to the connection's instance (through ARM); absent for a connection without Azure ids. */
  linkedHubs?: LinkedHubSource;
  /** The CA certificates of the connection's instance (through ARM); absent for a connection without Azure ids. */
  caCertificates?: CaCertificateSource;
}

export interface FormOpenOptions {
  kind: ItemKind;
  mode: FormMode;
  existing?: Item;
  connectionLabel: string;
  /** The connection's api-version (2021-10-01 when not given). */
  apiVersion?: ApiVersion;
  /** A certificate to prefill the primary slot with (Explorer right-click). */
  certificate?: ReadableFile;
  /** A CA certificate name to prefill the primary CA reference with (a CA node's right-click). */
  caReference?: string;
  /** A draft kept from a form closed with unsaved input. */
  restore?: FormSnapshot;
}

/** What survives the panel: the draft and the certificate contents it refers to (memory only). */
export interface FormSnapshot {
  draft: FormDraft;
  dirty: boolean;
  /** After a save the form updates what it saved, so a reopened form must too. */
  mode: FormMode;
  existing?: Item;
  certificates: Map<string, string>;
  certificateSummaries: Map<string, { slot: CertificateSlot; summary: CertificateSummary }>;
}

function newToken(): string {
  return randomBytes(12).toString('base64url');
}

/** Text files hold base64 (or PEM); anything else is raw bytes and is encoded here. */
function keyTextFromFile(content: Uint8Array): string {
  const text = Buffer.from(content).toString('utf8').replace(/^\uFEFF/, '').trim();
  return /^[\x20-\x7E\r\n\t]*$/.test(text) ? text.replace(/\s+/g, '') : Buffer.from(content).toString('base64');
}

/** True when the service has an object with this id; a 404 means free, anything else is thrown. */
export async function existsOnService(client: FormClient, kind: ItemKind, id: string): Promise<boolean> {
  try {
    await getItem(client, kind, id);
    return true;
  } catch (error) {
    if (isDpsError(error) && error.status === 404) return false;
    throw error;
  }
}

/** A new form's draft; with a CA name it is an X.509 draft referencing that CA. */
function initialDraft(kind: ItemKind, caReference: string | undefined): FormDraft {
  const draft = emptyDraft(kind);
  return caReference ? { ...draft, attestationType: 'x509', x509Source: 'caReferences', caReferencePrimary: caReference } : draft;
}

export class EnrollmentFormController {
  private mode: FormMode;
  private existing: Item | undefined;
  private readonly kind: ItemKind;
  private readonly certificates: Map<string, string>;
  private readonly certificateSummaries: Map<string, { slot: CertificateSlot; summary: CertificateSummary }>;
  private files = new Map<string, ReadableFile>();
  private draft: FormDraft;
  private dirty: boolean;
  private saving = false;
  private disposed = false;

  constructor(
    private readonly ports: FormPorts,
    private readonly options: FormOpenOptions,
  ) {
    this.kind = options.kind;
    this.mode = options.restore?.mode ?? options.mode;
    this.existing = options.restore ? options.restore.existing : options.existing;
    this.certificates = options.restore?.certificates ?? new Map<string, string>();
    this.certificateSummaries = options.restore?.certificateSummaries ?? new Map<string, { slot: CertificateSlot; summary: CertificateSummary }>();
    this.draft = options.restore?.draft ?? (options.existing ? draftFromServiceObject(options.kind, options.existing).draft : initialDraft(options.kind, options.caReference));
    this.dirty = options.restore?.dirty ?? false;
  }

  /** The unsaved state, for the "reopen" offer after the panel closed. */
  snapshot(): FormSnapshot {
    return {
      draft: this.draft,
      dirty: this.dirty,
      mode: this.mode,
      ...(this.existing ? { existing: this.existing } : {}),
      certificates: this.certificates,
      certificateSummaries: this.certificateSummaries,
    };
  }

  private get apiVersion(): ApiVersion {
    return this.options.apiVersion ?? DEFAULT_API_VERSION;
  }

  get hasUnsavedInput(): boolean {
    return this.dirty;
  }

  dispose(): void {
    this.disposed = true;
  }

  /** Entry point for every message from the page. Malformed messages are refused and logged. */
  async handle(raw: unknown): Promise<void> {
    const message = checkPageMessage(raw);
    if (message instanceof MessageRejection) {
      this.ports.log.warn(`Enrollment form: refused a message from the page (${message.reason}).`);
      return;
    }
    try {
      await this.dispatch(message);
    } catch (error) {
      // Unexpected failures still answer the page, so it never waits forever.
      this.ports.log.error(`Enrollment form: ${message.type} failed: ${(error as Error).message}`);
      this.post({
        type: 'error',
        ...('requestId' in message ? { requestId: message.requestId } : {}),
        message: `Something went wrong: ${(error as Error).message}`,
        problems: [],
      });
    }
  }

  private post(message: HostMessage): void {
    if (!this.disposed) this.ports.post(message);
  }

  private async dispatch(message: PageMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.sendInit();
      case 'listLinkedHubs':
        return this.post(await linkedHubsAnswer(message.requestId, this.ports.linkedHubs, this.ports.log));
      case 'listCaCertificates':
        return this.post(await caCertificatesAnswer(message.requestId, this.ports.caCertificates, this.ports.log));
      case 'listCertificateFiles':
        return this.post({ type: 'certificateFiles', requestId: message.requestId, files: await this.refreshFiles() });
      case 'pickCertificate':
        return this.pickCertificate(message.requestId, message.slot, message.fileId);
      case 'checkTpm':
        return this.post({ type: 'tpmChecked', requestId: message.requestId, ...this.checkTpm(message.endorsementKey, message.storageRootKey) });
      case 'loadTpmKey':
        return this.loadTpmKey(message.requestId, message.field);
      case 'generateKey':
        return this.post({ type: 'keyGenerated', requestId: message.requestId, slot: message.slot, key: this.ports.attestation.generateSymmetricKey() });
      case 'deriveKey':
        return this.deriveKey(message.requestId, message.registrationId, message.slot, message.groupKey);
      case 'submit':
        return this.submit(message.requestId, message.draft);
      case 'cancel':
        return this.cancel(message.dirty);
      case 'draftChanged':
        this.draft = message.draft;
        this.dirty = message.dirty;
        return;
    }
  }

  private async refreshFiles(): Promise<CertificateFileEntry[]> {
    const files = await this.ports.listCertificateFiles();
    this.files = new Map(files.map((file) => [newToken(), file]));
    return [...this.files].map(([fileId, file]) => ({ fileId, label: file.label }));
  }

  /** Reads and checks one certificate file; remembers its PEM under a fresh token. */
  private async inspectFile(file: ReadableFile, slot: CertificateSlot): Promise<Omit<Extract<HostMessage, { type: 'certificateChosen' }>, 'type' | 'requestId'>> {
    const field = slot === 'primary' ? 'primaryCertificate' : 'secondaryCertificate';
    let content: Uint8Array;
    try {
      content = await file.read();
    } catch (error) {
      return { slot, problems: [{ field, severity: 'error', message: `Could not read ${file.label}: ${(error as Error).message}` }] };
    }
    const inspection = this.ports.attestation.inspectCertificate(content, this.kind);
    const problems = inspection.problems.map((p) => toFieldProblem(field, p));
    if (!inspection.certificate) return { slot, problems };
    const token = newToken();
    const summary: CertificateSummary = { ...inspection.certificate.summary, label: file.label };
    this.certificates.set(token, inspection.certificate.pem);
    this.certificateSummaries.set(token, { slot, summary });
    return { slot, certificate: { token, summary }, problems, ...(inspection.suggestedId ? { suggestedId: inspection.suggestedId } : {}) };
  }

  private async pickCertificate(requestId: string, slot: CertificateSlot, fileId: string | undefined): Promise<void> {
    let file: ReadableFile | undefined;
    if (fileId === undefined) {
      file = await this.ports.browseFile('certificate');
    } else {
      file = this.files.get(fileId);
      if (!file) {
        const field = slot === 'primary' ? 'primaryCertificate' : 'secondaryCertificate';
        this.post({ type: 'certificateChosen', requestId, slot, problems: [{ field, severity: 'error', message: 'That file is no longer in the list; refresh the list and pick it again.' }] });
        return;
      }
    }
    if (!file) {
      this.post({ type: 'certificateChosen', requestId, slot, problems: [] });
      return;
    }
    this.post({ type: 'certificateChosen', requestId, ...(await this.inspectFile(file, slot)) });
  }

  private checkTpm(endorsementKey: string, storageRootKey: string): { problems: FieldProblem[]; suggestedId?: string; ekFacts?: TpmKeyFacts } {
    if (!endorsementKey.trim() && !storageRootKey.trim()) return { problems: [] };
    const inspection = this.ports.attestation.inspectTpm(endorsementKey.trim(), storageRootKey.trim());
    return {
      problems: inspection.problems.map(({ field, problem }) => toFieldProblem(field, problem)),
      ...(inspection.suggestedId ? { suggestedId: inspection.suggestedId } : {}),
      ...(inspection.ekFacts ? { ekFacts: inspection.ekFacts } : {}),
    };
  }

  private async loadTpmKey(requestId: string, field: 'endorsementKey' | 'storageRootKey'): Promise<void> {
    const file = await this.ports.browseFile('tpmKey');
    if (!file) {
      this.post({ type: 'tpmKeyLoaded', requestId, field, problems: [] });
      return;
    }
    let value: string;
    try {
      value = keyTextFromFile(await file.read());
    } catch (error) {
      this.post({ type: 'tpmKeyLoaded', requestId, field, problems: [{ field, severity: 'error', message: `Could not read ${file.label}: ${(error as Error).message}` }] });
      return;
    }
    const check = this.checkTpm(field === 'endorsementKey' ? value : '', field === 'storageRootKey' ? value : '');
    this.post({ type: 'tpmKeyLoaded', requestId, field, value, problems: check.problems.filter((p) => p.field === field) });
  }

  private async storedSymmetricKeys(): Promise<{ primaryKey?: string; secondaryKey?: string } | undefined> {
    if (this.mode !== 'update' || !this.existing || this.existing.attestation?.type !== 'symmetricKey') return undefined;
    const inline = this.existing.attestation.symmetricKey;
    if (inline?.primaryKey && inline.secondaryKey) return inline;
    const client = await this.ports.getClient();
    const id = serviceObjectId(this.kind, this.existing);
    const mechanism = await getItemAttestation(client, this.kind, id);
    return mechanism.symmetricKey;
  }

  private async deriveKey(requestId: string, registrationId: string, slot: CertificateSlot, groupKey: string): Promise<void> {
    const fail = (message: string): void => this.post({ type: 'keyDerived', requestId, registrationId, problems: [{ field: slot === 'primary' ? 'symmetricKeyPrimary' : 'symmetricKeySecondary', severity: 'error', message }] });
    let key = groupKey.trim();
    if (!key) {
      const stored = await this.storedSymmetricKeys();
      key = (slot === 'primary' ? stored?.primaryKey : stored?.secondaryKey) ?? '';
      if (!key) return fail('Enter or generate the group key first.');
    }
    try {
      const derivedKey = this.ports.attestation.deriveDeviceKey(key, registrationId.trim());
      this.post({ type: 'keyDerived', requestId, registrationId: registrationId.trim(), derivedKey, problems: [] });
    } catch (error) {
      fail((error as Error).message);
    }
  }

  private async submit(requestId: string, draft: FormDraft): Promise<void> {
    this.draft = draft;
    if (draft.kind !== this.kind) {
      this.post({ type: 'validation', requestId, problems: [{ field: 'form', severity: 'error', message: 'The form kind does not match this panel.' }] });
      return;
    }
    if (this.saving) {
      this.post({ type: 'error', requestId, message: 'Already saving; wait for the answer.', problems: [] });
      return;
    }
    this.saving = true;
    try {
      const needsStoredKeys = draft.attestationType === 'symmetricKey' && (!draft.symmetricKeyPrimary.trim() || !draft.symmetricKeySecondary.trim());
      const built = buildServiceObject(draft, {
        mode: this.mode,
        ...(this.existing ? { existing: this.existing } : {}),
        certificates: this.certificates,
        ...(needsStoredKeys ? { storedSymmetricKeys: await this.storedSymmetricKeys() } : {}),
        attestation: this.ports.attestation,
        apiVersion: this.apiVersion,
      });
      if (!built.ok) {
        this.post({ type: 'validation', requestId, problems: built.problems });
        return;
      }
      const client = await this.ports.getClient();
      if (this.mode === 'create' && (await existsOnService(client, this.kind, serviceObjectId(this.kind, built.object)))) {
        // PUT without If-Match would silently overwrite the existing one.
        const what = this.kind === 'group' ? 'An enrollment group' : 'An enrollment';
        this.post({ type: 'validation', requestId, problems: [{ field: 'id', severity: 'error', message: `${what} with this id already exists. Choose another id, or open the existing one to update it.` }] });
        return;
      }
      const ifMatch = this.mode === 'update' ? this.existing?.etag : undefined;
      const options = ifMatch ? { ifMatch } : {};
      const saved: Item = this.kind === 'group'
        ? await client.createOrUpdateEnrollmentGroup(built.object as EnrollmentGroup, options)
        : await client.createOrUpdateEnrollment(built.object as IndividualEnrollment, options);
      const id = serviceObjectId(this.kind, saved);
      this.ports.log.info(`Enrollment form: saved ${this.kind} "${id}" (${this.mode}).`);
      this.mode = 'update';
      this.existing = saved;
      this.dirty = false;
      const next = draftFromServiceObject(this.kind, saved);
      this.draft = next.draft;
      this.post({ type: 'saved', requestId, id, ...(saved.etag ? { etag: saved.etag } : {}), draft: next.draft });
      this.ports.onSaved(this.kind, saved);
    } catch (error) {
      if (!isDpsError(error)) throw error;
      const placed = placeServiceError(error, { kind: this.kind, mode: this.mode });
      this.ports.log.warn(`Enrollment form: save failed (${error.kind}${error.status ? ` ${error.status}` : ''}${error.errorCode ? ` ${error.errorCode}` : ''}).`);
      this.post({
        type: 'error',
        requestId,
        message: placed.summary,
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.errorCode === undefined ? {} : { errorCode: error.errorCode }),
        problems: placed.problems,
      });
    } finally {
      this.saving = false;
    }
  }

  private async cancel(dirty: boolean): Promise<void> {
    this.dirty = dirty;
    if (dirty && !(await this.ports.confirmDiscard())) return;
    this.dirty = false;
    this.ports.close();
  }

  private async sendInit(): Promise<void> {
    const fromService = this.existing ? draftFromServiceObject(this.kind, this.existing) : undefined;
    const problems: FieldProblem[] = [];
    const chosen: InitMessage['chosenCertificates'] = [];
    // A second `ready` (the page reloaded) must not present unsaved input as the saved state.
    const restored = this.options.restore !== undefined || this.dirty;
    if (!restored && this.options.certificate && this.certificates.size === 0) {
      const result = await this.inspectFile(this.options.certificate, 'primary');
      problems.push(...result.problems);
      if (result.certificate) {
        this.draft = { ...this.draft, attestationType: 'x509', x509Source: 'certificates', primaryCertificate: { kind: 'file', token: result.certificate.token } };
        if (result.suggestedId && !this.draft.id) this.draft.id = result.suggestedId;
      }
    }
    // The page shows the facts of every certificate its draft refers to.
    const referenced = new Set([this.draft.primaryCertificate, this.draft.secondaryCertificate].flatMap((v) => (v.kind === 'file' ? [v.token] : [])));
    for (const [token, { slot, summary }] of this.certificateSummaries) if (referenced.has(token)) chosen.push({ slot, token, summary });
    const message: InitMessage = {
      type: 'init',
      mode: this.mode,
      kind: this.kind,
      connectionLabel: this.options.connectionLabel,
      apiVersion: this.apiVersion,
      draft: this.draft,
      restored,
      ...(this.existing?.etag ? { etag: this.existing.etag } : {}),
      existingCertificates: fromService?.existingCertificates ?? [],
      hasStoredSymmetricKeys: fromService?.hasStoredSymmetricKeys ?? false,
      certificateFiles: await this.refreshFiles(),
      problems,
      chosenCertificates: chosen,
    };
    this.post(message);
  }
}
