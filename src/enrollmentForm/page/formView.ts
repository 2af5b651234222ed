// The form itself: builds the fields once, shows and hides sections by choice, reads the draft back
// and places problems next to their fields. It knows nothing of messages; main.ts wires it.
import type { CaCertificateChoice, LinkedHubEntry } from '../protocol';
import type { CertificateFileEntry, CertificateSlot, CertificateSlotValue, CertificateSummary, ExistingCertificateInfo, FieldProblem, FormAllocationPolicy, FormAttestationType, FormDraft, FormField, FormMode, TpmKeyField, TpmKeyFacts, X509Source } from '../protocol';
import { CertificateSlotView } from './certificateSlot';
import { HubPickerView } from './hubPicker';
import { CaPickerView } from './caPicker';
import { el, setText, show } from './dom';
import {
  button,
  checkboxField,
  radioField,
  reflectChecked,
  selectField,
  setFieldLabel,
  showError,
  textField,
  type Field,
  type RadioField,
  type ValueControl,
} from './fields';
import type { ItemKind } from '../../dps/itemKind';
import { CERTIFICATE_POLICY_FIELDS, type CertificatePolicyField } from '../../dps/certificatePolicy';

export interface FormViewEvents {
  pickCertificate(slot: CertificateSlot, fileId: string | undefined): void;
  refreshFiles(): void;
  tpmChanged(endorsementKey: string, storageRootKey: string): void;
  loadTpmKey(field: TpmKeyField): void;
  generateKey(slot: CertificateSlot): void;
  deriveKey(registrationId: string, slot: CertificateSlot, groupKey: string): void;
  submit(): void;
  cancel(): void;
  changed(): void;
  /** The user edited the twin JSON or another field checked instantly. */
  instantCheck(field: FormField): void;
  /** The CA reference fields showed for the first time (their picker's list is read then). */
  caReferencesShown(): void;
}

export class FormView {
  readonly root: HTMLElement;
  private kind: ItemKind = 'enrollment';
  private mode: FormMode = 'create';
  private readonly heading = el('h1', { id: 'form-title' });
  private readonly subheading = el('p', { class: 'subheading', id: 'form-subtitle' });
  private readonly banner = el('div', { id: 'banner', class: 'banner', role: 'alert', tabindex: '-1', hidden: true });
  private readonly status = el('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });

  private readonly id = textField('id', 'Registration ID', { required: true, helper: 'Letters, digits and - . _ : (at most 128; 64 for X.509, where it is the certificate CN).' });
  private readonly deviceId = textField('deviceId', 'Device ID', { helper: 'Optional: the IoT Hub device id; the registration id is used when empty.' });
  private readonly attestationType = radioField('attestationType', 'Attestation', [
    { value: 'x509', label: 'X.509 certificate' },
    { value: 'tpm', label: 'TPM' },
    { value: 'symmetricKey', label: 'Symmetric key' },
  ]);
  private readonly x509Source = radioField('x509Source', 'Certificates from', [
    { value: 'certificates', label: 'Certificate files' },
    { value: 'caReferences', label: 'CA references (registered CA names)' },
  ]);
  private readonly slots: Record<CertificateSlot, CertificateSlotView>;
  private readonly refreshFilesButton = button('Refresh file list', { secondary: true, id: 'refresh-files' });
  private readonly caReferencePrimary = textField('caReferencePrimary', 'Primary CA reference', { required: true });
  private readonly caReferenceSecondary = textField('caReferenceSecondary', 'Secondary CA reference');
  private readonly caPicker = new CaPickerView({
    get: (slot) => (slot === 'primary' ? this.caReferencePrimary : this.caReferenceSecondary).control.value,
    set: (slot, text) => ((slot === 'primary' ? this.caReferencePrimary : this.caReferenceSecondary).control.value = text),
    changed: () => this.events.changed(),
  });
  private caReferencesSeen = false;
  private readonly endorsementKey = textField('endorsementKey', 'Endorsement key (EK)', { rows: 4, monospace: true, required: true, helper: 'Base64 of the TPM2B_PUBLIC of the EK, checked as you type.' });
  private readonly storageRootKey = textField('storageRootKey', 'Storage root key (SRK)', { rows: 3, monospace: true, helper: 'Optional.' });
  private readonly tpmSuggestion = el('div', { class: 'suggestion', hidden: true });
  private readonly symmetricKeyPrimary = textField('symmetricKeyPrimary', 'Primary key', { monospace: true });
  private readonly symmetricKeySecondary = textField('symmetricKeySecondary', 'Secondary key', { monospace: true });
  private readonly keyHelper = el('p', { class: 'helper', id: 'symmetric-key-helper' });
  private readonly deriveRegistrationId = textField('deriveRegistrationId', 'Device registration ID', { helper: 'Derives the device key from the group\'s primary key (HMAC-SHA256).' });
  private readonly derivedKey = textField('derivedKey', 'Derived device key', { readonly: true, monospace: true });
  private readonly deriveError = el('div', { class: 'field-error', id: 'derive-error', 'aria-live': 'polite', hidden: true });
  private readonly deriveSection = el('section', { class: 'subsection', 'aria-labelledby': 'derive-title' });
  private readonly iotHubs = textField('iotHubs', 'IoT hubs', { rows: 2, helper: 'Host names of linked hubs, one per line; empty = all linked hubs.' });
  private readonly hubPicker = new HubPickerView({
    get: () => this.iotHubs.control.value,
    set: (text) => (this.iotHubs.control.value = text),
    changed: () => this.events.changed(),
  });
  private readonly allocationPolicy = selectField('allocationPolicy', 'Allocation policy', [
    { value: '', label: 'Service default' },
    { value: 'hashed', label: 'Evenly weighted distribution (hashed)' },
    { value: 'geoLatency', label: 'Lowest latency (geoLatency)' },
    { value: 'static', label: 'Static configuration (static)' },
    { value: 'custom', label: 'Custom (Azure Function webhook)' },
  ]);
  private readonly webhookUrl = textField('webhookUrl', 'Webhook URL', { required: true, placeholder: 'https://…' });
  private readonly webhookApiVersion = textField('webhookApiVersion', 'Webhook API version', { required: true });
  private readonly customSection = el('div', { class: 'subsection', id: 'custom-allocation' });
  private readonly reprovisionUpdateHub = checkboxField('reprovisionUpdateHub', 'Re-provision: re-evaluate the hub assignment');
  private readonly reprovisionMigrateData = checkboxField('reprovisionMigrateData', 'Re-provision: migrate device data to the new hub');
  private readonly tagsJson = textField('tagsJson', 'Initial twin tags (JSON)', { rows: 4, monospace: true, placeholder: '{ "building": "43" }' });
  private readonly desiredPropertiesJson = textField('desiredPropertiesJson', 'Initial desired properties (JSON)', { rows: 4, monospace: true, placeholder: '{ "telemetryInterval": 30 }' });
  private readonly iotEdge = checkboxField('iotEdge', 'IoT Edge device');
  private readonly provisioningStatus = selectField('provisioningStatus', 'Provisioning status', [
    { value: 'enabled', label: 'Enabled' },
    { value: 'disabled', label: 'Disabled' },
  ]);
  // One explaining line each; the rules are the 2026-11-01 spec's (src/dps/certificatePolicy.ts).
  private readonly policyFields: Record<CertificatePolicyField, Field<ValueControl>> = {
    namespaceName: textField('namespaceName', 'Device Registry namespace', { helper: 'The Azure Device Registry namespace linked to this DPS: 3–64 lower-case letters, digits and hyphens.' }),
    certificateAuthorityName: textField('certificateAuthorityName', 'Certificate authority', { helper: 'The namespace\'s certificate authority that signs device certificates: 3–63 letters, digits and hyphens.' }),
    certificatePolicyName: textField('certificatePolicyName', 'Certificate policy', { helper: 'The policy under that authority the certificates are issued by: 3–63 letters, digits and hyphens.' }),
  };
  private readonly policySection: HTMLElement;
  private certificatePolicyShown = false;
  private readonly submitButton = button('Create', { id: 'submit' });
  private readonly cancelButton = button('Cancel', { secondary: true, id: 'cancel' });
  private readonly sections: Record<'x509' | 'certificates' | 'caReferences' | 'tpm' | 'symmetricKey', HTMLElement>;
  private files: CertificateFileEntry[] = [];
  private autoFilledId: string | undefined;

  constructor(private readonly events: FormViewEvents) {
    const slotEvents = { pick: (slot: CertificateSlot, fileId: string | undefined) => events.pickCertificate(slot, fileId), removed: () => events.changed() };
    this.slots = { primary: new CertificateSlotView('primary', slotEvents), secondary: new CertificateSlotView('secondary', slotEvents) };
    this.sections = {
      x509: el('div', { class: 'attestation-panel', id: 'panel-x509' }),
      certificates: el('div', { id: 'panel-certificates' }),
      caReferences: el('div', { id: 'panel-caReferences' }),
      tpm: el('div', { class: 'attestation-panel', id: 'panel-tpm' }),
      symmetricKey: el('div', { class: 'attestation-panel', id: 'panel-symmetricKey' }),
    };
    this.policySection = this.section('certificatePolicy', 'Certificate policy (Azure Device Registry)',
      el('p', { class: 'helper' }, 'Optional: devices registered through this enrollment get a certificate issued under this policy. Enter all three names, or none.'),
      ...CERTIFICATE_POLICY_FIELDS.map((f) => this.policyFields[f].group),
    );
    this.policySection.id = 'section-certificatePolicy';
    this.policySection.hidden = true;
    this.root = this.build();
    this.wire();
  }

  // ------------------------------------------------------------ building

  private section(id: string, title: string, ...children: Node[]): HTMLElement {
    return el('section', { class: 'form-section', 'aria-labelledby': `${id}-title` }, el('h2', { id: `${id}-title` }, title), ...children);
  }

  private build(): HTMLElement {
    this.sections.certificates.append(
      el('p', { class: 'helper' }, 'Pick a .pem, .crt, .cer or .der file of the workspace, or browse. The file is read and checked at once.'),
      this.slots.primary.group,
      this.slots.secondary.group,
      el('div', { class: 'row' }, this.refreshFilesButton),
    );
    this.sections.caReferences.append(this.caPicker.group, this.caReferencePrimary.group, this.caReferenceSecondary.group);
    this.sections.x509.append(this.x509Source.group, this.sections.certificates, this.sections.caReferences);
    this.sections.tpm.append(
      this.endorsementKey.group,
      el('div', { class: 'row' }, this.loadButton('endorsementKey')),
      this.tpmSuggestion,
      this.storageRootKey.group,
      el('div', { class: 'row' }, this.loadButton('storageRootKey')),
    );
    this.deriveSection.append(
      el('h3', { id: 'derive-title' }, 'Derive a device key'),
      this.deriveRegistrationId.group,
      el('div', { class: 'row' }, this.deriveButton()),
      this.deriveError,
      this.derivedKey.group,
    );
    this.sections.symmetricKey.append(
      this.keyHelper,
      this.symmetricKeyPrimary.group,
      el('div', { class: 'row' }, this.generateButton('primary')),
      this.symmetricKeySecondary.group,
      el('div', { class: 'row' }, this.generateButton('secondary')),
      this.deriveSection,
    );
    this.customSection.append(this.webhookUrl.group, this.webhookApiVersion.group);
    const form = el('form', { id: 'enrollment-form', novalidate: true, 'aria-labelledby': 'form-title' },
      this.section('identity', 'Identity', this.id.group, this.deviceId.group),
      this.section('attestation', 'Attestation', this.attestationType.group, this.sections.x509, this.sections.tpm, this.sections.symmetricKey),
      this.section('allocation', 'Allocation', this.hubPicker.group, this.iotHubs.group, this.allocationPolicy.group, this.customSection, this.reprovisionUpdateHub.group, this.reprovisionMigrateData.group),
      this.section('twin', 'Initial device twin', this.tagsJson.group, this.desiredPropertiesJson.group),
      this.section('device', 'Device', this.iotEdge.group, this.provisioningStatus.group),
      this.policySection,
      // The status ("Saving…", "Saved …") sits next to the buttons, in a bar that stays in view:
      // at the top of a long form it was scrolled away when the user pressed Save at the bottom.
      el('div', { class: 'actions' }, this.submitButton, this.cancelButton, this.status),
    );
    return el('div', { class: 'form-root' }, el('header', {}, this.heading, this.subheading), this.banner, form);
  }

  private loadButton(field: TpmKeyField): HTMLElement {
    const b = button('Load from file…', { secondary: true, id: `load-${field}`, ariaLabel: field === 'endorsementKey' ? 'Load the endorsement key from a file' : 'Load the storage root key from a file' });
    b.addEventListener('click', () => this.events.loadTpmKey(field));
    return b;
  }

  private generateButton(slot: CertificateSlot): HTMLElement {
    const b = button(`Generate ${slot} key`, { secondary: true, id: `generate-${slot}` });
    b.addEventListener('click', () => this.events.generateKey(slot));
    return b;
  }

  private deriveButton(): HTMLElement {
    const b = button('Derive device key', { secondary: true, id: 'derive' });
    b.addEventListener('click', () => this.events.deriveKey(this.deriveRegistrationId.control.value, 'primary', this.symmetricKeyPrimary.control.value));
    return b;
  }

  private wire(): void {
    this.refreshFilesButton.addEventListener('click', () => this.events.refreshFiles());
    this.attestationType.group.addEventListener('change', () => this.updateVisibility());
    this.x509Source.group.addEventListener('change', () => this.updateVisibility());
    // The radio group checks a radio on arrow keys without a change event; catch up after it ran.
    for (const radios of [this.attestationType, this.x509Source]) {
      radios.group.addEventListener('keydown', (event) => {
        if (!event.key.startsWith('Arrow')) return;
        queueMicrotask(() => {
          this.updateVisibility();
          this.syncCheckedState();
          this.events.changed();
        });
      });
    }
    this.allocationPolicy.control.addEventListener('change', () => this.updateVisibility());
    for (const field of [this.endorsementKey, this.storageRootKey]) {
      field.control.addEventListener('input', () => this.events.tpmChanged(this.endorsementKey.control.value, this.storageRootKey.control.value));
    }
    for (const [name, field] of [['tagsJson', this.tagsJson], ['desiredPropertiesJson', this.desiredPropertiesJson], ['id', this.id], ...CERTIFICATE_POLICY_FIELDS.map((f) => [f, this.policyFields[f]] as const)] as const) {
      field.control.addEventListener('input', () => this.events.instantCheck(name));
    }
    this.id.control.addEventListener('input', () => {
      this.autoFilledId = undefined;
    });
    this.iotHubs.control.addEventListener('input', () => this.hubPicker.sync());
    for (const field of [this.caReferencePrimary, this.caReferenceSecondary]) field.control.addEventListener('input', () => this.caPicker.sync());
    this.submitButton.addEventListener('click', () => this.events.submit());
    this.cancelButton.addEventListener('click', () => this.events.cancel());
    // Enter in a field submits the form natively (the elements are form-associated); a real
    // submission would navigate the webview away, so it is turned into our submit.
    this.root.addEventListener('submit', (event) => {
      event.preventDefault();
      this.events.submit();
    });
    for (const type of ['input', 'change']) this.root.addEventListener(type, () => this.events.changed());
    this.root.addEventListener('change', () => this.syncCheckedState());
  }

  // ------------------------------------------------------------ state in and out

  configure(kind: ItemKind, mode: FormMode, connectionLabel: string, etag: string | undefined): void {
    this.kind = kind;
    this.mode = mode;
    const what = kind === 'group' ? 'enrollment group' : 'individual enrollment';
    setText(this.heading, mode === 'create' ? `New ${what}` : `Edit ${what}`);
    setText(this.subheading, `DPS: ${connectionLabel}${mode === 'update' && etag ? ` · version ${etag}` : ''}`);
    setFieldLabel(this.id.group, this.id.control, kind === 'group' ? 'Enrollment group ID' : 'Registration ID');
    const idHelp = this.id.group.querySelector('vscode-form-helper p');
    if (idHelp && kind === 'group') setText(idHelp, 'Letters, digits and - . _ : (at most 128).');
    this.id.control.disabled = mode === 'update';
    show(this.deviceId.group, kind === 'enrollment');
    // Groups cannot use TPM: the radio is taken out (hidden radios would still be reached by arrow keys).
    const tpm = this.attestationType.radios.get('tpm');
    const radioGroup = this.attestationType.radios.get('x509')?.parentElement;
    if (tpm && kind === 'group') tpm.remove();
    else if (tpm && !tpm.isConnected) radioGroup?.insertBefore(tpm, this.attestationType.radios.get('symmetricKey') ?? null);
    show(this.deriveSection, kind === 'group');
    setText(this.submitButton, mode === 'create' ? `Create ${what}` : 'Save changes');
    this.slots.primary.setLabel(kind === 'group' ? 'Primary CA certificate (root or intermediate)' : 'Primary device certificate');
  }

  /** The section exists only on connections whose api-version has the fields (2026-11-01). */
  showCertificatePolicy(shown: boolean): void {
    this.certificatePolicyShown = shown;
    show(this.policySection, shown);
  }

  get hasCertificatePolicy(): boolean {
    return this.certificatePolicyShown;
  }

  /** The linked hubs to pick from, or a note saying why there are none (host names are typed then). */
  setLinkedHubs(hubs: readonly LinkedHubEntry[], note?: string): void {
    this.hubPicker.setHubs(hubs, note);
  }

  /** The instance's CA certificates to pick from, or a note saying why there are none (names are typed then). */
  setCaCertificates(choices: readonly CaCertificateChoice[], note?: string): void {
    this.caPicker.setChoices(choices, note);
  }

  setKeyHelper(hasStoredKeys: boolean): void {
    setText(this.keyHelper, hasStoredKeys && this.mode === 'update'
      ? 'Leave the keys empty to keep the current ones; type or generate a new key to replace one.'
      : 'Leave a key empty to have a new one generated when you save, or generate or paste a base64 key (16–64 bytes).');
  }

  setFiles(files: CertificateFileEntry[]): void {
    this.files = files;
    this.slots.primary.setFiles(files);
    this.slots.secondary.setFiles(files);
  }

  get fileCount(): number {
    return this.files.length;
  }

  setCertificate(slot: CertificateSlot, value: CertificateSlotValue, facts?: CertificateSummary | ExistingCertificateInfo): void {
    this.slots[slot].show(value, facts);
  }

  /**
   * Puts a suggested id in the id field when the user has not typed one; a later certificate
   * without a usable CN takes back an id that an earlier one filled in.
   */
  suggestId(id: string | undefined): void {
    if (this.mode === 'update') return;
    const current = this.id.control.value.trim();
    if (current !== '' && current !== this.autoFilledId) return;
    this.id.control.value = id ?? '';
    this.autoFilledId = id;
  }

  /** What the EK is (type, size) and the registration id conventionally derived from it. */
  showTpmSuggestion(id: string | undefined, facts?: TpmKeyFacts): void {
    this.tpmSuggestion.replaceChildren();
    if (!id || this.kind === 'group') {
      this.tpmSuggestion.hidden = true;
      return;
    }
    if (facts) this.tpmSuggestion.append(el('div', { id: 'tpm-facts' }, `Endorsement key: ${facts.keyType} (${facts.keyBits}-bit key).`));
    this.tpmSuggestion.append(el('span', {}, 'Conventional registration ID for this EK: '), el('code', {}, id));
    // Once created, an enrollment keeps its id: the suggestion is only information then.
    if (this.mode === 'create' && this.id.control.value !== id) {
      const use = button(`Use “${id}” as the registration ID`, { secondary: true, id: 'use-tpm-id' });
      use.addEventListener('click', () => {
        this.id.control.value = id;
        this.events.changed();
      });
      this.tpmSuggestion.append(use);
    }
    this.tpmSuggestion.hidden = false;
  }

  setTpmKey(field: TpmKeyField, value: string): void {
    (field === 'endorsementKey' ? this.endorsementKey : this.storageRootKey).control.value = value;
  }

  setSymmetricKey(slot: CertificateSlot, key: string): void {
    (slot === 'primary' ? this.symmetricKeyPrimary : this.symmetricKeySecondary).control.value = key;
  }

  /** Shows the derived key, or why it could not be derived, next to the Derive button. */
  setDerivedKey(key: string, problem?: string): void {
    this.derivedKey.control.value = key;
    this.deriveError.textContent = problem ?? '';
    this.deriveError.hidden = !problem;
  }

  readDraft(): FormDraft {
    const attestationType = (this.attestationType.value() || 'x509') as FormAttestationType;
    return {
      kind: this.kind,
      id: this.id.control.value,
      deviceId: this.kind === 'enrollment' ? this.deviceId.control.value : '',
      attestationType,
      x509Source: (this.x509Source.value() || 'certificates') as X509Source,
      primaryCertificate: this.slots.primary.value,
      secondaryCertificate: this.slots.secondary.value,
      caReferencePrimary: this.caReferencePrimary.control.value,
      caReferenceSecondary: this.caReferenceSecondary.control.value,
      endorsementKey: this.endorsementKey.control.value,
      storageRootKey: this.storageRootKey.control.value,
      symmetricKeyPrimary: this.symmetricKeyPrimary.control.value,
      symmetricKeySecondary: this.symmetricKeySecondary.control.value,
      iotHubs: this.iotHubs.control.value,
      allocationPolicy: this.allocationPolicy.control.value as FormAllocationPolicy,
      webhookUrl: this.webhookUrl.control.value,
      webhookApiVersion: this.webhookApiVersion.control.value,
      reprovisionUpdateHub: this.reprovisionUpdateHub.control.checked,
      reprovisionMigrateData: this.reprovisionMigrateData.control.checked,
      tagsJson: this.tagsJson.control.value,
      desiredPropertiesJson: this.desiredPropertiesJson.control.value,
      iotEdge: this.iotEdge.control.checked,
      provisioningStatus: this.provisioningStatus.control.value === 'disabled' ? 'disabled' : 'enabled',
      namespaceName: this.policyFields.namespaceName.control.value,
      certificateAuthorityName: this.policyFields.certificateAuthorityName.control.value,
      certificatePolicyName: this.policyFields.certificatePolicyName.control.value,
    };
  }

  writeDraft(draft: FormDraft): void {
    this.id.control.value = draft.id;
    this.deviceId.control.value = draft.deviceId;
    this.attestationType.setValue(this.kind === 'group' && draft.attestationType === 'tpm' ? 'x509' : draft.attestationType);
    this.x509Source.setValue(draft.x509Source);
    this.caReferencePrimary.control.value = draft.caReferencePrimary;
    this.caReferenceSecondary.control.value = draft.caReferenceSecondary;
    this.caPicker.sync();
    this.endorsementKey.control.value = draft.endorsementKey;
    this.storageRootKey.control.value = draft.storageRootKey;
    this.symmetricKeyPrimary.control.value = draft.symmetricKeyPrimary;
    this.symmetricKeySecondary.control.value = draft.symmetricKeySecondary;
    this.iotHubs.control.value = draft.iotHubs;
    this.hubPicker.sync();
    this.allocationPolicy.control.value = draft.allocationPolicy;
    this.webhookUrl.control.value = draft.webhookUrl;
    this.webhookApiVersion.control.value = draft.webhookApiVersion;
    this.reprovisionUpdateHub.control.checked = draft.reprovisionUpdateHub;
    this.reprovisionMigrateData.control.checked = draft.reprovisionMigrateData;
    this.tagsJson.control.value = draft.tagsJson;
    this.desiredPropertiesJson.control.value = draft.desiredPropertiesJson;
    this.iotEdge.control.checked = draft.iotEdge;
    this.provisioningStatus.control.value = draft.provisioningStatus;
    for (const f of CERTIFICATE_POLICY_FIELDS) this.policyFields[f].control.value = draft[f];
    this.updateVisibility();
    this.syncCheckedState();
  }

  private syncCheckedState(): void {
    reflectChecked([
      ...this.attestationType.radios.values(),
      ...this.x509Source.radios.values(),
    ]);
  }

  private updateVisibility(): void {
    const type = this.attestationType.value() || 'x509';
    show(this.sections.x509, type === 'x509');
    show(this.sections.tpm, type === 'tpm');
    show(this.sections.symmetricKey, type === 'symmetricKey');
    const source = this.x509Source.value() || 'certificates';
    show(this.sections.certificates, source === 'certificates');
    const caReferences = type === 'x509' && source === 'caReferences';
    show(this.sections.caReferences, source === 'caReferences');
    if (caReferences && !this.caReferencesSeen) {
      this.caReferencesSeen = true;
      this.events.caReferencesShown();
    }
    show(this.customSection, this.allocationPolicy.control.value === 'custom');
  }

  // ------------------------------------------------------------ problems and status

  private fieldView(field: FormField): { error: HTMLElement; control?: ValueControl; focus(): void } | undefined {
    const fields: Partial<Record<FormField, Field<ValueControl> | RadioField>> = {
      id: this.id,
      deviceId: this.deviceId,
      attestationType: this.attestationType,
      caReferencePrimary: this.caReferencePrimary,
      caReferenceSecondary: this.caReferenceSecondary,
      endorsementKey: this.endorsementKey,
      storageRootKey: this.storageRootKey,
      symmetricKeyPrimary: this.symmetricKeyPrimary,
      symmetricKeySecondary: this.symmetricKeySecondary,
      iotHubs: this.iotHubs,
      allocationPolicy: this.allocationPolicy,
      webhookUrl: this.webhookUrl,
      webhookApiVersion: this.webhookApiVersion,
      tagsJson: this.tagsJson,
      desiredPropertiesJson: this.desiredPropertiesJson,
      provisioningStatus: this.provisioningStatus,
      ...this.policyFields,
    };
    if (field === 'primaryCertificate' || field === 'secondaryCertificate') {
      const slot = this.slots[field === 'primaryCertificate' ? 'primary' : 'secondary'];
      return { error: slot.error, control: slot.select, focus: () => slot.select.focus() };
    }
    const view = fields[field];
    if (!view) return undefined;
    if ('radios' in view) return { error: view.error, focus: () => [...view.radios.values()].find((r) => r.checked)?.focus() };
    return { error: view.error, control: view.control, focus: () => view.control.focus() };
  }

  /** Shows problems for the given fields; other fields keep theirs. */
  setFieldProblems(fields: readonly FormField[], problems: readonly FieldProblem[]): void {
    for (const field of fields) {
      const view = this.fieldView(field);
      if (!view) continue;
      const mine = problems.filter((p) => p.field === field);
      const worst = mine.find((p) => p.severity === 'error') ?? mine[0];
      showError(view, mine.length ? mine.map((p) => p.message).join(' ') : undefined, worst?.severity);
    }
  }

  clearAllProblems(): void {
    for (const field of ['id', 'deviceId', 'attestationType', 'primaryCertificate', 'secondaryCertificate', 'caReferencePrimary', 'caReferenceSecondary', 'endorsementKey', 'storageRootKey', 'symmetricKeyPrimary', 'symmetricKeySecondary', 'iotHubs', 'allocationPolicy', 'webhookUrl', 'webhookApiVersion', 'tagsJson', 'desiredPropertiesJson', 'provisioningStatus', ...CERTIFICATE_POLICY_FIELDS] as const) {
      this.setFieldProblems([field], []);
    }
    this.showBanner(undefined, []);
  }

  /** The banner sums up what failed and links each field problem to its field. */
  showBanner(message: string | undefined, problems: readonly FieldProblem[]): void {
    this.banner.replaceChildren();
    const fieldProblems = problems.filter((p) => p.field !== 'form' && p.severity === 'error');
    const formProblems = problems.filter((p) => p.field === 'form');
    if (!message && fieldProblems.length === 0 && formProblems.length === 0) {
      this.banner.hidden = true;
      return;
    }
    if (message) this.banner.append(el('p', { class: 'banner-message' }, message));
    for (const p of formProblems) if (p.message !== message) this.banner.append(el('p', {}, p.message));
    if (fieldProblems.length > 0) {
      const list = el('ul', { class: 'problem-links' });
      for (const p of fieldProblems) {
        const link = el('button', { type: 'button', class: 'link' }, p.message);
        link.addEventListener('click', () => this.fieldView(p.field)?.focus());
        list.append(el('li', {}, link));
      }
      this.banner.append(list);
    }
    this.banner.hidden = false;
  }

  focusFirstProblem(problems: readonly FieldProblem[]): void {
    const first = problems.find((p) => p.field !== 'form' && p.severity === 'error');
    if (first) this.fieldView(first.field)?.focus();
    else this.banner.focus();
  }

  focusFirstField(): void {
    if (this.mode === 'create') this.id.control.focus();
  }

  setStatus(text: string): void {
    setText(this.status, text);
  }

  setBusy(busy: boolean): void {
    this.submitButton.disabled = busy;
    this.root.setAttribute('aria-busy', String(busy));
  }
}
