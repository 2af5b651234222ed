// The page's channel to the host. `acquireVsCodeApi` may be called once per page; the browser
// tests provide a stand-in with the same shape that records what is posted.
import type { OutcomeFilter } from '../../jobs/jobRows';
import { OUTCOME_FILTERS, type PageMessage } from '../protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

export function post(message: PageMessage): void {
  api.postMessage(message);
}

/** What the user narrowed the list to; kept by VS Code while the tab is hidden and the page rebuilt. */
export interface ViewState {
  filter: OutcomeFilter;
  search: string;
}

export function saveViewState(state: ViewState): void {
  api.setState(state);
}

/** The state saved before the page was last rebuilt, if it is one this page wrote. */
export function savedViewState(): ViewState | undefined {
  const state = api.getState() as Partial<ViewState> | undefined;
  if (typeof state !== 'object' || state === null) return undefined;
  const { filter, search } = state;
  if (!OUTCOME_FILTERS.includes(filter as OutcomeFilter) || typeof search !== 'string' || search.length > 200) return undefined;
  return { filter: filter as OutcomeFilter, search };
}
