// Markdown helpers for the plan and report documents: cell text from files and the service is
// escaped so a "|" or newline in a reason cannot break the table.
export function cell(text: string): string {
  // Only what breaks a table or could become HTML; "_" and "." in ids and reasons stay readable in the raw text.
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;');
}

export function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

export const MODE_LABELS = {
  create: 'Create',
  update: 'Update (create new, update existing)',
  updateIfMatchETag: 'Update if ETag matches',
  delete: 'Delete',
} as const;

