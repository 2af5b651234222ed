// The vscode side of settings: one reader, one change listener.
import * as vscode from 'vscode';
import { readSettings, SETTINGS_SECTION, type Settings, type SettingKey } from '../common/settings';

export class SettingsService implements vscode.Disposable {
  private current: Settings;
  private readonly emitter = new vscode.EventEmitter<Settings>();
  private readonly listener: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor() {
    this.current = SettingsService.read();
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS_SECTION)) {
        this.current = SettingsService.read();
        this.emitter.fire(this.current);
      }
    });
  }

  get value(): Settings {
    return this.current;
  }

  private static read(): Settings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    return readSettings((key: SettingKey) => config.get(key));
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}
