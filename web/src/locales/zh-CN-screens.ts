// 简体中文 UI text shared by the list screens: column settings, empty states, the operation log's action and
// object names. Merged into zh-CN.ts. vue-i18n message syntax: {name} interpolates; no bare `|`, `@`, `{` or `}`.
export default {
  table: {
    columns: '列设置',
    defaultColumns: '恢复默认',
  },
}
