// CA certificates the emulated DPS instance knows, by name, and whether their proof of possession
// was verified: what an enrollment group's `caReferences` point at. Seeded from options or a file
// for now; a later ARM surface (certificates of Microsoft.Devices/provisioningServices) can fill it.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface CaCertificateEntry {
  name: string;
  certificate: X509Certificate;
  isVerified: boolean;
}

export interface CaCertificateInput {
  name: string;
  /** PEM or base64 DER. */
  certificate: string;
  isVerified?: boolean;
}

export class CaCertificateStore {
  private readonly entries = new Map<string, CaCertificateEntry>();

  /**
   * `verifiedElsewhere` finds CAs verified by proof of possession over the emulator's ARM paths, so a
   * group's caReferences can name a CA uploaded and verified the way users do it on Azure.
   */
  constructor(
    initial: readonly CaCertificateInput[] = [],
    private readonly verifiedElsewhere: (name: string) => X509Certificate | undefined = () => undefined,
  ) {
    for (const entry of initial) this.put(entry);
  }

  /** Adds or replaces one CA; throws a message naming the entry when the certificate is unreadable. */
  put(input: CaCertificateInput): CaCertificateEntry {
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(input.name)) throw new Error(`CA certificate name '${input.name}' may use letters, digits, '-', '.' and '_' only.`);
    let certificate: X509Certificate;
    try {
      const text = input.certificate.trim();
      certificate = new X509Certificate(text.includes('-----BEGIN') ? text : Buffer.from(text, 'base64'));
    } catch {
      throw new Error(`CA certificate '${input.name}' is not a PEM or base64 DER certificate.`);
    }
    if (!certificate.ca) throw new Error(`CA certificate '${input.name}' is not a CA certificate (basic constraints CA:false).`);
    const entry = { name: input.name, certificate, isVerified: input.isVerified ?? true };
    this.entries.set(input.name.toLowerCase(), entry);
    return entry;
  }

  get(name: string): CaCertificateEntry | undefined {
    return this.entries.get(name.toLowerCase());
  }

  /** The certificate of a verified CA, or undefined when the name is unknown or not verified. */
  verified(name: string): X509Certificate | undefined {
    const entry = this.get(name);
    if (entry !== undefined) return entry.isVerified ? entry.certificate : undefined;
    return this.verifiedElsewhere(name);
  }

  list(): CaCertificateEntry[] {
    return [...this.entries.values()];
  }
}

/** Reads a JSON array of {name, certificate, isVerified?} (certificate: PEM or base64 DER). */
export function readCaCertificateFile(path: string): CaCertificateInput[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`CA certificate file ${path} is not readable JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!Array.isArray(data)) throw new Error(`CA certificate file ${path} must hold a JSON array of {name, certificate, isVerified}.`);
  return data.map((item: unknown, i) => {
    const o = item as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || typeof o.certificate !== 'string'
      || (o.isVerified !== undefined && typeof o.isVerified !== 'boolean')) {
      throw new Error(`CA certificate file ${path}: item ${i} needs a string name and certificate (and a boolean isVerified if given).`);
    }
    return { name: o.name, certificate: o.certificate, isVerified: o.isVerified };
  });
}
