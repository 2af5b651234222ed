// A form controller with stand-in ports: an in-memory service (with scriptable failures), files
// given by name, and a record of everything posted to the page and logged.
import { DpsError } from '../../src/dps/errors';
import type { AttestationMechanism, EnrollmentGroup, IndividualEnrollment } from '../../src/dps/models';
import { createFormAttestation } from '../../src/enrollmentForm/attestationAdapter';
import { EnrollmentFormController, type FormClient, type FormOpenOptions, type ReadableFile } from '../../src/enrollmentForm/formController';
import type { HostMessage } from '../../src/enrollmentForm/protocol';
import type { LinkedHubSource } from '../../src/enrollmentForm/linkedHubChoices';
import type { CaCertificateSource } from '../../src/enrollmentForm/caCertificateChoices';

export interface PutCall {
  kind: 'enrollment' | 'group';
  body: IndividualEnrollment | EnrollmentGroup;
  ifMatch?: string;
}

/** An in-memory DPS for the form: objects by id, etags that change on every write. */
export class FakeFormClient implements FormClient {
  readonly enrollments = new Map<string, IndividualEnrollment>();
  readonly groups = new Map<string, EnrollmentGroup>();
  readonly puts: PutCall[] = [];
  /** The next PUT fails with this error. */
  failNextPut: DpsError | undefined;
  private version = 0;

  private notFound(operation: string): DpsError {
    return new DpsError({ kind: 'http', status: 404, errorCode: 404201, message: 'Not found', operation });
  }

  getEnrollment(id: string): Promise<IndividualEnrollment> {
    const found = this.enrollments.get(id);
    return found ? Promise.resolve(structuredClone(found)) : Promise.reject(this.notFound('IndividualEnrollment_Get'));
  }

  getEnrollmentGroup(id: string): Promise<EnrollmentGroup> {
    const found = this.groups.get(id);
    return found ? Promise.resolve(structuredClone(found)) : Promise.reject(this.notFound('EnrollmentGroup_Get'));
  }

  private put<T extends IndividualEnrollment | EnrollmentGroup>(kind: 'enrollment' | 'group', store: Map<string, T>, id: string, body: T, ifMatch?: string): Promise<T> {
    this.puts.push({ kind, body: structuredClone(body), ...(ifMatch ? { ifMatch } : {}) });
    const failure = this.failNextPut;
    this.failNextPut = undefined;
    if (failure) return Promise.reject(failure);
    const current = store.get(id);
    if (ifMatch && current?.etag !== ifMatch) {
      return Promise.reject(new DpsError({ kind: 'http', status: 412, message: 'Precondition failed', operation: 'put' }));
    }
    this.version += 1;
    const saved = { ...structuredClone(body), etag: `"v${this.version}"` } as T;
    store.set(id, saved);
    return Promise.resolve(structuredClone(saved));
  }

  createOrUpdateEnrollment(enrollment: IndividualEnrollment, options: { ifMatch?: string } = {}): Promise<IndividualEnrollment> {
    return this.put('enrollment', this.enrollments, enrollment.registrationId, enrollment, options.ifMatch);
  }

  createOrUpdateEnrollmentGroup(group: EnrollmentGroup, options: { ifMatch?: string } = {}): Promise<EnrollmentGroup> {
    return this.put('group', this.groups, group.enrollmentGroupId, group, options.ifMatch);
  }

  getEnrollmentAttestation(id: string): Promise<AttestationMechanism> {
    return this.getEnrollment(id).then((e) => e.attestation);
  }

  getEnrollmentGroupAttestation(id: string): Promise<AttestationMechanism> {
    return this.getEnrollmentGroup(id).then((g) => g.attestation);
  }
}

export function memoryFile(label: string, content: string | Uint8Array): ReadableFile {
  return { label, read: () => Promise.resolve(typeof content === 'string' ? Buffer.from(content) : content) };
}

export interface HostHarness<C extends FormClient = FakeFormClient> {
  controller: EnrollmentFormController;
  client: C;
  posted: HostMessage[];
  logs: string[];
  saved: unknown[];
  closed: { value: boolean };
  /** Files the workspace "has" and the file the dialog "returns". */
  workspaceFiles: ReadableFile[];
  dialogFile: { value: ReadableFile | undefined };
  confirmDiscard: { value: boolean };
  /** The last posted message of a type. */
  last<T extends HostMessage['type']>(type: T): Extract<HostMessage, { type: T }>;
}

export function formHost<C extends FormClient = FakeFormClient>(
  options: Omit<FormOpenOptions, 'connectionLabel'> & { connectionLabel?: string; linkedHubs?: LinkedHubSource; caCertificates?: CaCertificateSource },
  // A real client (e.g. against the emulator) may stand in for the in-memory one.
  client: C = new FakeFormClient() as unknown as C,
  /** Also called with every posted message, e.g. to deliver it to a real page. */
  onPost?: (message: HostMessage) => void,
): HostHarness<C> {
  const posted: HostMessage[] = [];
  const logs: string[] = [];
  const saved: unknown[] = [];
  const closed = { value: false };
  const workspaceFiles: ReadableFile[] = [];
  const dialogFile: { value: ReadableFile | undefined } = { value: undefined };
  const confirmDiscard = { value: false };
  const { linkedHubs, caCertificates, ...openOptions } = options;
  const controller = new EnrollmentFormController(
    {
      post: (m) => {
        posted.push(structuredClone(m));
        onPost?.(m);
      },
      getClient: () => Promise.resolve(client),
      attestation: createFormAttestation(),
      listCertificateFiles: () => Promise.resolve([...workspaceFiles]),
      browseFile: () => Promise.resolve(dialogFile.value),
      confirmDiscard: () => Promise.resolve(confirmDiscard.value),
      close: () => {
        closed.value = true;
      },
      onSaved: (_kind, object) => saved.push(object),
      log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) },
      ...(linkedHubs ? { linkedHubs } : {}),
      ...(caCertificates ? { caCertificates } : {}),
    },
    { connectionLabel: 'test-dps.azure-devices-provisioning.net', ...openOptions },
  );
  return {
    controller, client, posted, logs, saved, closed, workspaceFiles, dialogFile, confirmDiscard,
    last<T extends HostMessage['type']>(type: T): Extract<HostMessage, { type: T }> {
      const found = posted.filter((m): m is Extract<HostMessage, { type: T }> => m.type === type).at(-1);
      if (!found) throw new Error(`nothing of type ${type} was posted; posted: ${posted.map((m) => m.type).join(', ')}`);
      return found;
    },
  };
}
