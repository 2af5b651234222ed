// Flat config: type-aware rules for all TypeScript, plus the layering rule: only the files listed in
// `editorFiles` may import the editor API; everything else in src/ is plain Node (or browser) code
// that runs and is tested without VS Code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const editorFiles = [
  'src/extension.ts',
  'src/ui/**/*.ts',
  'src/commands/**/*.ts',
  'src/tree/treeProvider.ts',
  'src/documents/enrollmentFileSystem.ts',
  'src/enrollmentForm/enrollmentFormPanel.ts',
  'src/jobsView/jobsPanel.ts',
];

const noVscode = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'vscode', message: 'Only the files in eslint.config.mjs `editorFiles` may import vscode; keep this module plain so it runs in the CLI and in plain Node tests.' }],
  }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', 'media/dist/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/**/*.ts'], ignores: editorFiles, rules: noVscode },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
