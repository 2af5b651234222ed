// The Tpm interface over tpm2-tools (tpm2_createek, tpm2_createprimary, tpm2_activatecredential,
// tpm2_import, tpm2_load, tpm2_hmac), against the TPM a TCTI names (e.g.
// "swtpm:host=127.0.0.1,port=2321" for a software TPM). Keys are made persistent (EK 0x81010001,
// SRK 0x81000001, the DPS identity key 0x81000100 as the SDKs do) so each tool run finds them. The
// identity key lives in the TPM only; the inner wrap key passes through a 0600 temp file the tools
// need, deleted at once.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { splitAuthenticationKey, type Tpm } from './tpm';

const run = promisify(execFile);
const EK_HANDLE = '0x81010001';
const SRK_HANDLE = '0x81000001';
const ID_KEY_HANDLE = '0x81000100';
/** tpm2-tools' credential file: magic 0xBADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET. */
const CREDENTIAL_FILE_HEADER = Buffer.from('badcc0de00000001', 'hex');

export interface Tpm2ToolsOptions {
  /** TPM2TOOLS_TCTI value, e.g. swtpm:host=127.0.0.1,port=2321. */
  tcti: string;
  /** 'rsa' (RSA-2048, default) or 'ecc' (NIST P-256) endorsement key. */
  ekAlgorithm?: 'rsa' | 'ecc';
}

export class Tpm2ToolsTpm implements Tpm {
  private activated = false;
  private keys: Promise<{ ek: Buffer; srk: Buffer }> | undefined;

  constructor(private readonly options: Tpm2ToolsOptions) {}

  private async tool(name: string, args: string[]): Promise<void> {
    try {
      await run(name, args, { env: { ...process.env, TPM2TOOLS_TCTI: this.options.tcti }, timeout: 30_000 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-2).join(' ') ?? '';
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new Error(missing ? `${name} is not installed (install tpm2-tools).` : `${name} failed: ${stderr || (error as Error).message}`, { cause: error });
    }
  }

  private async withTemp<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'dps-tpm-'));
    try {
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Creates the EK and SRK once (persistent), and reads their public parts. */
  private ensureKeys(): Promise<{ ek: Buffer; srk: Buffer }> {
    this.keys ??= this.withTemp(async (dir) => {
      const ekPub = join(dir, 'ek.pub');
      const srkPub = join(dir, 'srk.pub');
      const existing = await this.tool('tpm2_readpublic', ['-Q', '-c', EK_HANDLE, '-o', ekPub]).then(() => true, () => false);
      if (!existing) {
        await this.tool('tpm2_createek', ['-Q', '-c', EK_HANDLE, '-G', this.options.ekAlgorithm ?? 'rsa', '-u', ekPub]);
        const srkCtx = join(dir, 'srk.ctx');
        await this.tool('tpm2_createprimary', ['-Q', '-C', 'o', '-g', 'sha256', '-G', 'rsa', '-c', srkCtx]);
        await this.tool('tpm2_evictcontrol', ['-Q', '-C', 'o', '-c', srkCtx, SRK_HANDLE]);
        await this.tool('tpm2_flushcontext', ['-t']);
      }
      await this.tool('tpm2_readpublic', ['-Q', '-c', SRK_HANDLE, '-o', srkPub]);
      return { ek: await readFile(ekPub), srk: await readFile(srkPub) };
    });
    return this.keys;
  }

  async getEndorsementKey(): Promise<Buffer> {
    return (await this.ensureKeys()).ek;
  }

  async getStorageRootKey(): Promise<Buffer> {
    return (await this.ensureKeys()).srk;
  }

  async activateCredential(authenticationKey: Buffer): Promise<void> {
    const parts = splitAuthenticationKey(authenticationKey);
    await this.ensureKeys();
    await this.withTemp(async (dir) => {
      const file = (name: string) => join(dir, name);
      await writeFile(file('credential.blob'), Buffer.concat([CREDENTIAL_FILE_HEADER, parts.credentialBlob, parts.encryptedSecret]), { mode: 0o600 });
      // The EK's policy needs PolicySecret(endorsement hierarchy) in a policy session.
      await this.tool('tpm2_startauthsession', ['--policy-session', '-S', file('session.ctx')]);
      try {
        await this.tool('tpm2_policysecret', ['-Q', '-S', file('session.ctx'), '-c', 'e']);
        await this.tool('tpm2_activatecredential', ['-Q', '-c', SRK_HANDLE, '-C', EK_HANDLE, '-i', file('credential.blob'), '-o', file('inner.key'), '-P', `session:${file('session.ctx')}`]);
      } finally {
        await this.tool('tpm2_flushcontext', [file('session.ctx')]).catch(() => undefined);
      }
      // The identity key: imported under the SRK (inner wrapper: the activated AES key), loaded, persisted.
      await writeFile(file('id.dup'), parts.duplicate, { mode: 0o600 });
      await writeFile(file('id.seed'), parts.encryptedSeed, { mode: 0o600 });
      await writeFile(file('id.pub'), parts.publicArea, { mode: 0o600 });
      await this.tool('tpm2_import', ['-Q', '-C', SRK_HANDLE, '-u', file('id.pub'), '-i', file('id.dup'), '-s', file('id.seed'), '-k', file('inner.key'), '-r', file('id.priv')]);
      await this.tool('tpm2_load', ['-Q', '-C', SRK_HANDLE, '-u', file('id.pub'), '-r', file('id.priv'), '-c', file('id.ctx')]);
      await this.tool('tpm2_evictcontrol', ['-Q', '-C', 'o', '-c', ID_KEY_HANDLE]).catch(() => undefined); // a previous registration's
      await this.tool('tpm2_evictcontrol', ['-Q', '-C', 'o', '-c', file('id.ctx'), ID_KEY_HANDLE]);
      await this.tool('tpm2_flushcontext', ['-t']).catch(() => undefined);
    });
    this.activated = true;
  }

  async sign(data: Buffer): Promise<Buffer> {
    if (!this.activated) throw new Error('The TPM has no identity key yet: run the DPS challenge first.');
    return this.withTemp(async (dir) => {
      await writeFile(join(dir, 'data'), data);
      await this.tool('tpm2_hmac', ['-Q', '-c', ID_KEY_HANDLE, '-g', 'sha256', '-o', join(dir, 'hmac'), join(dir, 'data')]);
      return readFile(join(dir, 'hmac'));
    });
  }
}
