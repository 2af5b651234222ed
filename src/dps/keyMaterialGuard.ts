// Last line of defence for request bodies: no operation of the service API takes a private key,
// so a body that holds one is a bug upstream (a certificate file that also held its key). The
// request is refused before it leaves the process; the message names the problem, never the key.

const KEY_MARKER = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|Proc-Type:\s*4,\s*ENCRYPTED/;

export class KeyMaterialError extends Error {
  override readonly name = 'KeyMaterialError';
  constructor(operation: string) {
    super(`${operation} was not sent: the request holds a private key. Only certificates go to the service; keep the key on the device.`);
  }
}

/** True when the serialised body holds a PEM private key (PKCS#8, RSA, EC, encrypted or legacy-encrypted). */
export function holdsPrivateKey(serialisedBody: string): boolean {
  return KEY_MARKER.test(serialisedBody);
}
