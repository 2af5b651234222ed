// After a test device registered (or was refused), the tree shows the registration the service now
// holds, without the user pressing Refresh: a group's registrations are its paged children, an
// individual enrollment carries its own registration state.
import { getItem } from '../dps/items';
import type { DpsApi } from '../dps/api';
import { EnrollmentNode, GroupNode } from '../tree/nodes';
import type { CommandContext } from './commandContext';
import type { ItemTarget } from './targets';

export async function showRegistrationInTree(ctx: CommandContext, client: DpsApi, target: ItemTarget): Promise<void> {
  const node = target.node;
  if (node instanceof GroupNode) {
    ctx.tree.refresh(node);
  } else if (node instanceof EnrollmentNode) {
    node.parent.pages.replace(await getItem(client, 'enrollment', node.itemId));
    ctx.tree.repaint(node.parent);
  }
}
