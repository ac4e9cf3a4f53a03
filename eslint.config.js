// The folder says which runtime a file may use; these rules keep each folder to its runtime.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'net', 'stream', 'url', 'zlib'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'native/build/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src-shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', '@tensorflow/*', ...nodeBuiltins], message: 'src-shared is pure TypeScript: no electron, node:* or tfjs.' }] },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', '@tensorflow/*', '**/src-main/**', ...nodeBuiltins], message: 'src-renderer is DOM + Svelte only; it reaches the main side through the API.' }] },
      ],
    },
  },
  {
    files: ['src-main/**', 'test/**', 'bench/**', 'scripts/**', 'bin/**', '*.config.*'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Only the thin Electron layer may import electron; services, engine and CLI run in plain Node.
    files: ['src-main/**'],
    ignores: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src-main/electron/ may import electron.' }] }],
    },
  },
);
