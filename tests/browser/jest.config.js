/**
 * Browser tests: Debian's Chromium, driven by playwright-core, against a
 * real JupyterHub started by the tests. Slow by nature (real JupyterLab
 * servers on two cores), so the timeouts are long; run with --runInBand.
 */
module.exports = {
  rootDir: '../..',
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/browser'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 300000,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tests/tsconfig.json' }]
  }
};
