// Who is this device? Checks the credential of a device-API request and finds the enrollment it
// belongs to: a SAS token (symmetric key, derived group key, or a TPM's identity key), or the TLS
// client certificate chain (X.509). An individual enrollment with the registration id takes
// precedence over every group, as in DPS.
import type { X509Certificate } from 'node:crypto';
import type { EnrollmentGroup, IndividualEnrollment, X509Certificates } from '../../dps/models';
import { deriveDeviceKey } from '../../attestation/symmetricKey';
import { keyOf } from '../ids';
import { parseSasToken, safeDecode, signedWith, type SasToken } from '../sasVerifier';
import type { EmulatorStore } from '../store';
import type { CaCertificateStore } from './caStore';
import { chainLeadsTo, commonName, sha256Thumbprint, validityProblem } from './clientCertificateChain';
import { deviceUnauthorized } from './deviceErrors';
import type { TpmChallenges } from './tpmChallenge';

export type DeviceMechanism = 'symmetricKey' | 'x509' | 'tpm';

export interface AuthenticatedDevice {
  registrationId: string;
  mechanism: DeviceMechanism;
  enrollment: IndividualEnrollment | EnrollmentGroup;
  /** Set when the device belongs to a group. */
  enrollmentGroupId?: string;
  /** X.509: the leaf the device presented. */
  certificate?: X509Certificate;
}

export interface AuthContext {
  store: EmulatorStore;
  caStore: CaCertificateStore;
  tpm: TpmChallenges;
  idScope: string;
  now: Date;
  /** Reads a stored certificate (PEM or base64 DER); undefined when it is unreadable. */
  parse: (text: string) => X509Certificate | undefined;
}

function symmetricKeys(e: IndividualEnrollment | EnrollmentGroup): string[] {
  if (e.attestation.type !== 'symmetricKey') return [];
  const k = e.attestation.symmetricKey;
  return [k?.primaryKey, k?.secondaryKey].filter((x): x is string => typeof x === 'string' && x !== '');
}

function derivedSigns(token: SasToken, groupKey: string, registrationId: string): boolean {
  try {
    return signedWith(token, deriveDeviceKey(groupKey, registrationId));
  } catch {
    return false; // a stored group key that is not base64 signs nothing
  }
}

function bySas(ctx: AuthContext, registrationId: string, authorization: string): AuthenticatedDevice {
  const token = parseSasToken(authorization, false);
  if (safeDecode(token.sr).toLowerCase() !== `${ctx.idScope}/registrations/${registrationId}`.toLowerCase()) {
    throw deviceUnauthorized('The token resource (sr) must be {idScope}/registrations/{registrationId}.');
  }
  if (token.skn !== undefined && token.skn !== 'registration') throw deviceUnauthorized("The token's key name (skn) must be 'registration'.");
  if (token.se <= Math.floor(ctx.now.getTime() / 1000)) throw deviceUnauthorized('The SharedAccessSignature token has expired.');
  const individual = ctx.store.enrollments.get(registrationId);
  if (individual !== undefined) {
    if (individual.attestation.type === 'tpm') {
      const key = ctx.tpm.keyFor(registrationId, ctx.now.getTime());
      if (key !== undefined && signedWith(token, key)) return { registrationId, mechanism: 'tpm', enrollment: individual };
      throw deviceUnauthorized('The token is not signed with the key of the last TPM challenge; start again without Authorization to get one.');
    }
    if (symmetricKeys(individual).some((k) => signedWith(token, k))) {
      return { registrationId, mechanism: 'symmetricKey', enrollment: individual };
    }
    throw deviceUnauthorized(`The token is not signed with a key of enrollment '${registrationId}'.`);
  }
  // A device that registered before through a group is checked against that group first.
  const previous = ctx.store.getRegistration(registrationId)?.enrollmentGroupId;
  const groups = ctx.store.enrollmentGroups.list();
  const ordered = previous === undefined ? groups : [...groups].sort((a) => (keyOf(a.enrollmentGroupId) === keyOf(previous) ? -1 : 0));
  for (const g of ordered) {
    if (symmetricKeys(g).some((k) => derivedSigns(token, k, registrationId))) {
      return { registrationId, mechanism: 'symmetricKey', enrollment: g, enrollmentGroupId: g.enrollmentGroupId };
    }
  }
  throw deviceUnauthorized(`No enrollment or symmetric-key group accepts the token of '${registrationId}'.`);
}

function certificatesOf(set: X509Certificates | undefined, parse: (text: string) => X509Certificate | undefined): X509Certificate[] {
  return [set?.primary?.certificate, set?.secondary?.certificate]
    .filter((c): c is string => typeof c === 'string' && c !== '')
    .map(parse)
    .filter((c): c is X509Certificate => c !== undefined);
}

function byCertificate(ctx: AuthContext, registrationId: string, chain: X509Certificate[]): AuthenticatedDevice {
  const leaf = chain[0];
  const expired = validityProblem(leaf, ctx.now);
  if (expired !== undefined) throw deviceUnauthorized(`The device certificate is ${expired}.`);
  if (keyOf(commonName(leaf) ?? '') !== keyOf(registrationId)) {
    throw deviceUnauthorized(`The device certificate's common name must equal the registration id '${registrationId}'.`);
  }
  const individual = ctx.store.enrollments.get(registrationId);
  if (individual !== undefined) {
    const x509 = individual.attestation.type === 'x509' ? individual.attestation.x509 : undefined;
    const print = sha256Thumbprint(leaf);
    const enrolled = certificatesOf(x509?.clientCertificates, ctx.parse).map(sha256Thumbprint);
    const infoPrints = [x509?.clientCertificates?.primary?.info?.sha256Thumbprint, x509?.clientCertificates?.secondary?.info?.sha256Thumbprint]
      .filter((t): t is string => typeof t === 'string').map((t) => t.toUpperCase());
    if ([...enrolled, ...infoPrints].includes(print)) return { registrationId, mechanism: 'x509', enrollment: individual, certificate: leaf };
    throw deviceUnauthorized(`The device certificate is not the one enrolled for '${registrationId}'.`);
  }
  for (const g of ctx.store.enrollmentGroups.list()) {
    if (g.attestation.type !== 'x509') continue;
    const x509 = g.attestation.x509;
    const anchors = [
      ...certificatesOf(x509?.signingCertificates, ctx.parse),
      ...[x509?.caReferences?.primary, x509?.caReferences?.secondary]
        .filter((n): n is string => typeof n === 'string')
        .map((n) => ctx.caStore.verified(n))
        .filter((c): c is X509Certificate => c !== undefined),
    ];
    if (chainLeadsTo(chain, anchors, ctx.now)) {
      return { registrationId, mechanism: 'x509', enrollment: g, enrollmentGroupId: g.enrollmentGroupId, certificate: leaf };
    }
  }
  throw deviceUnauthorized(`No X.509 enrollment or group accepts the certificate chain of '${registrationId}' (check that it leads to the group's signing certificate or a verified CA).`);
}

/** Authenticates a request; throws a 401 EmulatorError naming what is wrong (never echoing a secret). */
export function authenticateDevice(
  ctx: AuthContext,
  registrationId: string,
  authorization: string | undefined,
  chain: X509Certificate[],
): AuthenticatedDevice {
  const auth = authorization?.trim() ?? '';
  if (auth !== '') return bySas(ctx, registrationId, auth);
  if (chain.length > 0) return byCertificate(ctx, registrationId, chain);
  throw deviceUnauthorized('No credential: send a SharedAccessSignature, a TLS client certificate, or a TPM endorsement key.');
}
