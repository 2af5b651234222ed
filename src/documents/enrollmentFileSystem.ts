// Enrollments and groups as JSON documents: readFile GETs, writeFile PUTs with If-Match set to the
// ETag of the version that was read. A 412 (someone else changed it) asks the user to compare,
// overwrite or reload. After a save the document is refreshed with the service's answer (new ETag).
import * as vscode from 'vscode';
import type { AttestationMechanism } from '../dps/models';
import { isDpsError } from '../dps/errors';
import type { DpsApi } from '../dps/api';
import type { Logger } from '../common/logger';
import { describeError } from '../common/errorPresentation';
import { CURRENT_VERSION_SCHEME, DOCUMENT_SCHEME, formatDocumentPath, parseDocumentPath, type DocumentAddress } from './documentUri';
import { parseEditedDocument, serializeForEditing, withPreservedKeys } from './enrollmentDocument';
import { getItem, getItemAttestation, ITEM_KIND_FACTS, putItem, type Item } from '../dps/items';

interface CachedDocument {
  content: Uint8Array;
  etag: string | undefined;
  mtime: number;
}

export interface DocumentServices {
  clientFor(connectionId: string): Promise<DpsApi>;
  logger: Logger;
  /** Called after a successful save so the tree can show the new state. */
  onSaved(address: DocumentAddress, item: Item): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Delay before the saved document is replaced by the service's answer: lets VS Code finish its save first. */
const REFRESH_AFTER_SAVE_MS = 300;

export function documentUri(address: DocumentAddress): vscode.Uri {
  return vscode.Uri.from({ scheme: DOCUMENT_SCHEME, path: formatDocumentPath(address) });
}

export class EnrollmentFileSystem implements vscode.FileSystemProvider, vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;
  private readonly cache = new Map<string, CachedDocument>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly services: DocumentServices) {}

  /** Drops the cached version so the next open reads the service again. */
  forget(address: DocumentAddress): void {
    this.cache.delete(documentUri(address).toString());
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const doc = this.cache.get(uri.toString()) ?? (await this.load(uri));
    return { type: vscode.FileType.File, ctime: doc.mtime, mtime: doc.mtime, size: doc.content.byteLength };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const doc = this.cache.get(uri.toString()) ?? (await this.load(uri));
    return doc.content;
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const address = parseDocumentPath(uri.path);
    const cached = this.cache.get(uri.toString());
    let edited: Item;
    try {
      edited = parseEditedDocument(decoder.decode(content), address.kind, address.id);
    } catch (error) {
      throw saveRefusal(error instanceof Error ? error.message : String(error));
    }
    const client = await this.services.clientFor(address.connectionId);
    let saved: Item;
    try {
      saved = await this.put(client, address, edited, cached?.etag);
    } catch (error) {
      if (isDpsError(error) && error.status === 412) {
        saved = await this.resolveConflict(client, uri, address, edited);
      } else {
        throw refusalOf(error, `Could not save the ${ITEM_KIND_FACTS[address.kind].singular} "${address.id}"`, this.services.logger);
      }
    }
    this.services.logger.info(`Saved ${ITEM_KIND_FACTS[address.kind].singular} ${address.id} (etag ${saved.etag ?? '?'})`);
    // VS Code records the bytes it wrote; the service's answer (new ETag, timestamps) follows as a change.
    const now = Date.now();
    this.cache.set(uri.toString(), { content, etag: saved.etag, mtime: now });
    this.schedule(() => {
      this.cache.set(uri.toString(), { content: encoder.encode(serializeForEditing(saved)), etag: saved.etag, mtime: now + 1 });
      this.changes.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    });
    this.services.onSaved(address, saved);
  }

  /** For the "Compare" diff: the service's current version, read-only. */
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const address = parseDocumentPath(uri.path);
    const client = await this.services.clientFor(address.connectionId);
    return serializeForEditing(await fetchItem(client, address));
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('Enrollment documents have no folders.');
  }
  delete(): void {
    throw vscode.FileSystemError.NoPermissions('Use the Delete command in the DPS Enrollments view.');
  }
  rename(): void {
    throw vscode.FileSystemError.NoPermissions('An enrollment id cannot be renamed.');
  }

  private async load(uri: vscode.Uri): Promise<CachedDocument> {
    const address = parseDocumentPath(uri.path);
    const client = await this.services.clientFor(address.connectionId);
    let item: Item;
    try {
      item = await fetchItem(client, address);
    } catch (error) {
      throw toFileSystemError(error);
    }
    const doc: CachedDocument = { content: encoder.encode(serializeForEditing(item)), etag: item.etag, mtime: Date.now() };
    this.cache.set(uri.toString(), doc);
    return doc;
  }

  private async put(client: DpsApi, address: DocumentAddress, edited: Item, ifMatch: string | undefined): Promise<Item> {
    const stored = await storedAttestation(client, address, edited);
    const body = withPreservedKeys(edited, stored);
    // A certificate pasted with its private key is sent without the key. Imported here, not at
    // activation: the certificate reader brings node-forge with it.
    const { withCertificatesOnly } = await import('../attestation/certificatesOnly.js');
    body.attestation = withCertificatesOnly(body.attestation, address.kind);
    // The etag in the text is informational; the one we read is what counts.
    delete body.etag;
    const options = ifMatch ? { ifMatch } : {};
    return putItem(client, address.kind, body, options);
  }

  private async resolveConflict(client: DpsApi, uri: vscode.Uri, address: DocumentAddress, edited: Item): Promise<Item> {
    const what = ITEM_KIND_FACTS[address.kind].singular;
    const choice = await vscode.window.showWarningMessage(
      `The ${what} "${address.id}" was changed on the service after you opened it.`,
      { modal: true, detail: 'Compare your version with the current one, overwrite the current one with yours, or reload and discard your changes.' },
      'Compare',
      'Overwrite',
      'Reload',
    );
    if (choice === 'Overwrite') {
      const current = await fetchItem(client, address);
      return this.put(client, address, edited, current.etag);
    }
    if (choice === 'Reload') {
      const current = await fetchItem(client, address);
      this.services.logger.info(`Reloaded ${what} ${address.id}; local changes discarded.`);
      return current;
    }
    if (choice === 'Compare') {
      const currentUri = uri.with({ scheme: CURRENT_VERSION_SCHEME, query: String(Date.now()) });
      this.schedule(() => {
        void vscode.commands.executeCommand('vscode.diff', currentUri, uri, `${address.id}: service ↔ yours`);
      });
    }
    throw saveRefusal(`Not saved: the ${what} "${address.id}" changed on the service. Compare, then save again to overwrite or revert to reload.`);
  }

  private schedule(action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, REFRESH_AFTER_SAVE_MS);
    this.timers.add(timer);
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.changes.dispose();
  }
}

function fetchItem(client: DpsApi, address: DocumentAddress): Promise<Item> {
  return getItem(client, address.kind, address.id);
}

async function storedAttestation(client: DpsApi, address: DocumentAddress, edited: Item): Promise<AttestationMechanism | undefined> {
  if (edited.attestation?.type !== 'symmetricKey') return undefined;
  const keys = edited.attestation.symmetricKey;
  if (keys?.primaryKey && keys.secondaryKey) return undefined;
  try {
    return await getItemAttestation(client, address.kind, address.id);
  } catch (error) {
    // A new item has no stored keys: the service generates them.
    if (isDpsError(error) && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * A refused save that reads as the product's sentence. VS Code prints a failed write as "Unable to
 * write file '…' (<error name>: <message>)", and a FileSystemError's name is "NoPermissions
 * (FileSystemError)": an error without a name leaves only our message in the parentheses.
 */
export function saveRefusal(message: string): Error {
  const error = new Error(message);
  error.name = '';
  return error;
}

/** A service error on save, as the product words it (the details go to the log). */
function refusalOf(error: unknown, context: string, logger: Logger): Error {
  if (error instanceof vscode.FileSystemError) return error;
  const described = describeError(error, context);
  logger.error(described.logLine);
  return saveRefusal(described.message ?? `${context}.`);
}

function toFileSystemError(error: unknown): Error {
  if (error instanceof vscode.FileSystemError) return error;
  if (isDpsError(error)) {
    const text = `${error.message}${error.status ? ` (${error.status})` : ''}`;
    if (error.status === 404) return vscode.FileSystemError.FileNotFound(text);
    if (error.status === 401 || error.status === 403) return vscode.FileSystemError.NoPermissions(text);
    return vscode.FileSystemError.Unavailable(text);
  }
  return error instanceof Error ? error : new Error(String(error));
}
