// The TreeDataProvider only delegates: nodes describe themselves; this maps descriptors to
// TreeItems and keeps one ConnectionNode per saved connection so loaded pages survive a repaint.
import * as vscode from 'vscode';
import type { ConnectionStore } from '../connections/connectionStore';
import { ConnectionNode, type PagedNode } from './nodes';
import type { DpsTreeNode, TreeContext, TreeItemDescriptor } from './treeModel';

export const TREE_VIEW_ID = 'dpsEnrollments.connections';

const collapsibleStates: Record<TreeItemDescriptor['collapsible'], vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

export function toTreeItem(d: TreeItemDescriptor, node: DpsTreeNode): vscode.TreeItem {
  const item = new vscode.TreeItem(d.label, collapsibleStates[d.collapsible]);
  item.id = d.id;
  item.contextValue = d.contextValue;
  if (d.description !== undefined) item.description = d.description;
  if (d.tooltip !== undefined) item.tooltip = d.tooltip; // a plain string is never rendered as Markdown
  if (d.icon) item.iconPath = new vscode.ThemeIcon(d.icon.id, d.icon.color ? new vscode.ThemeColor(d.icon.color) : undefined);
  item.accessibilityInformation = { label: d.ariaLabel ?? [d.label, d.description].filter(Boolean).join(', ') };
  if (d.command) item.command = { command: d.command.command, title: d.command.title, arguments: [node] };
  return item;
}

export class DpsTreeProvider implements vscode.TreeDataProvider<DpsTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DpsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots = new Map<string, ConnectionNode>();
  /** The description each node was last drawn with, to redraw a list's count once its page arrives. */
  private readonly drawnDescriptions = new WeakMap<DpsTreeNode, string | undefined>();
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly store: ConnectionStore,
    private readonly ctx: TreeContext,
  ) {
    this.subscription = store.onDidChange(() => this.changed.fire(undefined));
  }

  getTreeItem(node: DpsTreeNode): vscode.TreeItem {
    const descriptor = node.describe();
    this.drawnDescriptions.set(node, descriptor.description);
    return toTreeItem(descriptor, node);
  }

  getParent(node: DpsTreeNode): DpsTreeNode | undefined {
    return node.parent;
  }

  async getChildren(node?: DpsTreeNode): Promise<DpsTreeNode[]> {
    if (!node) return this.connectionNodes();
    const children = (await node.getChildren?.()) ?? [];
    // A list's description ("12", "3 of 12 loaded") is known only after its page arrived: redraw the
    // node once when it changed (the second pass finds it equal, so this cannot loop). A node not drawn
    // yet counts as drawn without a description: after a refresh VS Code may ask for a new node's children
    // before its item, and the count must still appear.
    if (this.drawnDescriptions.get(node) !== node.describe().description) {
      setTimeout(() => this.changed.fire(node), 0);
    }
    return children;
  }

  /** Connection nodes, reusing existing ones (and their loaded pages) when the record is unchanged. */
  connectionNodes(): ConnectionNode[] {
    const next = new Map<string, ConnectionNode>();
    for (const record of this.store.list()) {
      const existing = this.roots.get(record.id);
      const same = existing && JSON.stringify(existing.connection) === JSON.stringify(record);
      next.set(record.id, same ? existing : new ConnectionNode(record, this.ctx));
    }
    this.roots = next;
    return [...next.values()];
  }

  rootFor(connectionId: string): ConnectionNode | undefined {
    return this.roots.get(connectionId);
  }

  /** Refetches under `node` (or everything) and repaints. */
  refresh(node?: DpsTreeNode): void {
    if (!node) {
      this.roots.clear();
      this.changed.fire(undefined);
      return;
    }
    resetUnder(node);
    this.changed.fire(node);
  }

  /** Repaints without refetching (filters, counts). */
  repaint(node?: DpsTreeNode): void {
    this.changed.fire(node);
  }

  async loadMore(node: PagedNode): Promise<void> {
    await node.pages.loadNext();
    this.changed.fire(node);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function resetUnder(node: DpsTreeNode): void {
  if (node instanceof ConnectionNode) {
    node.enrollments.pages.reset();
    node.groups.pages.reset();
    node.caCertificates?.pages.reset();
  } else if ('pages' in node && node.pages && typeof (node.pages as { reset?: unknown }).reset === 'function') {
    (node as PagedNode).pages.reset();
  }
}
