/** Unit tests of the service: fast, no Hub, no network beyond 127.0.0.1. */

// Run in UTC+14 (no daylight saving), far from the machines' usual zones:
// anything that depends on the local time zone shows up as a failure.
// Jest workers inherit this; a test cannot change its own zone.
process.env.TZ = 'Pacific/Kiritimati';

module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.test.ts']
};
