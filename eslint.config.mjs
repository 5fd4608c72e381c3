// One ESLint configuration for the whole monorepo: typescript-eslint for
// every package, the Jupyter plugin's rules for the JupyterLab extension.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import jupyter from '@jupyter/eslint-plugin';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/lib/**',
      'packages/labextension/labextension/**',
      '.venv*/**',
      '.demo/**',
      '.test-runs/**',
      'test-artifacts/**',
      'bench/runs/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      eqeqeq: ['error', 'smart'],
      'no-console': 'error'
    }
  },
  // The Jupyter plugin's recommended rules, for the extension's sources and
  // its settings schema only.
  ...jupyter.configs.recommended.map(config =>
    config.rules
      ? {
          ...config,
          files: config.languageOptions
            ? ['packages/labextension/schema/*.json']
            : ['packages/labextension/src/**/*.ts']
        }
      : config
  ),
  {
    files: ['packages/labextension/src/**/*.ts'],
    rules: {
      // The extension reports real faults to the browser console.
      'no-console': ['error', { allow: ['error', 'warn'] }]
    }
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts', 'bench/**/*.ts', '**/testing/**'],
    rules: {
      // Test harnesses and benchmarks print progress on purpose.
      'no-console': 'off'
    }
  }
);
