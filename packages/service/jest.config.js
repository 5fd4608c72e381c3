/** Unit tests of the service: fast, no Hub, no network beyond 127.0.0.1. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.test.ts']
};
