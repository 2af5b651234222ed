// The hub picker: one checkbox per IoT hub linked to the instance (with its allocation weight), kept
// in step with the "IoT hubs" text, which stays the one value the form submits. Ticking adds the host
// name to the text, unticking removes it, typing ticks what it names; host names the list does not
// know are kept as typed. With no list (no Azure link, or ARM failed) only a note shows.
import type { LinkedHubEntry } from '../protocol';
import { splitHubList } from '../../dps/hubHostName';
import { el, setText, show } from './dom';
import type { CheckControl } from './fields';

export interface HubText {
  get(): string;
  set(text: string): void;
  changed(): void;
}

const sameHost = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** "weight 2 · westeurope", "not used for allocation": what the checkbox says after the host name. */
export function hubFacts(hub: LinkedHubEntry): string {
  return [
    hub.applyAllocationPolicy === false ? 'not used for allocation' : hub.allocationWeight !== undefined ? `weight ${hub.allocationWeight}` : undefined,
    hub.location,
  ].filter(Boolean).join(' · ');
}

export class HubPickerView {
  readonly group = el('div', { class: 'field hub-picker', id: 'hub-picker', role: 'group', 'aria-labelledby': 'hub-picker-title', hidden: true });
  private readonly title = el('div', { class: 'hub-picker-title', id: 'hub-picker-title' }, 'Linked IoT hubs');
  private readonly list = el('div', { class: 'hub-picker-list' });
  private readonly note = el('p', { class: 'helper', id: 'hub-picker-note', 'aria-live': 'polite', hidden: true });
  private boxes: { hostName: string; box: CheckControl }[] = [];

  constructor(private readonly text: HubText) {
    this.group.append(this.title, this.list, this.note);
  }

  setHubs(hubs: readonly LinkedHubEntry[], note?: string): void {
    this.boxes = hubs.map((hub, index) => {
      const facts = hubFacts(hub);
      const box = el('vscode-checkbox', { id: `hub-${index}`, label: facts ? `${hub.hostName} (${facts})` : hub.hostName }) as CheckControl;
      box.addEventListener('change', () => this.toggled(hub.hostName, box.checked));
      return { hostName: hub.hostName, box };
    });
    this.list.replaceChildren(...this.boxes.map((b) => b.box));
    setText(this.note, note ?? '');
    show(this.note, Boolean(note));
    show(this.title, this.boxes.length > 0);
    show(this.group, this.boxes.length > 0 || Boolean(note));
    this.sync();
  }

  /** Ticks the hubs the text names (after typing or a new draft). */
  sync(): void {
    const named = splitHubList(this.text.get());
    for (const { hostName, box } of this.boxes) {
      box.checked = named.some((n) => sameHost(n, hostName));
      box.setAttribute('aria-checked', String(box.checked));
    }
  }

  private toggled(hostName: string, checked: boolean): void {
    const named = splitHubList(this.text.get());
    const kept = named.filter((n) => !sameHost(n, hostName));
    this.text.set((checked ? [...kept, hostName] : kept).join('\n'));
    this.sync();
    this.text.changed();
  }
}
