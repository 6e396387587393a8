// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // test/consumers/ holds apps as `nest new` makes them, with their own tooling.
    ignores: [
      'node_modules/',
      'dist/',
      'dist-sample/',
      'coverage/',
      'bench/results/',
      'reports/',
      '.stryker-tmp/',
      'test/consumers/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  prettier,
);
