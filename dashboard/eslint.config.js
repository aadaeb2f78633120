// @ts-check
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Feature folders import one way: app -> features -> shared (lib, components).
// A feature reaches another feature or the app only through this rule's error.
const FEATURE_BOUNDARY = {
  patterns: [
    { group: ['@/app', '@/app/*'], message: 'features and shared code must not import the app' },
    { group: ['@/features/*', '../../*'], message: 'a feature imports only itself (relative) and shared code (@/lib, @/components)' },
  ],
};

const SHARED_BOUNDARY = {
  patterns: [
    { group: ['@/app', '@/app/*', '@/features', '@/features/*'], message: 'shared code must not import features or the app' },
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
  { files: ['src/features/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': ['error', FEATURE_BOUNDARY] } },
  { files: ['src/lib/**/*.{ts,tsx}', 'src/components/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': ['error', SHARED_BOUNDARY] } },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
