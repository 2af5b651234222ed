// Last line of defence for the log: anything that looks like a key, a SAS token or a connection
// string is masked before it is written. Callers should never pass secrets in the first place.
// Patterns match token-shaped values only, so ordinary sentences about them stay readable; the
// URL-encoded forms are there because servers and proxies echo request URLs and headers encoded.

/** A value runs until a separator: whitespace, quotes, ';' or ',' (and '&' inside a query). */
const VALUE = `[^\\s"';,]+`;
/** 16 bytes or more as base64: the shape of a shared access key or an HMAC signature. */
const BASE64_SECRET = '[A-Za-z0-9+/]{22,}={0,2}';
/** The same, URL-encoded (+ / = as %2B %2F %3D). */
const ENCODED_BASE64_SECRET = '(?:[A-Za-z0-9]|%2[BbFf]|%3[Dd]){22,}';

const patterns: Array<[RegExp, string]> = [
  // A whole SAS token (it carries sig=), plain or URL-encoded; "SharedAccessSignature is not valid" is left alone.
  [new RegExp(`(SharedAccessSignature\\s+)sr=${VALUE}`, 'gi'), '$1***'],
  [/(SharedAccessSignature(?:%20|\+))sr%3D[^\s"';,]+/gi, '$1***'],
  [new RegExp(`(SharedAccessKey\\s*=\\s*)${VALUE}`, 'gi'), '$1***'],
  [/(SharedAccessKey%3D)[^\s"';,&]+/gi, '$1***'],
  // A bare signature in a query or a header, plain or encoded.
  [/(\bsig=)[^&\s"';,]+/gi, '$1***'],
  [/(\bsig%3D)(?:(?!%26)[^&\s"';,])+/gi, '$1***'],
  [/("(?:primaryKey|secondaryKey)"\s*:\s*")[^"]*/gi, '$1***'],
  [/(\b(?:primaryKey|secondaryKey)\s*[=:]\s*)[A-Za-z0-9+/=]{8,}/gi, '$1***'],
  // A base64 key or signature right after a word naming it: "key: abc…=", "sig abc…=", "\"key\":\"abc…=\"".
  [new RegExp(`(\\b(?:\\w*key|sig|signature)["']?\\s*[=:]?\\s*["']?)${BASE64_SECRET}`, 'gi'), '$1***'],
  [new RegExp(`(\\b(?:\\w*key|sig|signature)(?:%3[Dd]|%3[Aa]|%20)+)${ENCODED_BASE64_SECRET}`, 'gi'), '$1***'],
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
