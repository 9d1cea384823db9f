// Lint for the TypeScript sources with type information (typescript-eslint's recommendedTypeChecked):
// `npm run lint`. Rules are the preset's; the few settings below say why they differ.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Build output, the addon build, generated VPP message tables (ts/vpp/gen/generate.ts writes them).
    ignores: ['dist/**', 'build/**', 'node_modules/**', 'ts/vpp/gen/messages.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The batch is columns of typed arrays (ts/codec/layout.ts): `batch.kind[i]` is a number that
      // holds a Kind member by construction, the decoders write nothing else. This rule would want a
      // cast on every column read compared with a const enum member (Kind, Attr, Meta, RowError,
      // StreamError), 50-odd places that would say nothing the layout does not. The other
      // no-unsafe-* rules stay on.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    // Tests read JSON (status replies, reports, simulator and VPP dumps) as `any` and assert its
    // shape themselves: a cast per access would restate what the assertion checks. The product
    // code (ts/, bench/) keeps these rules.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
