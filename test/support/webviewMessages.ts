// Host messages for the form's tests, built from the protocol's own defaults.
import { emptyDraft, type CertificateSummary, type FormDraft, type InitMessage } from '../../src/enrollmentForm/protocol';
import type { ItemKind } from '../../src/dps/items';

export function certificateSummary(overrides: Partial<CertificateSummary> = {}): CertificateSummary {
  return {
    label: 'certs/device-01.pem',
    subject: 'CN=device-01, O=Contoso',
    commonName: 'device-01',
    issuer: 'CN=DPS Test Intermediate CA',
    serialNumber: '01AB',
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    isCa: false,
    selfSigned: false,
    sha1Thumbprint: 'A'.repeat(40),
    sha256Thumbprint: 'B'.repeat(64),
    keyDescription: 'ECDSA P-256',
    ...overrides,
  };
}

export function initMessage(kind: ItemKind = 'enrollment', overrides: Partial<InitMessage> = {}, draft: Partial<FormDraft> = {}): InitMessage {
  return {
    type: 'init',
    mode: 'create',
    kind,
    connectionLabel: 'contoso-dps.azure-devices-provisioning.net',
    apiVersion: '2021-10-01',
    draft: { ...emptyDraft(kind), ...draft },
    restored: false,
    existingCertificates: [],
    hasStoredSymmetricKeys: false,
    certificateFiles: [
      { fileId: 'file-1', label: 'certs/device-01.pem' },
      { fileId: 'file-2', label: 'certs/root-ca.pem' },
    ],
    problems: [],
    chosenCertificates: [],
    ...overrides,
  };
}
