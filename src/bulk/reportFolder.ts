// Where streamed-import reports are kept: one folder, a new file per run named after the source and
// the time, and only the newest few kept, since a report of a million failed rows is large and the
// folder is out of the person's sight (the Jobs view says where each report is).
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Reports kept in the folder, the new one included. */
export const KEPT_REPORTS = 10;
const REPORT_SUFFIX = '.jsonl';

/** A path for a new report in `folder` (created if needed), after removing all but the newest `keep - 1` earlier reports. */
export async function newReportFile(folder: string, description: string, now = new Date(), keep = KEPT_REPORTS): Promise<string> {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError('keep must be at least 1.');
  await mkdir(folder, { recursive: true });
  await removeOldReports(folder, keep - 1);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const name = description.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);
  return join(folder, `${name}-${stamp}${REPORT_SUFFIX}`);
}

async function removeOldReports(folder: string, keep: number): Promise<void> {
  const names = (await readdir(folder)).filter((n) => n.endsWith(REPORT_SUFFIX));
  if (names.length <= keep) return;
  const dated = await Promise.all(names.map(async (name) => ({ name, mtimeMs: (await stat(join(folder, name))).mtimeMs })));
  dated.sort((a, b) => b.mtimeMs - a.mtimeMs || b.name.localeCompare(a.name));
  for (const { name } of dated.slice(keep)) await rm(join(folder, name), { force: true });
}
