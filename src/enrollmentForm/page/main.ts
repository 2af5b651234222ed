// Entry of the form page: loads the elements it uses, builds the form, and talks to the host.
// Every value shown comes from a host message and is set as text or as a property.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-form-group/index.js';
import '@vscode-elements/elements/dist/vscode-form-helper/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { FieldProblem, FormDraft, FormField, HostMessage, InitMessage } from '../protocol';
import { FormView } from './formView';
import { acceptedChoices } from './caPicker';
import { PROTOCOL_LIMITS } from '../protocol';
import { checkBase64Text, checkIdText, checkJsonObjectText, checkPolicyNameText, lightProblems } from './lightChecks';
import { supportsCertificatePolicy } from '../../dps/apiVersion';
import { CERTIFICATE_POLICY_FIELDS } from '../../dps/certificatePolicy';
import { mergeSubmitProblems } from './submitProblems';
import { nextRequestId, post } from './vscodeApi';

const TPM_CHECK_DELAY_MS = 300;
const DRAFT_REPORT_DELAY_MS = 400;

/** What the page remembers between messages. */
const state = {
  initialized: false,
  connectionLabel: '',
  baseline: '',
  submitRequest: undefined as string | undefined,
  lightProblems: [] as FieldProblem[],
  certificateProblems: new Map<FormField, FieldProblem[]>(),
  latestTpmRequest: undefined as string | undefined,
  tpmTimer: undefined as ReturnType<typeof setTimeout> | undefined,
  draftTimer: undefined as ReturnType<typeof setTimeout> | undefined,
  /** The one request for the CA reference picker's list; later answers to other ids are ignored. */
  caRequest: undefined as string | undefined,
};

const view = new FormView({
  pickCertificate: (slot, fileId) => post({ type: 'pickCertificate', requestId: nextRequestId('pick'), slot, ...(fileId === undefined ? {} : { fileId }) }),
  refreshFiles: () => post({ type: 'listCertificateFiles', requestId: nextRequestId('files') }),
  tpmChanged: (endorsementKey, storageRootKey) => {
    // Instant format check here; the structural check (TPM2B_PUBLIC) runs on the host after a pause.
    view.setFieldProblems(['endorsementKey', 'storageRootKey'], [
      ...problemIf('endorsementKey', checkBase64Text(endorsementKey, 'The endorsement key')),
      ...problemIf('storageRootKey', checkBase64Text(storageRootKey, 'The storage root key')),
    ]);
    scheduleTpmCheck(endorsementKey, storageRootKey, TPM_CHECK_DELAY_MS);
  },
  loadTpmKey: (field) => post({ type: 'loadTpmKey', requestId: nextRequestId('load'), field }),
  generateKey: (slot) => post({ type: 'generateKey', requestId: nextRequestId('gen'), slot }),
  deriveKey: (registrationId, slot, groupKey) => {
    const problem = checkIdText(registrationId, 'enrollment');
    if (problem) {
      view.setDerivedKey('', `Device registration ID: ${problem}`);
      return;
    }
    view.setDerivedKey('');
    post({ type: 'deriveKey', requestId: nextRequestId('derive'), registrationId, slot, groupKey });
  },
  submit: () => submit(),
  cancel: () => post({ type: 'cancel', dirty: isDirty() }),
  changed: () => scheduleDraftReport(),
  instantCheck: (field) => instantCheck(field),
  caReferencesShown: () => {
    // Read through Azure by the host, once, and only when the CA references are wanted.
    state.caRequest = nextRequestId('cas');
    post({ type: 'listCaCertificates', requestId: state.caRequest });
  },
});

function problemIf(field: FormField, message: string | undefined): FieldProblem[] {
  return message ? [{ field, severity: 'error', message }] : [];
}

function instantCheck(field: FormField): void {
  const draft = view.readDraft();
  if (field === 'tagsJson') view.setFieldProblems([field], problemIf(field, checkJsonObjectText(draft.tagsJson, 'Initial twin tags')));
  if (field === 'desiredPropertiesJson') view.setFieldProblems([field], problemIf(field, checkJsonObjectText(draft.desiredPropertiesJson, 'Desired properties')));
  if (field === 'id') view.setFieldProblems([field], draft.id.trim() ? problemIf(field, checkIdText(draft.id, draft.kind)) : []);
  for (const f of CERTIFICATE_POLICY_FIELDS) if (field === f) view.setFieldProblems([f], problemIf(f, checkPolicyNameText(f, draft[f])));
}

function isDirty(): boolean {
  return state.initialized && JSON.stringify(view.readDraft()) !== state.baseline;
}

function scheduleDraftReport(): void {
  if (!state.initialized) return;
  clearTimeout(state.draftTimer);
  state.draftTimer = setTimeout(() => post({ type: 'draftChanged', dirty: isDirty(), draft: view.readDraft() }), DRAFT_REPORT_DELAY_MS);
}

function submit(): void {
  if (!state.initialized || state.submitRequest) return;
  const draft: FormDraft = view.readDraft();
  // The quick checks are kept for the answer; the host checks everything, so all errors come at once.
  state.lightProblems = lightProblems(draft, view.hasCertificatePolicy);
  view.clearAllProblems();
  // Shown at once while the host checks the rest; its answer replaces them with the full list.
  if (state.lightProblems.length > 0) showProblems('Checking every field…', mergeSubmitProblems([], state.lightProblems, state.certificateProblems));
  const requestId = nextRequestId('submit');
  state.submitRequest = requestId;
  view.setBusy(true);
  view.setStatus('Saving…');
  post({ type: 'submit', requestId, draft });
}

/** The host's structural TPM check (problems, key facts, suggested id); only the latest answer counts. */
function scheduleTpmCheck(endorsementKey: string, storageRootKey: string, delayMs: number): void {
  clearTimeout(state.tpmTimer);
  state.tpmTimer = setTimeout(() => {
    const requestId = nextRequestId('tpm');
    state.latestTpmRequest = requestId;
    post({ type: 'checkTpm', requestId, endorsementKey, storageRootKey });
  }, delayMs);
}

function showProblems(message: string | undefined, problems: readonly FieldProblem[]): void {
  const fields = [...new Set(problems.map((p) => p.field))];
  view.setFieldProblems(fields, problems);
  view.showBanner(message, problems);
  view.focusFirstProblem(problems);
}

function applyInit(message: InitMessage): void {
  state.connectionLabel = message.connectionLabel;
  view.configure(message.kind, message.mode, message.connectionLabel, message.etag);
  view.showCertificatePolicy(supportsCertificatePolicy(message.apiVersion));
  view.setKeyHelper(message.hasStoredSymmetricKeys);
  view.setFiles(message.certificateFiles);
  view.writeDraft(message.draft);
  for (const slot of ['primary', 'secondary'] as const) {
    const value = slot === 'primary' ? message.draft.primaryCertificate : message.draft.secondaryCertificate;
    const chosen = message.chosenCertificates.find((c) => c.slot === slot && value.kind === 'file' && c.token === value.token);
    const existing = message.existingCertificates.find((c) => c.slot === slot);
    if (value.kind === 'file' && chosen) view.setCertificate(slot, value, chosen.summary);
    else if (value.kind === 'existing' && existing) view.setCertificate(slot, value, existing);
    else view.setCertificate(slot, { kind: 'none' });
  }
  view.clearAllProblems();
  if (message.problems.length > 0) {
    view.setFieldProblems([...new Set(message.problems.map((p) => p.field))], message.problems);
    view.showBanner(undefined, message.problems);
  }
  // A restored draft is unsaved by definition: compare against the empty baseline of its kind.
  state.baseline = message.restored ? '' : JSON.stringify(view.readDraft());
  state.initialized = true;
  view.setStatus(message.restored ? 'Your unsaved changes were restored.' : '');
  document.getElementById('app')?.setAttribute('aria-busy', 'false');
  view.focusFirstField();
  // The hub picker's list is read through Azure by the host; it arrives when it arrives.
  post({ type: 'listLinkedHubs', requestId: nextRequestId('hubs') });
  // An enrollment opened for editing shows what its EK is at once.
  if (message.draft.attestationType === 'tpm' && message.draft.endorsementKey) scheduleTpmCheck(message.draft.endorsementKey, message.draft.storageRootKey, 0);
}

function onMessage(message: HostMessage): void {
  switch (message.type) {
    case 'init':
      return applyInit(message);
    case 'linkedHubs':
      view.setLinkedHubs(message.hubs, message.note);
      return;
    case 'caCertificates':
      if (message.requestId !== state.caRequest) return;
      view.setCaCertificates(acceptedChoices(message.certificates), typeof message.note === 'string' ? message.note.slice(0, PROTOCOL_LIMITS.shortText) : undefined);
      return;
    case 'certificateFiles':
      view.setFiles(message.files);
      view.setStatus(`${message.files.length} certificate file(s) in the workspace.`);
      return;
    case 'certificateChosen': {
      const field = message.slot === 'primary' ? 'primaryCertificate' : 'secondaryCertificate';
      if (message.certificate) {
        view.setCertificate(message.slot, { kind: 'file', token: message.certificate.token }, message.certificate.summary);
        // The id follows the primary certificate only.
        if (message.slot === 'primary') view.suggestId(message.suggestedId);
      }
      view.setFieldProblems([field], message.problems);
      // The slot's reason (with the file name) is what a later submit must show, not "choose a file".
      state.certificateProblems.set(field, message.certificate ? [] : message.problems);
      scheduleDraftReport();
      return;
    }
    case 'tpmChecked':
      if (message.requestId !== state.latestTpmRequest) return; // an older check; the user typed since
      view.setFieldProblems(['endorsementKey', 'storageRootKey'], message.problems);
      view.showTpmSuggestion(message.suggestedId, message.ekFacts);
      if (message.suggestedId) view.suggestId(message.suggestedId);
      return;
    case 'tpmKeyLoaded':
      if (message.value !== undefined) {
        view.setTpmKey(message.field, message.value);
        const draft = view.readDraft();
        scheduleTpmCheck(draft.endorsementKey, draft.storageRootKey, 0);
      }
      view.setFieldProblems([message.field], message.problems);
      scheduleDraftReport();
      return;
    case 'keyGenerated':
      view.setSymmetricKey(message.slot, message.key);
      view.setFieldProblems([message.slot === 'primary' ? 'symmetricKeyPrimary' : 'symmetricKeySecondary'], []);
      scheduleDraftReport();
      return;
    case 'keyDerived':
      view.setDerivedKey(message.derivedKey ?? '', message.problems.map((p) => p.message).join(' ') || undefined);
      return;
    case 'validation':
      if (message.requestId !== state.submitRequest) return;
      finishSubmit();
      showProblems('Fix the marked fields, then submit again.', mergeSubmitProblems(message.problems, state.lightProblems, state.certificateProblems));
      return;
    case 'saved':
      if (message.requestId !== state.submitRequest) return;
      finishSubmit();
      view.configure(message.draft.kind, 'update', state.connectionLabel, message.etag);
      view.writeDraft(message.draft);
      state.baseline = JSON.stringify(view.readDraft());
      // A report sent while saving said "dirty" and may reach the host after its save: set it straight,
      // or closing the saved form would offer to restore "unsaved changes".
      clearTimeout(state.draftTimer);
      post({ type: 'draftChanged', dirty: false, draft: view.readDraft() });
      view.clearAllProblems();
      view.setStatus(`Saved “${message.id}”.`);
      return;
    case 'error':
      if (message.requestId !== undefined && message.requestId === state.submitRequest) finishSubmit();
      view.setStatus('');
      showProblems(message.message, message.problems);
      return;
  }
}

function finishSubmit(): void {
  state.submitRequest = undefined;
  view.setBusy(false);
  view.setStatus('');
}

function isHostMessage(value: unknown): value is HostMessage {
  // The host is trusted; this only ignores what is plainly not ours (e.g. messages from extensions of the page).
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostMessage(event.data)) onMessage(event.data);
});

const app = document.getElementById('app');
if (app) app.replaceChildren(view.root);
post({ type: 'ready' });
