// Last line of defence for the log: anything that looks like a key, a SAS token or a connection
// string is masked before it is written. Callers should never pass secrets in the first place.

const patterns: Array<[RegExp, string]> = [
  [/(SharedAccessKey\s*=\s*)[^;\s"']+/gi, '$1***'],
  [/(SharedAccessSignature\s+)[^\s"']+/gi, '$1***'],
  [/(\bsig=)[^&\s"']+/gi, '$1***'],
  [/("(?:primaryKey|secondaryKey)"\s*:\s*")[^"]*/gi, '$1***'],
  [/(\b(?:primaryKey|secondaryKey)\s*[=:]\s*)[A-Za-z0-9+/=]{8,}/gi, '$1***'],
];

/** Masks well-known secret shapes, plus any exact secret values the caller knows about. */
export function redact(text: string, knownSecrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 8) out = out.split(secret).join('***');
  }
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}
