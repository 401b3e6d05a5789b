import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-artifacts/**', '.venv-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    // The plw-blas addon's loader is CommonJS, as Node loads a .node binding.
    files: ['native/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}', 'test/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The folder rules of ARCHITECTURE.md: shared code imports no other folder and no Node API.
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'child_process', 'os'],
              message: 'src-shared is pure: no Node APIs.',
            },
            {
              group: ['**/src-main/**', '**/src-worker/**', '**/src-renderer/**'],
              message: 'src-shared imports no other folder.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src-main/**', '**/src-renderer/**', 'electron'],
              message: 'src-worker may import src-shared only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**', 'src-main/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', '**/src-renderer/**', '**/src-worker/**'],
              message:
                'Only src-main/electron/ imports electron; only the CLI runs engine code in-process.',
            },
          ],
        },
      ],
    },
  },
  {
    // The Electron shell is the main process: no worker code (tfjs, loaders) in it, directly or
    // through the CLI's commands; it reads the catalogue of src-shared and starts workers.
    files: ['src-main/electron/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/src-renderer/**',
                '**/src-worker/**',
                '**/cli/commands/**',
                '**/cli/demo/base-model*',
              ],
              message:
                'No worker code in the main process: read src-shared/catalogue, run engine work in a worker.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', '**/src-renderer/**'],
              message: 'The CLI never imports electron.',
            },
          ],
        },
      ],
    },
  },
);
