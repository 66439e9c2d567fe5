/** Tests are TypeScript, compiled by ts-jest; end-to-end tests run the built CLI from dist/. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/agent/**/*.test.ts', '<rootDir>/platforms/**/*.test.ts'],
  // The container and package tests run on their own: npm run test:containers (jest.containers.config.js),
  // npm run test:package (jest.package.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/containers/', '<rootDir>/test/package/'],
  // tsc copies package.json into dist/: without this jest sees two packages named hostpulse.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 60000,
  // Tests start real servers and processes; two workers fit a 2-core machine.
  maxWorkers: 2,
};
