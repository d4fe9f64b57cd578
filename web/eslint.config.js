// ESLint (flat config): eslint-plugin-vue's recommended rules for Vue 3, typescript-eslint's
// recommended rules (through @vue/eslint-config-typescript, which also parses <script lang="ts">),
// and eslint-config-prettier last so that no formatting rule fights Prettier.
// `npm run lint` allows no warning (`--max-warnings 0`).
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import { defineConfigWithVueTs, vueTsConfigs } from '@vue/eslint-config-typescript'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

export default defineConfigWithVueTs(
  { ignores: ['dist/**', 'node_modules/**', 'src/api/schema.d.ts'] },
  { files: ['**/*.{js,mjs,ts,vue}'] },
  js.configs.recommended,
  pluginVue.configs['flat/recommended'],
  vueTsConfigs.recommended,
  {
    files: ['src/**/*.{ts,vue}', 'tests/**/*.ts'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    // The browser tests run under Node and hand callbacks to page.evaluate, which run in the page.
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // Route pages are named by their route (views/orgs/index.vue, views/rect/item.vue) and are only
    // reached through the router, never written as tags, so a one-word name clashes with no element.
    files: ['src/views/**/*.vue'],
    rules: { 'vue/multi-word-component-names': 'off' },
  },
  prettier,
)
