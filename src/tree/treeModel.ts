// What every tree node gives the provider: a plain description of its TreeItem (no vscode types, so
// nodes are unit-testable) and, for containers, its children.
import type { CaCertificate } from '../azure/armModels';
import type { CommandId } from '../commands/commandIds';
import type { ConnectionRecord } from '../connections/connectionStore';
import type { DpsApi } from '../dps/api';
import type { UserFacingError } from '../common/errorPresentation';
import type { EnrollmentFilter } from './filters';

export interface TreeItemDescriptor {
  id: string;
  label: string;
  description?: string;
  /** Plain text: never interpreted as Markdown or HTML (service data is untrusted). */
  tooltip?: string;
  icon?: { id: string; color?: string };
  /** What a screen reader says; starts with the label (tests find rows by it). */
  ariaLabel?: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  contextValue: string;
  command?: { command: CommandId; title: string };
}

export interface DpsTreeNode {
  readonly id: string;
  readonly parent: DpsTreeNode | undefined;
  describe(): TreeItemDescriptor;
  getChildren?(): Promise<DpsTreeNode[]>;
}

/** What nodes need from the outside world. */
export interface TreeContext {
  clientFor(connection: ConnectionRecord): Promise<DpsApi>;
  pageSize(): number;
  filter(): EnrollmentFilter;
  describeError(error: unknown, context: string): UserFacingError;
  /** The CA certificates of a connection added from Azure (through ARM); absent: no "CA Certificates" folder. */
  caCertificatesOf?(connection: ConnectionRecord): Promise<CaCertificate[]>;
}
