// A bulk source file that is not there is reported as missing, not as empty; a CSV's kind follows its header.
import '../../support/vscodeStubInstall';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testChain, withTempDir } from '../../support/attestation';
import { vscodeStub } from '../../support/vscodeStub';
import { readSource } from '../../../src/commands/bulkCommands';
import type * as vscode from 'vscode';

void describe('bulk source files', () => {
  void test('a missing CSV file: "The file … does not exist"', async () => {
    const workspace = vscodeStub.workspace as Record<string, unknown>;
    const before = workspace.fs;
    // What VS Code's file service throws for a path that is not there.
    workspace.fs = { stat: () => Promise.reject(vscodeStub.FileSystemError.FileNotFound('/work/devices.csv')), readFile: () => Promise.reject(new Error('not reached')) };
    try {
      const uri = { scheme: 'file', fsPath: '/work/devices.csv', path: '/work/devices.csv' } as unknown as vscode.Uri;
      await assert.rejects(readSource('csv', uri, 'create'), /^Error: The file \/work\/devices\.csv does not exist\.$/);
    } finally {
      workspace.fs = before;
    }
  });

  void test('a CSV with an enrollmentGroupId column is a source of groups, its certificate files read beside it', async () => {
    const chain = await testChain('ecdsa-p256', 'some-device');
    await withTempDir(async (dir) => {
      writeFileSync(join(dir, 'intermediate.pem'), chain.intermediate.certificatePem);
      writeFileSync(join(dir, 'groups.csv'), 'enrollmentGroupId,certificate,status\nfactory-a,intermediate.pem,enabled\nfactory-b,,disabled\n');
      writeFileSync(join(dir, 'devices.csv'), 'registrationId,status\ndev-1,enabled\n');
      const workspace = vscodeStub.workspace as Record<string, unknown>;
      const before = workspace.fs;
      workspace.fs = {
        stat: (uri: vscode.Uri) => Promise.resolve({ size: statSync(uri.fsPath).size }),
        readFile: (uri: vscode.Uri) => Promise.resolve(new Uint8Array(readFileSync(uri.fsPath))),
      };
      try {
        const uriOf = (name: string) => ({ scheme: 'file', fsPath: join(dir, name), path: join(dir, name) }) as unknown as vscode.Uri;
        const [groups] = await readSource('csv', uriOf('groups.csv'), 'update');
        assert.equal(groups.kind, 'group');
        assert.deepEqual(groups.rows.map((r) => [r.id, r.errors]), [['factory-a', []], ['factory-b', []]]);
        assert.deepEqual(groups.rows[0].item?.attestation, { type: 'x509', x509: { signingCertificates: { primary: { certificate: chain.intermediate.certificatePem } } } });
        // Same command, same source kind: an enrollment CSV stays one.
        const [devices] = await readSource('csv', uriOf('devices.csv'), 'update');
        assert.equal(devices.kind, 'enrollment');
      } finally {
        workspace.fs = before;
      }
    });
  });
});
