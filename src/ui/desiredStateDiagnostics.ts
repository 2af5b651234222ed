// Problems-panel diagnostics for YAML desired-state files. VS Code validates JSON ones with the
// contributed schema, but not YAML without another extension, so the file's own checker (the one
// plan and the CLI use) reports each problem where it is, as the file is edited.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';

const YAML_DESIRED_STATE = /(\.dps\.ya?ml|(^|[\\/])dps-enrollments\.ya?ml)$/i;

export function registerDesiredStateDiagnostics(): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('dps-desired-state');
  const check = (document: vscode.TextDocument): void => {
    if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return;
    if (!YAML_DESIRED_STATE.test(document.fileName)) return;
    const version = document.version;
    void diagnosticsOf(document).then((diagnostics) => {
      // A later edit's check owns the result; a closed document keeps none.
      if (document.version === version && !document.isClosed) collection.set(document.uri, diagnostics);
    });
  };
  vscode.workspace.textDocuments.forEach(check);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((e) => check(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
  );
}

async function diagnosticsOf(document: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
  // The desired-state library (and its YAML parser) loads with the first such file, not at activation.
  const { DesiredStateError, parseDesiredState } = await import('../ascode/index.js');
  try {
    parseDesiredState(document.getText(), { fileName: basename(document.fileName), baseDir: dirname(document.fileName) });
    return [];
  } catch (error) {
    if (!(error instanceof DesiredStateError)) throw error;
    return error.problems.map((p) => {
      const start = new vscode.Position(Math.max(0, p.position.line - 1), Math.max(0, p.position.column - 1));
      // Underline the word (or the rest of the line) where the problem starts.
      const range = document.getWordRangeAtPosition(start, /[^\s,:{}[\]]+/) ?? new vscode.Range(start, document.lineAt(start.line).range.end);
      const diagnostic = new vscode.Diagnostic(range, p.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'DPS desired state';
      return diagnostic;
    });
  }
}
