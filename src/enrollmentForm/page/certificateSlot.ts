// One certificate slot of the form (primary or secondary): a picker of workspace files, Browse and
// Remove buttons, the chosen certificate's facts and its problems. The slot remembers what the
// draft should say about it; the certificate content itself stays on the host.
import type { CertificateFileEntry, CertificateSlot, CertificateSlotValue, CertificateSummary, ExistingCertificateInfo } from '../protocol';
import { el } from './dom';
import { button, setFieldLabel, type ValueControl } from './fields';

const NO_FILE = '';

export interface CertificateSlotEvents {
  pick(slot: CertificateSlot, fileId: string | undefined): void;
  removed(slot: CertificateSlot): void;
}

export class CertificateSlotView {
  readonly group: HTMLElement;
  readonly select: ValueControl;
  readonly error: HTMLElement;
  private readonly label: HTMLElement;
  private readonly remove: HTMLElement & { disabled: boolean };
  private readonly facts: HTMLElement;
  private current: CertificateSlotValue = { kind: 'none' };
  private files: readonly CertificateFileEntry[] = [];

  constructor(private readonly slot: CertificateSlot, events: CertificateSlotEvents) {
    const name = slot === 'primary' ? 'primaryCertificate' : 'secondaryCertificate';
    const id = `f-${name}`;
    this.select = el('vscode-single-select', { id, name });
    const browse = button('Browse…', { secondary: true, id: `${id}-browse`, ariaLabel: `Browse for the ${slot} certificate file` });
    this.remove = button('Remove', { secondary: true, id: `${id}-remove`, ariaLabel: `Remove the ${slot} certificate` });
    this.facts = el('div', { class: 'certificate-facts', id: `${id}-facts`, hidden: true });
    this.error = el('div', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite', hidden: true });
    this.label = el('vscode-label', { for: id, required: slot === 'primary' }, slot === 'primary' ? 'Primary certificate' : 'Secondary certificate (optional)');
    this.group = el('vscode-form-group', { variant: 'vertical', class: 'field certificate-slot', 'data-field': name },
      this.label, el('div', { class: 'row' }, this.select, browse, this.remove), this.facts, this.error);

    this.select.addEventListener('change', () => {
      if (this.select.value !== NO_FILE) events.pick(slot, this.select.value);
    });
    browse.addEventListener('click', () => events.pick(slot, undefined));
    this.remove.addEventListener('click', () => {
      this.show({ kind: 'none' });
      events.removed(slot);
    });
  }

  get value(): CertificateSlotValue {
    return this.current;
  }

  setLabel(text: string): void {
    setFieldLabel(this.group, this.select, text);
  }

  setFiles(files: readonly CertificateFileEntry[]): void {
    this.files = files;
    this.select.replaceChildren(el('vscode-option', { value: NO_FILE }, files.length === 0 ? 'No certificate files in the workspace' : 'Choose a workspace file…'));
    for (const file of files) this.select.append(el('vscode-option', { value: file.fileId }, file.label));
    this.select.value = NO_FILE;
  }

  /** Shows what the slot holds: nothing, the service's current certificate, or a chosen file. */
  show(value: CertificateSlotValue, facts?: CertificateSummary | ExistingCertificateInfo): void {
    this.current = value;
    this.remove.disabled = value.kind === 'none';
    this.facts.replaceChildren();
    if (value.kind === 'none' || !facts) {
      this.facts.hidden = true;
      this.select.value = NO_FILE;
      return;
    }
    // A file chosen elsewhere (Explorer, Browse) shows in the picker when the workspace list has it.
    if ('label' in facts) this.select.value = this.files.find((f) => f.label === facts.label)?.fileId ?? NO_FILE;
    const list = el('dl', { 'aria-label': `${this.slot} certificate details` });
    for (const [term, detail] of factRows(facts)) list.append(el('dt', {}, term), el('dd', {}, detail));
    this.facts.append(list);
    // The stored certificate is not checked again on the page: the host says when it runs out.
    if (!('label' in facts) && facts.expiryWarning) {
      this.facts.append(el('p', { class: 'field-error warning certificate-expiry', id: `${this.select.id}-expiry` }, facts.expiryWarning));
    }
    this.facts.hidden = false;
  }
}

function factRows(facts: CertificateSummary | ExistingCertificateInfo): [string, string][] {
  if (!('label' in facts)) {
    return [
      ['Source', 'Current certificate on the service'],
      ['Subject', facts.subject],
      ['Issuer', facts.issuer],
      ['Valid', `${facts.notBefore} – ${facts.notAfter}`],
      ['SHA-1', facts.sha1Thumbprint],
      ['SHA-256', facts.sha256Thumbprint],
    ];
  }
  return [
    ['File', facts.label],
    ['Subject', facts.subject],
    ['Common name', facts.commonName ?? '(none)'],
    ['Issuer', facts.issuer],
    ['Valid', `${facts.notBefore} – ${facts.notAfter}`],
    ['Kind', facts.isCa ? `CA certificate${facts.selfSigned ? ' (self-signed root)' : ''}` : 'Leaf (device) certificate'],
    ...(facts.keyDescription ? [['Key', facts.keyDescription] as [string, string]] : []),
    ['SHA-1', facts.sha1Thumbprint],
    ['SHA-256', facts.sha256Thumbprint],
  ];
}
