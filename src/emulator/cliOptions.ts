// Command-line options of the emulator, parsed into EmulatorOptions (pure, so it is testable).
import { parseArgs } from 'node:util';
import { FAULT_KINDS, type FaultKind } from './faults';
import type { EmulatorOptions } from './server';
import { readCaCertificateFile } from './device/caStore';
import { isValidIdScope } from './device/idScope';
import { parsePolicyArgument, readAdrLinkFile, validateAdrLink } from './adr/adrLink';

export const HELP = `DPS Enrollments local emulator: a local Azure IoT Hub Device Provisioning Service (service API 2021-10-01 and 2026-11-01).

Usage: npm run emulator -- [options]      (or: node dist/emulator.js [options])

Options:
  --port N              HTTPS port (default 0 = any free port; pass a fixed one to keep the connection string stable)
  --bind ADDRESS        address to listen on (default 127.0.0.1)
  --http-port N         also serve plain HTTP on 127.0.0.1:N (loopback only; 0 = any free port)
  --data-dir DIR        folder for the CA/server certificate, the access key and the data file
                        (default ~/.dps-enrollments/emulator)
  --data-file FILE      where enrollments are saved (default DIR/emulator-data.json)
  --memory              keep data in memory only (nothing saved)
  --compact-after-kb N  fold the change journal (FILE.journal-N) into the data file once it holds N KB or
                        the data file's size, whichever is larger (default 65536)
  --seed demo|none      demo = add a small realistic data set when the store is empty (default none)
  --key-name NAME       shared access policy name (default provisioningserviceowner)
  --key BASE64          shared access key (default: generated once and kept in the data dir;
                        a key given here shows in the process list)
  --max-page-size N     largest query page (default 100)
  --quota N             allow N service operations per minute (sliding window); beyond it 429 + Retry-After
  --fault-rate R        inject a fault into a share R (0..1) of service operations
  --fault-kinds LIST    comma-separated from ${FAULT_KINDS.join(',')} (default 503)
  --fault-seed N        seed for repeatable fault sequences
  --fault-retry-after S Retry-After seconds on injected 429/503 (default 1)
  --fault-delay-ms MS   delay of an injected 'delay' fault (default 1000)
  --fault-apply-after   half of injected 500/reset faults happen after the request was applied
  --id-scope SCOPE      ID scope of the device API (default: derived from the key, e.g. 0ne1A2B3C4D)
  --ca-certificates F   JSON file [{name, certificate (PEM or base64 DER), isVerified}]: the verified CA
                        certificates enrollment groups' caReferences may name
  --adr-namespace NAME  link to this Azure Device Registry namespace (enables 2026-11-01 certificate policies)
  --adr-policy CA/POLICY  a certificate policy of that namespace enrollments may reference; repeat for more.
                        Device CSRs for such enrollments get a chain from an emulator-held root per CA
                        (generated on first use, in memory only: a restart gives new roots)
  --adr-file F          JSON file {"namespace": NAME, "policies": [{"certificateAuthority", "policy"}]}
                        instead of the two options above
  --device-retry-after S  Retry-After seconds the device API sends while assigning (default 1)
  --json                print exactly one JSON line {"url","connectionString","caCertificate","idScope"} on stdout
                        once listening; logs go to stderr
  --quiet               do not log each request
  -h, --help            show this help

Every change is answered only once it is on disk (a journal beside the data file), so it survives a crash.
Stop with Ctrl+C (SIGINT) or SIGTERM: in-flight requests finish and the journal is folded into the data file.
`;

export interface CliCommand {
  help: boolean;
  json: boolean;
  quiet: boolean;
  options: EmulatorOptions;
}

export class CliUsageError extends Error {}

function integer(name: string, value: string | undefined, min: number, max = 65535): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new CliUsageError(`--${name} must be a whole number from ${min} to ${max}; got '${value}'.`);
  }
  return Number(value);
}

export function parseCliArgs(argv: string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        bind: { type: 'string' },
        'http-port': { type: 'string' },
        'data-dir': { type: 'string' },
        'data-file': { type: 'string' },
        memory: { type: 'boolean' },
        'compact-after-kb': { type: 'string' },
        seed: { type: 'string' },
        'key-name': { type: 'string' },
        key: { type: 'string' },
        'max-page-size': { type: 'string' },
        quota: { type: 'string' },
        'fault-rate': { type: 'string' },
        'fault-kinds': { type: 'string' },
        'fault-seed': { type: 'string' },
        'fault-retry-after': { type: 'string' },
        'fault-delay-ms': { type: 'string' },
        'fault-apply-after': { type: 'boolean' },
        'id-scope': { type: 'string' },
        'ca-certificates': { type: 'string' },
        'device-retry-after': { type: 'string' },
        'adr-namespace': { type: 'string' },
        'adr-policy': { type: 'string', multiple: true },
        'adr-file': { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CliUsageError((error as Error).message, { cause: error });
  }
  const v = parsed.values;
  if (v.memory === true && v['data-file'] !== undefined) throw new CliUsageError('--memory and --data-file cannot be used together.');
  if (v.seed !== undefined && v.seed !== 'demo' && v.seed !== 'none') throw new CliUsageError(`--seed must be demo or none; got '${v.seed}'.`);

  const options: EmulatorOptions = {
    port: integer('port', v.port, 0),
    bindAddress: v.bind,
    httpPort: integer('http-port', v['http-port'], 0),
    dataDir: v['data-dir'],
    dataFile: v.memory === true ? null : v['data-file'],
    keyName: v['key-name'],
    key: v.key,
    seed: v.seed,
    maxPageSize: integer('max-page-size', v['max-page-size'], 1, 1000),
  };
  if (v['id-scope'] !== undefined && !isValidIdScope(v['id-scope'])) {
    throw new CliUsageError(`--id-scope must look like 0ne followed by 8 hex digits (e.g. 0ne1A2B3C4D); got '${v['id-scope']}'.`);
  }
  options.idScope = v['id-scope'];
  if (v['ca-certificates'] !== undefined) {
    try {
      options.caCertificates = readCaCertificateFile(v['ca-certificates']);
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
  }
  if (v['adr-file'] !== undefined && (v['adr-namespace'] !== undefined || v['adr-policy'] !== undefined)) {
    throw new CliUsageError('--adr-file cannot be combined with --adr-namespace or --adr-policy.');
  }
  if (v['adr-policy'] !== undefined && v['adr-namespace'] === undefined) throw new CliUsageError('--adr-policy needs --adr-namespace.');
  try {
    if (v['adr-file'] !== undefined) options.adr = readAdrLinkFile(v['adr-file']);
    else if (v['adr-namespace'] !== undefined) options.adr = validateAdrLink({ namespace: v['adr-namespace'], policies: (v['adr-policy'] ?? []).map(parsePolicyArgument) });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const retryAfter = integer('device-retry-after', v['device-retry-after'], 0, 60);
  if (retryAfter !== undefined) options.device = { retryAfterSeconds: retryAfter };
  const compactAfterKb = integer('compact-after-kb', v['compact-after-kb'], 1, 64 * 1024 * 1024);
  if (compactAfterKb !== undefined) options.compactAfterBytes = compactAfterKb * 1024;
  const quota = integer('quota', v.quota, 1, 10_000_000);
  if (quota !== undefined) options.quota = { operationsPerMinute: quota };

  const faultFlags = ['fault-kinds', 'fault-seed', 'fault-retry-after', 'fault-delay-ms', 'fault-apply-after'] as const;
  if (v['fault-rate'] === undefined && faultFlags.some((f) => v[f] !== undefined)) {
    throw new CliUsageError('Fault options need --fault-rate.');
  }
  if (v['fault-rate'] !== undefined) {
    const rate = Number(v['fault-rate']);
    if (!/^\d*\.?\d+$/.test(v['fault-rate']) || !(rate >= 0 && rate <= 1)) {
      throw new CliUsageError(`--fault-rate must be a number from 0 to 1; got '${v['fault-rate']}'.`);
    }
    const kinds = (v['fault-kinds'] ?? '503').split(',').map((k) => k.trim()).filter((k) => k !== '');
    const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
    if (kinds.length === 0 || unknown.length > 0) {
      throw new CliUsageError(`--fault-kinds takes ${FAULT_KINDS.join(', ')}; unknown: ${unknown.join(', ') || '(none given)'}.`);
    }
    options.faults = {
      rate,
      kinds: kinds as FaultKind[],
      seed: integer('fault-seed', v['fault-seed'], 0, 2 ** 32 - 1),
      retryAfterSeconds: integer('fault-retry-after', v['fault-retry-after'], 0, 3600),
      delayMs: integer('fault-delay-ms', v['fault-delay-ms'], 0, 600_000),
      applyAfterProcessing: v['fault-apply-after'] === true,
    };
  }
  for (const k of Object.keys(options) as Array<keyof EmulatorOptions>) {
    if (options[k] === undefined) delete options[k];
  }
  return { help: v.help === true, json: v.json === true, quiet: v.quiet === true, options };
}
