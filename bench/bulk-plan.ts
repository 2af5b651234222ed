// Benchmark: the command layer's own cost before anything is sent. Parses and validates a
// 10,000-row CSV (symmetric keys, TPM endorsement keys and tags, with 2% bad rows), plans the job
// and renders the dry-run document, then derives 10,000 device keys from a range pattern.
// Run: npx tsx bench/bulk-plan.ts [rows]
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { generateSymmetricKey } from '../src/attestation';
import { deviceKeyCsv, expandIdPattern, parseEnrollmentCsv, planBulk, renderPlanMarkdown } from '../src/bulk';

const ROWS = Number(process.argv[2] ?? 10_000);

/** A TPM2B_PUBLIC of an RSA-2048 storage key, laid out like the TCG EK template, as base64. */
function endorsementKey(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const modulus = Buffer.from(publicKey.export({ format: 'jwk' }).n ?? '', 'base64url');
  const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const sized = (d: Buffer) => Buffer.concat([u16(d.length), d]);
  const area = Buffer.concat([
    u16(0x0001), u16(0x000b), u32(0x000300b2), sized(Buffer.alloc(32, 0x83)),
    u16(0x0006), u16(128), u16(0x0043), u16(0x0010), u16(2048), u32(0), sized(modulus),
  ]);
  return sized(area).toString('base64');
}

function makeCsv(): string {
  const keys = Array.from({ length: 16 }, () => generateSymmetricKey());
  const eks = Array.from({ length: 4 }, endorsementKey);
  const lines = ['registrationId,attestationType,primaryKey,endorsementKey,deviceId,hub,status,tags'];
  for (let i = 0; i < ROWS; i++) {
    const id = i % 50 === 49 ? `bad id ${i}` : `bench-${String(i).padStart(5, '0')}`;
    const tpm = i % 4 === 0;
    lines.push([id, tpm ? 'tpm' : 'symmetricKey', tpm ? '' : keys[i % keys.length], tpm ? eks[i % eks.length] : '', `device-${i}`, 'hub.azure-devices.net', 'enabled', `"{""line"":""${i % 7}""}"`].join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

function time<T>(label: string, run: () => T): T {
  const started = performance.now();
  const result = run();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(38)} ${ms.toFixed(0).padStart(6)} ms  (${Math.round((ROWS / ms) * 1000).toLocaleString('en-US')} rows/s)`);
  return result;
}

const csv = makeCsv();
console.log(`bulk-plan: ${ROWS.toLocaleString('en-US')} CSV rows, ${(csv.length / 1048576).toFixed(1)} MB`);
const source = time('parse + validate CSV', () => parseEnrollmentCsv(csv, { mode: 'create', fileName: 'bench.csv' }));
const existing = new Set(Array.from({ length: ROWS / 10 }, (_, i) => `bench-${String(i * 10).padStart(5, '0')}`));
const plan = time('plan (with existing ids)', () => planBulk(source, 'create', existing));
time('render dry-run document', () => renderPlanMarkdown(plan));
const ids = time('expand range pattern', () => expandIdPattern(`dev-{1..${ROWS}}`));
time('derive device keys to CSV', () => deviceKeyCsv(generateSymmetricKey(), ids));
console.log(`plan: ${plan.planned.length} to send in ${plan.requests} requests, ${plan.invalid.length} invalid; counts ${JSON.stringify(plan.counts)}`);
console.log(`peak RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
