// Small DOM helpers: text goes in as text nodes, never as markup, so ids and reasons from files
// and the service cannot become HTML. `el` is the form page's.
export { el } from '../../enrollmentForm/page/dom';

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`The page has no #${id}.`);
  return node as T;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
