// Where a save dialog opens: in the first workspace folder (or the home folder without one), never
// at "/", which is what a bare file name resolves to in VS Code and code-server.
import { homedir } from 'node:os';
import * as vscode from 'vscode';

export function defaultSaveUri(fileName: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, fileName) : vscode.Uri.file(`${homedir()}/${fileName}`);
}
