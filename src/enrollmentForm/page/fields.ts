// Labelled form fields built from @vscode-elements/elements. Each field has a visible label tied to
// its control (the label names the inner input for screen readers), an optional helper line and an
// error line that is announced politely when it changes.
import { el } from './dom';

export interface ValueControl extends HTMLElement {
  value: string;
  invalid: boolean;
  disabled: boolean;
}

export interface CheckControl extends HTMLElement {
  checked: boolean;
  disabled: boolean;
}

export interface Field<C extends HTMLElement> {
  /** The wrapper shown/hidden with the field. */
  group: HTMLElement;
  control: C;
  error: HTMLElement;
}

function wrap(name: string, label: HTMLElement, control: HTMLElement, helper: string | undefined, required: boolean): HTMLElement {
  const group = el('vscode-form-group', { variant: 'vertical', class: 'field', 'data-field': name });
  if (required) label.setAttribute('required', '');
  group.append(label, control);
  if (helper) group.append(el('vscode-form-helper', {}, el('p', { id: `${control.id}-help` }, helper)));
  return group;
}

function errorLine(controlId: string): HTMLElement {
  return el('div', { class: 'field-error', id: `${controlId}-error`, 'aria-live': 'polite', hidden: true });
}

export interface TextOptions {
  helper?: string;
  placeholder?: string;
  required?: boolean;
  monospace?: boolean;
  rows?: number;
  readonly?: boolean;
}

export function textField(name: string, label: string, options: TextOptions = {}): Field<ValueControl> {
  const id = `f-${name}`;
  const control = el(options.rows ? 'vscode-textarea' : 'vscode-textfield', {
    id,
    name,
    placeholder: options.placeholder,
    rows: options.rows ? String(options.rows) : undefined,
    monospace: options.monospace,
    readonly: options.readonly,
    spellcheck: 'false',
  }) as ValueControl;
  const group = wrap(name, el('vscode-label', { for: id }, label), control, options.helper, options.required ?? false);
  const error = errorLine(id);
  group.append(error);
  return { group, control, error };
}

export function selectField(name: string, label: string, choices: readonly { value: string; label: string }[], helper?: string): Field<ValueControl> {
  const id = `f-${name}`;
  const control = el('vscode-single-select', { id, name }) as ValueControl;
  for (const choice of choices) control.append(el('vscode-option', { value: choice.value }, choice.label));
  const group = wrap(name, el('vscode-label', { for: id }, label), control, helper, false);
  const error = errorLine(id);
  group.append(error);
  return { group, control, error };
}

export interface RadioField {
  group: HTMLElement;
  radios: Map<string, CheckControl>;
  error: HTMLElement;
  value(): string;
  setValue(value: string): void;
}

export function radioField(name: string, label: string, choices: readonly { value: string; label: string }[]): RadioField {
  const id = `f-${name}`;
  const radioGroup = el('vscode-radio-group', { id, variant: 'horizontal' });
  const radios = new Map<string, CheckControl>();
  for (const choice of choices) {
    // The element has no radio role of its own; screen readers need it and the checked state.
    const radio = el('vscode-radio', { name, value: choice.value, label: choice.label, id: `${id}-${choice.value}`, role: 'radio', 'aria-checked': 'false' }) as CheckControl;
    radios.set(choice.value, radio);
    radioGroup.append(radio);
  }
  const group = wrap(name, el('vscode-label', { for: id }, label), radioGroup, undefined, false);
  const error = errorLine(id);
  group.append(error);
  return {
    group,
    radios,
    error,
    value: () => [...radios].find(([, radio]) => radio.checked)?.[0] ?? '',
    setValue: (value) => {
      for (const [key, radio] of radios) radio.checked = key === value;
      reflectChecked([...radios.values()]);
    },
  };
}

export function checkboxField(name: string, label: string, helper?: string): Field<CheckControl> {
  const id = `f-${name}`;
  const control = el('vscode-checkbox', { id, name, label }) as CheckControl;
  const group = el('div', { class: 'field checkbox-field', 'data-field': name }, control);
  if (helper) group.append(el('vscode-form-helper', {}, el('p', {}, helper)));
  const error = errorLine(id);
  group.append(error);
  return { group, control, error };
}

export function button(label: string, options: { secondary?: boolean; id?: string; ariaLabel?: string } = {}): HTMLElement & { disabled: boolean } {
  return el('vscode-button', { secondary: options.secondary, id: options.id, 'aria-label': options.ariaLabel }, label);
}

export function showError(field: { error: HTMLElement; control?: ValueControl }, message: string | undefined, severity: 'error' | 'warning' = 'error'): void {
  field.error.textContent = message ?? '';
  field.error.hidden = !message;
  field.error.classList.toggle('warning', severity === 'warning');
  const control = field.control;
  if (!control) return;
  control.invalid = Boolean(message) && severity === 'error';
  announceProblem(control, message ? `${severity === 'error' ? 'Error' : 'Warning'}: ${message}` : undefined);
}

/**
 * The error line cannot be tied to the input with aria-describedby (the input lives in the
 * element's shadow root), so the problem goes into the input's accessible name instead, and the
 * inner input is marked invalid: a screen reader hears both when the field gets focus.
 */
function announceProblem(control: ValueControl, problem: string | undefined): void {
  const labelled = control as ValueControl & { label?: string; wrappedElement?: HTMLElement };
  if (typeof labelled.label !== 'string') return;
  const base = (labelled.dataset.baseLabel ??= labelled.label);
  labelled.label = problem ? `${base}. ${problem}` : base;
  const inner = labelled.wrappedElement;
  if (problem) inner?.setAttribute('aria-invalid', 'true');
  else inner?.removeAttribute('aria-invalid');
}

/** Mirrors `checked` into aria-checked (vscode-radio does not expose it; its host carries the role). */
export function reflectChecked(controls: readonly CheckControl[]): void {
  for (const control of controls) control.setAttribute('aria-checked', String(control.checked));
}

/** Changes a field's visible label and the name its control announces (vscode-label syncs only once). */
export function setFieldLabel(group: HTMLElement, control: HTMLElement, text: string): void {
  const label = group.querySelector('vscode-label');
  if (label) label.textContent = text;
  const labelled = control as HTMLElement & { label?: string };
  labelled.dataset.baseLabel = text;
  labelled.label = text;
}
