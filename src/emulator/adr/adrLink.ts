// The Azure Device Registry namespace an emulator instance is linked to, with the certificate
// authorities and policies enrollments (api-version 2026-11-01) may reference. Name rules are the
// client's (src/dps/certificatePolicy.ts: the 2026-11-01 spec's patterns and lengths).
import { readFileSync } from 'node:fs';
import { certificatePolicyNameProblem as nameProblem } from '../../dps/certificatePolicy';

export interface AdrPolicyRef {
  certificateAuthority: string;
  policy: string;
}

export interface AdrLink {
  namespace: string;
  policies: AdrPolicyRef[];
}

export function findPolicy(link: AdrLink | undefined, ca: string, policy: string): AdrPolicyRef | undefined {
  // ADR resource names are case-insensitive, as ARM names are (inferred).
  return link?.policies.find((p) => p.certificateAuthority.toLowerCase() === ca.toLowerCase() && p.policy.toLowerCase() === policy.toLowerCase());
}

/** Checks a link given as options; throws RangeError naming the bad part. */
export function validateAdrLink(link: AdrLink): AdrLink {
  const ns = nameProblem('namespaceName', link.namespace);
  if (ns !== undefined) throw new RangeError(`ADR namespace: ${ns}`);
  if (!Array.isArray(link.policies)) throw new RangeError('ADR policies must be a list of {certificateAuthority, policy}.');
  for (const p of link.policies) {
    const problem = nameProblem('certificateAuthorityName', p?.certificateAuthority) ?? nameProblem('certificatePolicyName', p?.policy);
    if (problem !== undefined) throw new RangeError(`ADR policy: ${problem}`);
  }
  return { namespace: link.namespace, policies: link.policies.map((p) => ({ certificateAuthority: p.certificateAuthority, policy: p.policy })) };
}

/** `CA/POLICY` from the command line. */
export function parsePolicyArgument(text: string): AdrPolicyRef {
  const parts = text.split('/');
  if (parts.length !== 2) throw new RangeError(`--adr-policy takes CA/POLICY (e.g. ca1/device-certs); got '${text}'.`);
  return { certificateAuthority: parts[0], policy: parts[1] };
}

/** A JSON file {"namespace": "...", "policies": [{"certificateAuthority": "...", "policy": "..."}]}. */
export function readAdrLinkFile(file: string): AdrLink {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new RangeError(`Could not read the ADR link file ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new RangeError(`${file} must hold {"namespace": ..., "policies": [...]}.`);
  const record = parsed as Record<string, unknown>;
  return validateAdrLink({ namespace: record.namespace as string, policies: (record.policies ?? []) as AdrPolicyRef[] });
}
