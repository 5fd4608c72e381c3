/**
 * Unit tests of the extension, in a simulated DOM.
 *
 * JupyterLab and Lumino ship ES modules, so ts-jest compiles those packages
 * (and the few they import that are ESM too) to CommonJS like our sources.
 */
const esmPackages = [
  '@jupyterlab',
  '@jupyter',
  '@lumino',
  '@codemirror',
  '@lezer',
  '@marijn',
  '@microsoft',
  'exenv-es6',
  '@rjsf',
  'lib0',
  'y-protocols',
  'yjs',
  'style-mod',
  'w3c-keyname',
  'crelt',
  'nanoid',
  'vscode-jsonrpc',
  'vscode-languageserver-protocol',
  'react-toastify',
  'color'
];

module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]sx?$': [
      'ts-jest',
      { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }
    ]
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: {
    '\\.(css|svg)$': '<rootDir>/testing/file-stub.js'
  },
  setupFiles: ['<rootDir>/testing/jsdom-setup.js']
};
