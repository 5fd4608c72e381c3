/**
 * Integration tests: a real JupyterHub with real JupyterLab servers, started
 * by the tests on free loopback ports. Run one file at a time: each starts
 * its own Hub, and these machines have two cores.
 */
module.exports = {
  rootDir: '..',
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/integration'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 180000,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tests/tsconfig.json' }]
  }
};
