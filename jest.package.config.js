/**
 * `npm run test:package`: builds the executable and the .deb (deploy/package/build.sh) and
 * installs, upgrades and purges it in a bare Debian 12 root (test/package/). Apart from the
 * main suite: it needs root and debootstrap, and two package builds take minutes.
 */
const base = require('./jest.config');
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/package/**/*.test.ts'],
  testPathIgnorePatterns: [],
  maxWorkers: 1,
  testTimeout: 600000,
};
