// The CA reference picker: the instance's CA certificates (name, subject, expiry), each verified one
// with "Use as primary" / "Use as secondary", which fill the CA reference fields; those fields stay
// the values the form submits, so a typed name still works. An unverified or expired certificate is
// listed with the reason it cannot be picked, and a typed name that names one is warned about.
// With no list (no Azure link, or ARM failed) only a note shows.
import type { CaCertificateChoice, CertificateSlot } from '../protocol';
import { PROTOCOL_LIMITS } from '../protocol';
import { button, type ValueControl } from './fields';
import { el, setText, show } from './dom';

export interface CaReferenceText {
  get(slot: CertificateSlot): string;
  set(slot: CertificateSlot, text: string): void;
  changed(): void;
}

const MAX_CHOICES = 1000;
const sameName = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
const isShortText = (v: unknown): v is string => typeof v === 'string' && v.length <= PROTOCOL_LIMITS.shortText;

/**
 * The choices of a `caCertificates` message that have the expected shape; anything else is dropped,
 * so a malformed answer shows fewer rows rather than breaking the form.
 */
export function acceptedChoices(value: unknown): CaCertificateChoice[] {
  if (!Array.isArray(value)) return [];
  const accepted: CaCertificateChoice[] = [];
  for (const entry of value.slice(0, MAX_CHOICES) as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const c = entry as Record<string, unknown>;
    if (!isShortText(c.name) || c.name.trim() === '' || typeof c.verified !== 'boolean' || typeof c.expired !== 'boolean' || typeof c.warn !== 'boolean') continue;
    if ([c.subject, c.expiryText, c.unavailable].some((v) => v !== undefined && !isShortText(v))) continue;
    accepted.push({
      name: c.name,
      verified: c.verified,
      expired: c.expired,
      warn: c.warn,
      ...(typeof c.subject === 'string' ? { subject: c.subject } : {}),
      ...(typeof c.expiryText === 'string' ? { expiryText: c.expiryText } : {}),
      ...(typeof c.unavailable === 'string' ? { unavailable: c.unavailable } : {}),
    });
  }
  return accepted;
}

/** "CN=Contoso Root · expires 2039-12-31": what the row says under the name. */
export function caChoiceFacts(choice: CaCertificateChoice): string {
  return [choice.subject, choice.expiryText].filter(Boolean).join(' · ');
}

type UseButton = ValueControl & { disabled: boolean };

export class CaPickerView {
  readonly group = el('div', { class: 'field ca-picker', id: 'ca-picker', role: 'group', 'aria-labelledby': 'ca-picker-title', hidden: true });
  private readonly title = el('div', { class: 'ca-picker-title', id: 'ca-picker-title' }, 'CA certificates of this instance');
  private readonly list = el('ul', { class: 'ca-picker-list' });
  private readonly note = el('p', { class: 'helper', id: 'ca-picker-note', 'aria-live': 'polite', hidden: true });
  private readonly warning = el('p', { class: 'field-error warning', id: 'ca-picker-warning', 'aria-live': 'polite', hidden: true });
  private choices: CaCertificateChoice[] = [];
  private buttons: { name: string; slot: CertificateSlot; button: UseButton }[] = [];

  constructor(private readonly text: CaReferenceText) {
    this.group.append(this.title, this.list, this.note, this.warning);
  }

  setChoices(choices: readonly CaCertificateChoice[], note?: string): void {
    this.choices = [...choices];
    this.buttons = [];
    this.list.replaceChildren(...this.choices.map((choice, index) => this.row(choice, index)));
    setText(this.note, note ?? '');
    show(this.note, Boolean(note));
    show(this.title, this.choices.length > 0);
    show(this.group, this.choices.length > 0 || Boolean(note));
    this.sync();
  }

  private row(choice: CaCertificateChoice, index: number): HTMLElement {
    const facts = caChoiceFacts(choice);
    const item = el('li', { class: `ca-choice${choice.unavailable ? ' unavailable' : ''}`, id: `ca-${index}` },
      el('div', { class: 'ca-choice-name' }, choice.name),
      ...(facts ? [el('div', { class: `ca-choice-facts${choice.warn ? ' warn' : ''}` }, facts)] : []),
    );
    if (choice.unavailable) {
      item.append(el('div', { class: 'ca-choice-unavailable' }, choice.unavailable));
      return item;
    }
    const actions = el('div', { class: 'row ca-choice-actions' });
    for (const slot of ['primary', 'secondary'] as const) {
      const use = button(`Use as ${slot}`, { secondary: true, id: `ca-${index}-${slot}`, ariaLabel: `Use ${choice.name} as the ${slot} CA reference` }) as UseButton;
      use.addEventListener('click', () => this.use(choice.name, slot));
      this.buttons.push({ name: choice.name, slot, button: use });
      actions.append(use);
    }
    item.append(actions);
    return item;
  }

  /** Marks the buttons of the names the fields hold, and warns about a typed name that cannot be referenced. */
  sync(): void {
    for (const { name, slot, button: b } of this.buttons) b.setAttribute('aria-pressed', String(sameName(this.text.get(slot), name)));
    const warnings: string[] = [];
    for (const slot of ['primary', 'secondary'] as const) {
      const typed = this.text.get(slot).trim();
      const known = typed ? this.choices.find((c) => sameName(c.name, typed)) : undefined;
      if (known?.unavailable) warnings.push(`The ${slot} CA reference "${known.name}" is ${known.unavailable}.`);
    }
    setText(this.warning, warnings.join(' '));
    show(this.warning, warnings.length > 0);
  }

  private use(name: string, slot: CertificateSlot): void {
    const other: CertificateSlot = slot === 'primary' ? 'secondary' : 'primary';
    // One CA in both slots would be no second reference at all.
    if (sameName(this.text.get(other), name)) this.text.set(other, '');
    this.text.set(slot, name);
    this.sync();
    this.text.changed();
  }
}
