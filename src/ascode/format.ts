// The desired-state file: what a DPS instance's enrollments and groups should be, written by people
// and kept in source control. It never holds a secret: certificates are named by file or thumbprint,
// symmetric keys by what to do with them or by the environment variable that holds them.
import { CERTIFICATE_POLICY_FIELDS } from '../dps/apiVersion';
import type { ItemKind } from '../dps/items';

export const DESIRED_STATE_VERSION = 1;
// Which file names are desired-state files is declared once, in package.json (jsonValidation,
// yamlValidation, languages): *.dps.json(c), *.dps.y(a)ml, dps-enrollments.json/.yaml/.yml.

/** True for a .yaml or .yml file name: read and written as YAML, anything else as JSON. */
export function isYamlFileName(fileName: string): boolean {
  return /\.ya?ml$/i.test(fileName);
}

/** Where an element starts in the file, 1-based, as editors show it. */
export interface FilePosition {
  line: number;
  column: number;
}

/** A certificate file (relative to the desired-state file's folder) or the thumbprint of one (SHA-1 or SHA-256 hex). */
export type CertificateReference = { file: string } | { thumbprint: string };

export interface EnvKeyReference {
  env: string;
}

/**
 * "generate": the service makes keys when it creates the item; an existing item keeps its keys.
 * "keep": the item must exist already, and keeps its keys.
 * { primary: {env}, secondary: {env} }: the keys are these values, read from the environment when planning and applying.
 */
export type KeysReference = 'generate' | 'keep' | { primary: EnvKeyReference; secondary: EnvKeyReference };

export type DesiredAttestation =
  | { type: 'none' }
  | { type: 'tpm'; endorsementKey: string; storageRootKey?: string }
  | { type: 'symmetricKey'; keys: KeysReference }
  | { type: 'x509'; certificate?: CertificateReference; secondaryCertificate?: CertificateReference; caReferences?: { primary: string; secondary?: string } };

/**
 * Item fields the file manages besides the id and the attestation, in the service's own shape. The
 * certificate-policy names (api-version 2026-11-01) are managed like the rest: a file planned over a
 * connection of an older version that names them is refused, naming the fields and the version.
 */
export const MANAGED_FIELDS: Readonly<Record<ItemKind, readonly string[]>> = {
  enrollment: [
    'deviceId', 'iotHubHostName', 'provisioningStatus', 'initialTwin', 'capabilities', 'reprovisionPolicy',
    'allocationPolicy', 'iotHubs', 'customAllocationDefinition', 'optionalDeviceInformation', ...CERTIFICATE_POLICY_FIELDS,
  ],
  group: [
    'iotHubHostName', 'provisioningStatus', 'initialTwin', 'capabilities', 'reprovisionPolicy',
    'allocationPolicy', 'iotHubs', 'customAllocationDefinition', ...CERTIFICATE_POLICY_FIELDS,
  ],
};

/** One item of the file, checked: its kind, id, attestation reference and managed fields. */
export interface DesiredItem {
  kind: ItemKind;
  id: string;
  attestation: DesiredAttestation;
  /** Managed fields as written (only those present). */
  fields: Record<string, unknown>;
  /** Where the item starts in the file. */
  position: FilePosition;
  /** Positions of the attestation's references, for errors found while resolving them. */
  referencePositions: Record<string, FilePosition>;
}

export interface DesiredState {
  /** The file's name as given (for messages). */
  fileName: string;
  /** Folder that certificate file references are relative to. */
  baseDir: string;
  items: DesiredItem[];
}

/** A problem with the file, at a position. */
export interface FileProblem {
  message: string;
  position: FilePosition;
}

export class DesiredStateError extends Error {
  constructor(
    readonly fileName: string,
    readonly problems: readonly FileProblem[],
  ) {
    super(problems.map((p) => `${fileName}:${p.position.line}:${p.position.column}: ${p.message}`).join('\n'));
    this.name = 'DesiredStateError';
  }
}
