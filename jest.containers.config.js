/**
 * `npm run test:containers`: the image, the compose fleet and the Kubernetes pod,
 * run for real with podman (test/containers/). One file at a time: each starts
 * several containers on a 2-core machine.
 */
const base = require('./jest.config');
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/containers/**/*.test.ts'],
  testPathIgnorePatterns: [],
  globalSetup: '<rootDir>/test/containers/global-setup.ts',
  maxWorkers: 1,
  testTimeout: 600000,
};
