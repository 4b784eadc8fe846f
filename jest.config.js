/** One run for unit (.spec), integration (.int.spec), e2e (.e2e.spec) and architecture tests. */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false }, keepClassNames: true, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline' }];

const swcEsm = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  // oauth4webapi ships ESM only: node >= 20.19 requires it natively at run time, but jest's CommonJS
  // runtime cannot, so its one file is compiled to CommonJS by the same swc transform.
  transform: { '^.+\\.ts$': swc, '/node_modules/oauth4webapi/.+\\.js$': swcEsm },
  transformIgnorePatterns: ['/node_modules/(?!oauth4webapi/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/{src,libs,test}/**/*.spec.ts'],
  moduleNameMapper: {
    '^@app/(.*)$': '<rootDir>/src/$1',
    '^@libs/(.*)$': '<rootDir>/libs/$1',
    '^@modules/(.*)$': '<rootDir>/src/modules/$1',
    '^@config/(.*)$': '<rootDir>/src/config/$1',
    '^@migrations/(.*)$': '<rootDir>/migrations/$1',
    '^@test/(.*)$': '<rootDir>/test/$1',
    '^@bench/(.*)$': '<rootDir>/bench/$1',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
};
