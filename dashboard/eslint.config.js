// @ts-check
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Feature folders import one way: app -> features -> shared (lib, components).
// A feature imports itself (relative), shared code, and another feature only through
// that feature's index.ts (`@/features/<name>`); never the app.
const APP_IMPORT = { group: ['@/app', '@/app/*', '../app', '../app/*'], message: 'only the entry point imports the app' };
const DEEP_FEATURE_IMPORT = {
  group: ['@/features/*/**', '../features/*/**'],
  message: 'import a feature through its index.ts (@/features/<name>) only',
};
const OTHER_FEATURE_RELATIVE = {
  group: ['../../*'],
  message: 'a feature imports only itself (relative), shared code (@/lib, @/components) and other features via @/features/<name>',
};

/** @param {{ group: string[]; message: string }[]} extra */
function featureBoundary(...extra) {
  return { patterns: [APP_IMPORT, DEEP_FEATURE_IMPORT, OTHER_FEATURE_RELATIVE, ...extra] };
}

const SHARED_BOUNDARY = {
  patterns: [
    {
      group: ['@/app', '@/app/*', '@/features', '@/features/*', '../app', '../app/*', '../features', '../features/*'],
      message: 'shared code must not import features or the app',
    },
  ],
};

export default defineConfig(
  globalIgnores(['dist', 'node_modules']),
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  { files: ['src/features/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': ['error', featureBoundary()] } },
  {
    // A feature's top-level files (index.ts) sit one level below features/: `../x` is another feature.
    files: ['src/features/*/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', featureBoundary({ group: ['../*'], message: 'import another feature via @/features/<name>' })],
    },
  },
  { files: ['src/app/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': ['error', { patterns: [DEEP_FEATURE_IMPORT] }] } },
  { files: ['src/lib/**/*.{ts,tsx}', 'src/components/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': ['error', SHARED_BOUNDARY] } },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
