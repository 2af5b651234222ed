// The shipped JSON Schemas of enrollment documents, compiled with ajv (draft-07; VS Code's own
// keywords such as patternErrorMessage are not validation keywords, hence strict: false).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import type { ItemKind } from '../../src/dps/items';

const folder = path.resolve(__dirname, '..', '..', 'media', 'schemas');
const read = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(folder, name), 'utf8')) as Record<string, unknown>;

export function schemaValidators(): Record<ItemKind, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema(read('individualEnrollment.schema.json'));
  ajv.addSchema(read('enrollmentGroup.schema.json'));
  const get = (id: string): ValidateFunction => {
    const v = ajv.getSchema(`https://dps-enrollments.local/schemas/${id}`);
    if (!v) throw new Error(`schema ${id} missing`);
    return v;
  };
  return { enrollment: get('individualEnrollment.schema.json'), group: get('enrollmentGroup.schema.json') };
}
