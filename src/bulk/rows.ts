// The common shape every source (CSV, JSON, certificate folder, tree selection) produces: one row
// per input entry, with the service object when it is valid and the reasons when it is not. The
// dry-run plan, the runner and the report all key on rows, so a row's origin ("row 7", a file name)
// follows it from the input to the report.
import type { Item, ItemKind } from '../dps/items';

export interface SourceRow {
  /** Where the row came from, for messages: "row 7", "item 3", "devices/a.pem". */
  origin: string;
  /** The registration or group id as read; '' when the row has none. */
  id: string;
  /** The object to send; absent when the row has errors. */
  item?: Item;
  errors: string[];
  warnings: string[];
}

export interface SourceResult {
  kind: ItemKind;
  rows: SourceRow[];
  /** What the source was, for the plan and report headings: "devices.csv", "3 selected enrollments". */
  description: string;
}

/** A whole input that cannot be read (bad file, unreadable CSV, wrong JSON shape); rows carry row problems instead. */
export class BulkSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BulkSourceError';
  }
}


