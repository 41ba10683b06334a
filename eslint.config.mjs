// ESLint flat config: TypeScript rules plus Pulumi's own plugin, which catches
// Outputs interpolated into template strings (they render as "Calling [toString]...").
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import { boundaries } from "./eslint.boundaries.mjs";

export default tseslint.config(
  { ignores: ["node_modules/**", "bin/**", "coverage/**", "reports/**"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts"],
    plugins: { "@pulumi": pulumi },
    languageOptions: {
      parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
  {
    // Tests, policy rules and the offline engine read resource properties, which are untyped by nature.
    files: ["test/**/*.ts", "policies/**/*.ts", "scripts/lib/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Plain CommonJS tooling (loaded by node directly, like the Pulumi runtime loads the entry).
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  ...boundaries,
);
