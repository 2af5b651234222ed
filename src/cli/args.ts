// Command-line arguments: one command, then its file and options. Node's own parseArgs, strict, so a
// misspelt option is an error with its name rather than silently ignored.
import { parseArgs } from 'node:util';
import { CliError } from './exitCodes';

export const COMMANDS = ['plan', 'apply', 'drift', 'export', 'import', 'derive-keys', 'provision-test-device'] as const;
export type CommandName = (typeof COMMANDS)[number];

const OPTIONS = {
  json: { type: 'boolean' },
  prune: { type: 'boolean' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ca: { type: 'string' },
  auth: { type: 'string', default: 'connection-string' },
  'operations-per-minute': { type: 'string' },
  out: { type: 'string' },
  plan: { type: 'string' },
  'group-key-env': { type: 'string' },
  ids: { type: 'string', multiple: true },
  'ids-file': { type: 'string' },
  'registration-id': { type: 'string' },
  group: { type: 'string' },
  'device-key-env': { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'passphrase-env': { type: 'string' },
  'id-scope': { type: 'string' },
  'global-endpoint': { type: 'string' },
  payload: { type: 'string' },
  host: { type: 'string' },
  mode: { type: 'string' },
  report: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'api-version': { type: 'string' },
} as const;

export interface CliArgs {
  command: CommandName | 'help';
  file?: string;
  json: boolean;
  prune: boolean;
  force: boolean;
  ca?: string;
  auth: string;
  operationsPerMinute: number;
  out?: string;
  plan?: string;
  groupKeyEnv?: string;
  ids: string[];
  idsFile?: string;
  registrationId?: string;
  group?: string;
  deviceKeyEnv?: string;
  cert?: string;
  key?: string;
  passphraseEnv?: string;
  idScope?: string;
  globalEndpoint?: string;
  payload?: string;
  host?: string;
  /** import: "create" or "update", checked by the command (src/cli/import.ts). */
  mode?: string;
  /** import: where the rows that did not end done are written. */
  report?: string;
  dryRun: boolean;
  /** --api-version as given; checked when connecting (src/cli/connect.ts), which also reads DPS_API_VERSION. */
  apiVersion?: string;
}

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error: unknown) {
    throw new CliError(`${error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '.') : 'bad arguments'} Run dps-enrollments --help for the options.`);
  }
  const { values, positionals } = parsed;
  const [command, file, ...extra] = positionals;
  if (values.help === true || command === undefined || command === 'help') return { ...defaults(), command: 'help' };
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new CliError(`Unknown command "${command}"; the commands are ${COMMANDS.join(', ')}.`);
  }
  if (extra.length > 0) throw new CliError(`Unexpected argument "${extra[0]}": ${command} takes one file.`);
  let operationsPerMinute = 1000;
  if (values['operations-per-minute'] !== undefined) {
    operationsPerMinute = Number(values['operations-per-minute']);
    if (!Number.isInteger(operationsPerMinute) || operationsPerMinute < 10 || operationsPerMinute > 10_000) {
      throw new CliError('--operations-per-minute must be a whole number from 10 to 10000 (DPS allows about 1,000 per minute per instance and unit).');
    }
  }
  return {
    command: command as CommandName,
    file,
    json: values.json === true,
    prune: values.prune === true,
    force: values.force === true,
    ca: values.ca,
    auth: values.auth ?? 'connection-string',
    operationsPerMinute,
    out: values.out,
    plan: values.plan,
    groupKeyEnv: values['group-key-env'],
    ids: values.ids ?? [],
    idsFile: values['ids-file'],
    registrationId: values['registration-id'],
    group: values.group,
    deviceKeyEnv: values['device-key-env'],
    cert: values.cert,
    key: values.key,
    passphraseEnv: values['passphrase-env'],
    idScope: values['id-scope'],
    globalEndpoint: values['global-endpoint'],
    payload: values.payload,
    host: values.host,
    mode: values.mode,
    report: values.report,
    dryRun: values['dry-run'] === true,
    apiVersion: values['api-version'],
  };
}

function defaults(): Omit<CliArgs, 'command'> {
  return { json: false, prune: false, force: false, auth: 'connection-string', operationsPerMinute: 1000, ids: [], dryRun: false };
}

export const HELP = `dps-enrollments: Azure IoT Hub DPS enrollments as code

Usage: dps-enrollments <command> [file] [options]

Commands
  plan FILE              Show what applying FILE would change (exit 2 if anything, 0 if nothing).
                           --prune        also delete items on the service that FILE does not name
                           --out PLAN     save the plan (JSON, no secrets) for "apply --plan"
  apply FILE             Plan, then apply it (creates, updates if the etag still matches, deletes with --prune).
  apply --plan PLAN      Apply a saved plan: an item changed since that plan is reported, not overwritten.
  drift FILE             Exit 2 if the service no longer matches FILE (with --prune: also items not in FILE).
                         Items on the service that FILE does not name are listed either way.
  export FILE            Write the service's enrollments and groups as a desired-state file (--force to overwrite).
  import FILE            Import an export file of the extension (dps-enrollments-export) or a JSON array
                         of enrollments or groups, of any size: a dry run, then the items in chunks.
                         If any item is invalid or repeats an id, nothing is sent: the first 20 are
                         listed, all are written to the report.
                           --mode create          (default) create; items that already exist fail
                           --mode update          create or update: updates are guarded by the etag read
                                                  in the dry run, and keep the keys when the file has none
                           --dry-run              count what each item would do and send nothing
                                                  (exit 1 if any item is invalid)
                           --report FILE          items that did not end done, one JSON object a line
                                                  (default NAME.import-report.jsonl in the current
                                                  folder, only when there are any; --force to overwrite)
  derive-keys            Device keys of a symmetric-key group, written as CSV to --out (mode 0600):
                           --group-key-env NAME   environment variable holding the group key
                           --ids PATTERN          ids or ranges, e.g. dev-{0001..0500} (repeatable)
                           --ids-file FILE        one id or pattern per line
  provision-test-device  Register a test device through the device API and show what DPS assigned
                         (exit 0 assigned, 1 not). Keys come from the environment, never arguments.
                           --registration-id ID   the device's registration id (required)
                           --group GROUP          a member of this enrollment group (default: the
                                                  individual enrollment ID)
                           credential, one of (default: the symmetric key read through the service,
                           derived for a group member; needs DPS_CONNECTION_STRING):
                           --device-key-env NAME  variable holding the device's symmetric key
                           --group-key-env NAME   variable holding the group key (device key derived)
                           --cert FILE --key FILE X.509 certificate (leaf first, chain may follow) and
                                                  key, PEM or DER; --passphrase-env NAME if encrypted
                           --id-scope SCOPE       e.g. 0ne00012345 (the emulator's is known)
                           --global-endpoint HOST default global.azure-devices-provisioning.net
                                                  (the emulator's host for an emulator)
                           --payload JSON|@FILE   data for a custom allocation webhook

Options
  --json                         machine-readable output on stdout
  --operations-per-minute N      pace requests under this budget (default 1000)
  --ca FILE                      trust this CA (the local emulator's); loopback hosts only
  --api-version VERSION          the service api-version: 2021-10-01 (default) or 2026-11-01, which
                                 adds certificate policies (namespaceName, certificateAuthorityName,
                                 certificatePolicyName); or DPS_API_VERSION
  --auth connection-string       (default) a shared access policy's connection string from
                                 DPS_CONNECTION_STRING
  --auth entra --host HOST       Microsoft Entra ID for the service HOST (or DPS_HOST_NAME): a token
                                 from DPS_ACCESS_TOKEN, else DefaultAzureCredential (AZURE_TENANT_ID,
                                 AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or a federated token file,
                                 a managed identity, or az login). Needs a DPS data-plane role.

Exit codes: 0 no changes / success, 2 changes planned or drift found, 1 error.
`;
