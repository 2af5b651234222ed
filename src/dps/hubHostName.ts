// The one rule for IoT hub host names, used wherever they enter: the form, JSON documents, CSV and
// JSON sources. No imports: the form page bundles it too. A host name is dot-separated labels of
// letters, digits and inner hyphens (RFC 1123), with an optional port for a local hub.

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why `name` is not an IoT hub host name, or undefined when it is one. */
export function checkHubHostName(name: string): string | undefined {
  const shown = JSON.stringify(name);
  if (name.trim() === '') return 'An IoT hub host name is empty.';
  if (/\s/.test(name)) return `${shown} is not an IoT hub host name: it contains a space. Enter one host name such as my-hub.azure-devices.net.`;
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(name);
  const host = match?.[1] ?? name;
  const port = match?.[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `${shown} has port ${port}; a port is 1 to 65535.`;
  if (host.length > 253) return `${shown} is longer than 253 characters, the most a host name may have.`;
  const labels = host.split('.');
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    return `${shown} is not an IoT hub host name: ${bad === '' ? 'it has an empty part between dots' : `"${bad}" may hold only letters, digits and inner hyphens`}. Enter a host name such as my-hub.azure-devices.net.`;
  }
  if (labels.length < 2 && port === undefined) return `${shown} is not a full host name: add the domain, such as ${host}.azure-devices.net.`;
  return undefined;
}

/**
 * Splits the form's hub list: one host name per line, or separated by commas or semicolons. Spaces do
 * not separate, so "not a hub" stays one (refused) entry instead of becoming three.
 */
export function splitHubList(text: string): string[] {
  return text.split(/[\r\n,;]+/).map((h) => h.trim()).filter((h) => h.length > 0);
}

/** Every problem of a list of hub names, one sentence each. */
export function checkHubHostNames(names: readonly string[]): string[] {
  return names.flatMap((name) => {
    const problem = checkHubHostName(name);
    return problem === undefined ? [] : [problem];
  });
}

/** Problems of the hub fields of a service object (`iotHubHostName`, `iotHubs`) as written by someone. */
export function hubNameProblems(item: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const single = item.iotHubHostName;
  if (single !== undefined && single !== null) {
    if (typeof single !== 'string') problems.push('"iotHubHostName" must be a host name string.');
    else problems.push(...checkHubHostNames([single]).map((p) => `"iotHubHostName": ${p}`));
  }
  const list = item.iotHubs;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list) || list.some((h) => typeof h !== 'string')) problems.push('"iotHubs" must be a list of host name strings.');
    else problems.push(...checkHubHostNames(list as string[]).map((p) => `"iotHubs": ${p}`));
  }
  return problems;
}
