// Import this first in a test file: it makes `require('vscode')` return the stub before any UI
// module is loaded (imports run in order).
import { installVscodeStub } from './vscodeStub';

installVscodeStub();
