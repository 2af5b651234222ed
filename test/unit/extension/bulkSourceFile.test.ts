// A bulk source file that is not there is reported as missing, not as empty.
import '../../support/vscodeStubInstall';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
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
});
