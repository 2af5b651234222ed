// Reads a desired-state file (JSON with comments and trailing commas, or YAML) into checked items. Every
// problem is collected with its line and column, so one run shows all of them; nothing is guessed.
import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { checkRegistrationId } from '../attestation';
import { previewFieldProblems } from '../dps/apiVersion';
import { CERTIFICATE_POLICY_FIELDS, certificatePolicyNameProblem } from '../dps/certificatePolicy';
import { checkHubHostName } from '../dps/hubHostName';
import { ITEM_KIND_FACTS, type ItemKind } from '../dps/items';
import {
  DESIRED_STATE_VERSION, DesiredStateError, MANAGED_FIELDS, isYamlFileName,
  type CertificateReference, type DesiredAttestation, type DesiredItem, type DesiredState, type FilePosition, type FileProblem, type KeysReference,
} from './format';
import { parseYamlTree } from './yamlTree';

const TOP_LEVEL = ['$schema', 'version', 'enrollments', 'enrollmentGroups'];
const SERVER_WRITTEN = ['etag', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc', 'registrationState'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const THUMBPRINT = /^(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$/;
const ATTESTATION_FIELDS: Record<DesiredAttestation['type'], string[]> = {
  none: ['type'],
  tpm: ['type', 'endorsementKey', 'storageRootKey'],
  symmetricKey: ['type', 'keys'],
  x509: ['type', 'certificate', 'secondaryCertificate', 'caReferences'],
};

/** Turns offsets into 1-based lines and columns. */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  at(offset: number): FilePosition {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.starts[low] + 1 };
  }
}

export interface ParseOptions {
  fileName: string;
  /** Folder that certificate file references are relative to. */
  baseDir: string;
}

export function parseDesiredState(text: string, options: ParseOptions): DesiredState {
  const lines = new LineIndex(text);
  const problems: FileProblem[] = [];
  const report = (node: Node | number, message: string) =>
    problems.push({ message, position: lines.at(typeof node === 'number' ? node : node.offset) });

  const yaml = isYamlFileName(options.fileName);
  const { root, syntax } = yaml ? yamlSyntaxTree(text) : jsonSyntaxTree(text);
  for (const error of syntax) report(error.offset, error.message);
  if (syntax.length > 0 || root === undefined) {
    if (root === undefined && syntax.length === 0) report(0, 'The file is empty: write an object with "version", "enrollments" and "enrollmentGroups".');
    throw new DesiredStateError(options.fileName, problems);
  }
  if (root.type !== 'object') {
    report(root, `The file must hold one ${yaml ? 'YAML mapping' : 'JSON object'} with "version", "enrollments" and "enrollmentGroups".`);
    throw new DesiredStateError(options.fileName, problems);
  }

  const members = propertiesOf(root);
  for (const [name, property] of members) {
    if (!TOP_LEVEL.includes(name)) report(property, `Unknown member "${name}"; a desired-state file has ${TOP_LEVEL.map((n) => `"${n}"`).join(', ')}.`);
  }
  const version = members.get('version')?.children?.[1];
  if (version === undefined) report(root, `"version" is missing: write "version": ${DESIRED_STATE_VERSION}.`);
  else if (getNodeValue(version) !== DESIRED_STATE_VERSION) {
    report(version, `"version" is ${JSON.stringify(getNodeValue(version))}; this release reads version ${DESIRED_STATE_VERSION}.`);
  }

  const items: DesiredItem[] = [];
  for (const kind of ['enrollment', 'group'] as const) {
    const collection = ITEM_KIND_FACTS[kind].collection;
    const list = members.get(collection)?.children?.[1];
    if (list === undefined) continue;
    if (list.type !== 'array') {
      report(list, `"${collection}" must be an array of ${ITEM_KIND_FACTS[kind].plural}.`);
      continue;
    }
    const seen = new Map<string, FilePosition>();
    for (const node of list.children ?? []) {
      const item = readItem(node, kind, report, lines, () => problems.length);
      if (item === undefined) continue;
      const key = item.id.toLowerCase(); // ids are case-insensitive in DPS
      const first = seen.get(key);
      if (first !== undefined) {
        report(node, `"${item.id}" is already listed at line ${first.line} (ids are case-insensitive); list each ${ITEM_KIND_FACTS[kind].singular} once.`);
        continue;
      }
      seen.set(key, item.position);
      items.push(item);
    }
  }
  if (problems.length > 0) throw new DesiredStateError(options.fileName, problems.sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column));
  return { fileName: options.fileName, baseDir: options.baseDir, items };
}

type SyntaxTree = { root?: Node; syntax: Array<{ offset: number; message: string }> };

function jsonSyntaxTree(text: string): SyntaxTree {
  const errors: ParseError[] = [];
  // A BOM is common in files from Windows editors; the parser would call it an invalid symbol.
  const bom = text.charCodeAt(0) === 0xfeff;
  const root = parseTree(bom ? ' ' + text.slice(1) : text, errors, { allowTrailingComma: true, disallowComments: false });
  return { root, syntax: errors.map((e) => ({ offset: e.offset, message: `JSON syntax: ${describeSyntaxError(printParseErrorCode(e.error))}.` })) };
}

function yamlSyntaxTree(text: string): SyntaxTree {
  const { root, errors } = parseYamlTree(text);
  return { root, syntax: errors.map((e) => ({ offset: e.offset, message: `YAML syntax: ${e.message}.` })) };
}

type Report = (node: Node | number, message: string) => void;

function readItem(node: Node, kind: ItemKind, report: Report, lines: LineIndex, problemsSoFar: () => number): DesiredItem | undefined {
  const facts = ITEM_KIND_FACTS[kind];
  if (node.type !== 'object') {
    report(node, `Each of "${facts.collection}" must be an object with "${facts.idField}" and "attestation".`);
    return undefined;
  }
  const members = propertiesOf(node);
  const before = problemsSoFar();
  const allowed = [facts.idField, 'attestation', ...MANAGED_FIELDS[kind]];
  for (const [name, property] of members) {
    if (allowed.includes(name)) continue;
    if (SERVER_WRITTEN.includes(name)) report(property, `"${name}" is written by the service; leave it out of a desired-state file.`);
    else report(property, previewFieldProblems({ [name]: true })[0] ?? `Unknown field "${name}" of ${facts.singular}; the fields are ${allowed.map((n) => `"${n}"`).join(', ')}.`);
  }
  const idNode = members.get(facts.idField)?.children?.[1];
  const id = idNode === undefined ? undefined : getNodeValue(idNode) as unknown;
  if (idNode === undefined) report(node, `"${facts.idField}" is missing.`);
  else if (typeof id !== 'string') report(idNode, `"${facts.idField}" must be a string.`);
  else {
    const label = kind === 'enrollment' ? 'The registration id' : 'The enrollment group id';
    for (const p of checkRegistrationId(id, { label })) report(idNode, p.message);
  }
  const referencePositions: Record<string, FilePosition> = {};
  const attestationNode = members.get('attestation')?.children?.[1];
  let attestation: DesiredAttestation | undefined;
  if (attestationNode === undefined) report(node, '"attestation" is missing: give its "type" ("x509", "symmetricKey", "tpm" or "none").');
  else attestation = readAttestation(attestationNode, kind, report, (name, n) => (referencePositions[name] = lines.at(n.offset)));

  const fields: Record<string, unknown> = {};
  for (const name of MANAGED_FIELDS[kind]) {
    const valueNode = members.get(name)?.children?.[1];
    if (valueNode === undefined) continue;
    const value = getNodeValue(valueNode) as unknown;
    const problem = fieldProblem(name, value);
    if (problem !== undefined) report(valueNode, problem);
    fields[name] = value;
  }
  const policyNamed = CERTIFICATE_POLICY_FIELDS.filter((f) => members.has(f));
  if (policyNamed.length > 0 && policyNamed.length < CERTIFICATE_POLICY_FIELDS.length) {
    const missing = CERTIFICATE_POLICY_FIELDS.filter((f) => !members.has(f));
    report(node, `${missing.map((f) => `"${f}"`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing: a certificate policy (Azure Device Registry) names all three of ${CERTIFICATE_POLICY_FIELDS.map((f) => `"${f}"`).join(', ')}, or none.`);
  }
  if (problemsSoFar() > before || typeof id !== 'string' || attestation === undefined) return undefined;
  return { kind, id, attestation, fields, position: lines.at(node.offset), referencePositions };
}

function readAttestation(node: Node, kind: ItemKind, report: Report, remember: (name: string, node: Node) => void): DesiredAttestation | undefined {
  if (node.type !== 'object') {
    report(node, '"attestation" must be an object with a "type".');
    return undefined;
  }
  const members = propertiesOf(node);
  const typeNode = members.get('type')?.children?.[1];
  const type = typeNode === undefined ? undefined : (getNodeValue(typeNode) as unknown);
  const allowedTypes = kind === 'enrollment' ? ['x509', 'symmetricKey', 'tpm', 'none'] : ['x509', 'symmetricKey'];
  if (typeof type !== 'string' || !allowedTypes.includes(type)) {
    const what = kind === 'enrollment' ? 'an individual enrollment' : 'an enrollment group';
    report(typeNode ?? node, `"attestation.type" of ${what} must be one of ${allowedTypes.map((t) => `"${t}"`).join(', ')}${type === undefined ? '' : `, not ${JSON.stringify(type)}`}.`);
    return undefined;
  }
  const t = type as DesiredAttestation['type'];
  let ok = true;
  const fail = (at: Node, message: string) => {
    ok = false;
    report(at, message);
  };
  for (const [name, property] of members) {
    if (ATTESTATION_FIELDS[t].includes(name)) continue;
    if (['symmetricKey', 'primaryKey', 'secondaryKey'].includes(name)) {
      fail(property, `Keys are never written in a desired-state file: use "keys": "generate", "keep", or {"primary": {"env": "NAME"}, "secondary": {"env": "NAME"}}.`);
    } else {
      fail(property, `"attestation.${name}" does not belong to a "${t}" attestation; it has ${ATTESTATION_FIELDS[t].map((n) => `"${n}"`).join(', ')}.`);
    }
  }
  const value = (name: string) => members.get(name)?.children?.[1];
  switch (t) {
    case 'none':
      return ok ? { type: 'none' } : undefined;
    case 'tpm': {
      const ek = value('endorsementKey');
      const srk = value('storageRootKey');
      if (ek === undefined || typeof getNodeValue(ek) !== 'string' || getNodeValue(ek) === '') fail(ek ?? node, '"attestation.endorsementKey" must be the TPM endorsement key (base64).');
      if (srk !== undefined && typeof getNodeValue(srk) !== 'string') fail(srk, '"attestation.storageRootKey" must be a base64 string.');
      if (!ok || ek === undefined) return undefined;
      return { type: 'tpm', endorsementKey: getNodeValue(ek) as string, ...(srk !== undefined ? { storageRootKey: getNodeValue(srk) as string } : {}) };
    }
    case 'symmetricKey': {
      const keysNode = value('keys');
      const keys = keysNode === undefined ? 'generate' : readKeys(keysNode, fail);
      if (keysNode !== undefined) remember('keys', keysNode);
      return ok && keys !== undefined ? { type: 'symmetricKey', keys } : undefined;
    }
    case 'x509': {
      const result: DesiredAttestation = { type: 'x509' };
      for (const name of ['certificate', 'secondaryCertificate'] as const) {
        const ref = value(name);
        if (ref === undefined) continue;
        remember(name, ref);
        const parsed = readCertificateReference(ref, name, fail);
        if (parsed !== undefined) result[name] = parsed;
      }
      const ca = value('caReferences');
      if (ca !== undefined) {
        const refs = getNodeValue(ca) as unknown;
        if (kind === 'enrollment') fail(ca, '"attestation.caReferences" is for enrollment groups; an individual enrollment names its device "certificate".');
        else if (!isRecord(refs) || typeof refs.primary !== 'string' || refs.primary === '' || (refs.secondary !== undefined && typeof refs.secondary !== 'string')
          || Object.keys(refs).some((k) => k !== 'primary' && k !== 'secondary')) {
          fail(ca, '"attestation.caReferences" must be {"primary": "<CA certificate name>", "secondary": "<name>"} (secondary optional).');
        } else result.caReferences = { primary: refs.primary, ...(typeof refs.secondary === 'string' ? { secondary: refs.secondary } : {}) };
        if (value('certificate') !== undefined) fail(ca, 'Give either "certificate" or "caReferences", not both.');
      } else if (value('certificate') === undefined) {
        fail(node, kind === 'enrollment'
          ? '"attestation.certificate" is missing: name the device certificate, e.g. {"file": "certs/device-01.pem"}.'
          : '"attestation.certificate" is missing: name the signing (root or intermediate) certificate, e.g. {"file": "certs/root.pem"}, or give "caReferences".');
      }
      return ok ? result : undefined;
    }
  }
}

function readKeys(node: Node, fail: (at: Node, message: string) => void): KeysReference | undefined {
  const value = getNodeValue(node) as unknown;
  if (value === 'generate' || value === 'keep') return value;
  const shape = '"keys" must be "generate", "keep", or {"primary": {"env": "NAME"}, "secondary": {"env": "NAME"}}';
  if (!isRecord(value)) {
    fail(node, typeof value === 'string' && value !== 'generate' && value !== 'keep'
      ? `${shape}. A key itself is never written in the file; put it in an environment variable and name that.`
      : `${shape}.`);
    return undefined;
  }
  const members = propertiesOf(node);
  for (const [name, property] of members) if (name !== 'primary' && name !== 'secondary') fail(property, `${shape}; "${name}" is not one of them.`);
  const refs: Partial<Record<'primary' | 'secondary', { env: string }>> = {};
  for (const slot of ['primary', 'secondary'] as const) {
    const refNode = members.get(slot)?.children?.[1];
    const ref = refNode === undefined ? undefined : (getNodeValue(refNode) as unknown);
    if (refNode === undefined) fail(node, `"keys.${slot}" is missing: DPS needs both keys, e.g. {"env": "DEV01_${slot.toUpperCase()}_KEY"}.`);
    else if (!isRecord(ref) || typeof ref.env !== 'string' || Object.keys(ref).length !== 1) {
      fail(refNode, `"keys.${slot}" must be {"env": "NAME"}: the name of an environment variable that holds the base64 key (never the key itself).`);
    } else if (!ENV_NAME.test(ref.env)) fail(refNode, `"${ref.env}" is not an environment variable name (letters, digits and _, not starting with a digit).`);
    else refs[slot] = { env: ref.env };
  }
  return refs.primary !== undefined && refs.secondary !== undefined ? { primary: refs.primary, secondary: refs.secondary } : undefined;
}

function readCertificateReference(node: Node, name: string, fail: (at: Node, message: string) => void): CertificateReference | undefined {
  const value = getNodeValue(node) as unknown;
  const shape = `"attestation.${name}" must be {"file": "path/relative/to/this/file.pem"} or {"thumbprint": "<SHA-1 or SHA-256 hex>"}`;
  if (!isRecord(value) || Object.keys(value).length !== 1) {
    fail(node, typeof value === 'string' && value.includes('BEGIN') ? `${shape}; a certificate is referenced by its file, not pasted in.` : `${shape}.`);
    return undefined;
  }
  if (typeof value.file === 'string' && value.file.trim() !== '') return { file: value.file };
  if (typeof value.thumbprint === 'string') {
    const thumbprint = value.thumbprint.replace(/:/g, '');
    if (THUMBPRINT.test(thumbprint)) return { thumbprint: thumbprint.toUpperCase() };
    fail(node, `"attestation.${name}.thumbprint" must be 40 (SHA-1) or 64 (SHA-256) hex digits.`);
    return undefined;
  }
  fail(node, `${shape}.`);
  return undefined;
}

const STATUSES = ['enabled', 'disabled'];
const POLICIES = ['hashed', 'geoLatency', 'static', 'custom'];

/** Light checks of the service-shaped fields; the service checks the rest and says so per item. */
function fieldProblem(name: string, value: unknown): string | undefined {
  switch (name) {
    case 'deviceId':
      return typeof value === 'string' ? undefined : '"deviceId" must be a string.';
    case 'iotHubHostName':
      return typeof value === 'string' ? checkHubHostName(value) : '"iotHubHostName" must be a string.';
    case 'namespaceName':
    case 'certificateAuthorityName':
    case 'certificatePolicyName':
      return certificatePolicyNameProblem(name, value);
    case 'provisioningStatus':
      return typeof value === 'string' && STATUSES.includes(value) ? undefined : `"provisioningStatus" must be "enabled" or "disabled", not ${JSON.stringify(value)}.`;
    case 'allocationPolicy':
      return typeof value === 'string' && POLICIES.includes(value) ? undefined : `"allocationPolicy" must be one of ${POLICIES.map((p) => `"${p}"`).join(', ')}, not ${JSON.stringify(value)}.`;
    case 'iotHubs':
      return Array.isArray(value) && value.every((h) => typeof h === 'string')
        ? value.map((h: string) => checkHubHostName(h)).find((p) => p !== undefined)
        : '"iotHubs" must be an array of IoT hub host names.';
    case 'capabilities':
      return isRecord(value) && typeof value.iotEdge === 'boolean' ? undefined : '"capabilities" must be {"iotEdge": true|false}.';
    case 'reprovisionPolicy':
      return isRecord(value) && typeof value.updateHubAssignment === 'boolean' && typeof value.migrateDeviceData === 'boolean'
        ? undefined : '"reprovisionPolicy" must be {"updateHubAssignment": true|false, "migrateDeviceData": true|false}.';
    case 'customAllocationDefinition':
      return isRecord(value) && typeof value.webhookUrl === 'string' && typeof value.apiVersion === 'string'
        ? undefined : '"customAllocationDefinition" must be {"webhookUrl": "https://…", "apiVersion": "…"}.';
    default:
      return isRecord(value) ? undefined : `"${name}" must be an object.`;
  }
}

function propertiesOf(node: Node): Map<string, Node> {
  const members = new Map<string, Node>();
  for (const property of node.children ?? []) {
    const key = property.children?.[0];
    if (key !== undefined && typeof key.value === 'string') members.set(key.value, property);
  }
  return members;
}

function describeSyntaxError(code: string): string {
  // printParseErrorCode gives names like "CommaExpected"; a sentence reads better.
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
