// Validates values against the DPS OpenAPI 2.0 spec's definitions with ajv.
// This helper READS ../shared/dps/spec (outside the repo; present in development and CI, never on a
// user's machine). specValidator() returns undefined when it is absent, and the tests that use it
// skip themselves then.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export const repoRoot = resolve(__dirname, '..', '..');
export const specDir = resolve(repoRoot, '..', 'shared', 'dps', 'spec', 'stable', '2021-10-01');
/** The folder of one stable service spec version (2021-10-01 or 2026-11-01). */
export const specDirFor = (version: string): string => resolve(repoRoot, '..', 'shared', 'dps', 'spec', 'stable', version);

interface OpenApiResponse {
  schema?: Record<string, unknown>;
  headers?: Record<string, unknown>;
}
interface OpenApiOperation {
  operationId: string;
  responses: Record<string, OpenApiResponse>;
  parameters?: Array<{ name: string; in: string; schema?: Record<string, unknown> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, unknown>;
}

export interface SpecExample {
  file: string;
  operationId: string;
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: unknown; headers?: Record<string, string> }>;
}

export interface SpecValidator {
  /** Errors of `value` against definition `name` (empty = valid). */
  validate(name: string, value: unknown): string[];
  /** Errors of a response body against what operation `operationId` declares for `status`. */
  validateResponse(operationId: string, status: number, body: unknown): string[];
  /** Errors of a request body against the body parameter operation `operationId` declares. */
  validateRequest(operationId: string, body: unknown): string[];
  /** Header names the operation declares for `status` (lower-case). */
  responseHeaders(operationId: string, status: number): string[];
  operationIds(): string[];
  examples(): SpecExample[];
}

const SCHEMA_ID = 'dps-service-2021-10-01';

/** Drops OpenAPI-only keywords that are not JSON Schema (x-ms-*, discriminator, example). */
function jsonSchemaOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonSchemaOf);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('x-') || k === 'discriminator' || k === 'example') continue;
    out[k] = jsonSchemaOf(v);
  }
  return out;
}

/** Rewrites `#/definitions/X` so refs resolve inside the registered schema. */
function withAbsoluteRefs(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/definitions\//g, `"${SCHEMA_ID}#/definitions/`)) as unknown;
}

export function specValidator(version = '2021-10-01'): SpecValidator | undefined {
  const dir = specDirFor(version);
  const file = join(dir, 'service.json');
  if (!existsSync(file)) return undefined;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  const definitions = jsonSchemaOf(doc.definitions) as Record<string, Record<string, unknown>>;
  // The spec types every twin value as an object (`additionalProperties: {type: object}`), but twins hold
  // any JSON value: `"tags": {"site": "lab"}` is the documented use and what the service accepts. Only that
  // one rule is relaxed; everything else stays as the spec says.
  definitions.TwinCollection = { ...definitions.TwinCollection, additionalProperties: true };
  // The live service answers `provisioningStatus: null` when it was sent as null (recording
  // test_enrollment_symmetrickey_lifecycle); the spec's enum has no null. Only that is relaxed.
  for (const name of ['IndividualEnrollment', 'EnrollmentGroup']) {
    const def = definitions[name] as { properties: Record<string, Record<string, unknown>> };
    const status = def.properties.provisioningStatus;
    // 2021-10-01 inlines the enum; the TypeSpec-emitted 2026-11-01 refers to a ProvisioningStatus definition.
    def.properties.provisioningStatus = Array.isArray(status.enum)
      ? { ...status, type: ['string', 'null'], enum: [...(status.enum as string[]), null] }
      : { anyOf: [status, { type: 'null' }] };
  }
  ajv.addSchema({ $id: SCHEMA_ID, definitions });

  const operations = new Map<string, OpenApiOperation>();
  for (const methods of Object.values(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (method === 'parameters') continue;
      const o = op as OpenApiOperation;
      operations.set(o.operationId, o);
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  const compile = (key: string, schema: unknown): ValidateFunction => {
    let fn = compiled.get(key);
    if (fn === undefined) {
      fn = ajv.compile(withAbsoluteRefs(jsonSchemaOf(schema)) as Record<string, unknown>);
      compiled.set(key, fn);
    }
    return fn;
  };
  const run = (fn: ValidateFunction, value: unknown): string[] =>
    fn(value) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
  const responseOf = (operationId: string, status: number): OpenApiResponse => {
    const op = operations.get(operationId);
    if (op === undefined) throw new Error(`The spec has no operation ${operationId}.`);
    return op.responses[String(status)] ?? op.responses.default ?? {};
  };

  return {
    validate(name, value) {
      if (!(name in doc.definitions)) throw new Error(`The spec has no definition ${name}.`);
      return run(compile(`def:${name}`, { $ref: `#/definitions/${name}` }), value);
    },
    validateResponse(operationId, status, body) {
      const response = responseOf(operationId, status);
      if (response.schema === undefined) {
        return body === undefined ? [] : [`${operationId} ${status} declares no body, but one was returned`];
      }
      if (body === undefined) return [`${operationId} ${status} declares a body, but none was returned`];
      return run(compile(`res:${operationId}:${status}`, response.schema), body);
    },
    validateRequest(operationId, body) {
      const op = operations.get(operationId);
      if (op === undefined) throw new Error(`The spec has no operation ${operationId}.`);
      const param = (op.parameters ?? []).find((p) => p.in === 'body');
      if (param?.schema === undefined) {
        return body === undefined ? [] : [`${operationId} declares no request body, but one was sent`];
      }
      if (body === undefined) return [`${operationId} declares a request body, but none was sent`];
      return run(compile(`req:${operationId}`, param.schema), body);
    },
    responseHeaders(operationId, status) {
      return Object.keys(responseOf(operationId, status).headers ?? {}).map((h) => h.toLowerCase());
    },
    operationIds: () => [...operations.keys()],
    examples() {
      const examples = join(dir, 'examples');
      if (!existsSync(examples)) return [];
      return readdirSync(examples)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(examples, f), 'utf8')) as Omit<SpecExample, 'file'>) }));
    },
  };
}
