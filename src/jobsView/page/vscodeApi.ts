// The page's channel to the host. `acquireVsCodeApi` may be called once per page; the browser
// tests provide a stand-in with the same shape that records what is posted.
import type { PageMessage } from '../protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

export function post(message: PageMessage): void {
  api.postMessage(message);
}
