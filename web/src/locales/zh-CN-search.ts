// Search (issue 13): the box in the top bar and the results page.
export default {
  search: {
    title: '搜索',
    placeholder: '搜索组织、问题、整改措施',
    hint: '多个词用空格分开（须同时出现）；用引号查找完整短语，如“违规发放津补贴”；词尾加 * 查找以其开头的词。繁体、全角和夹注拼音均可。',
    all: '全部',
    kinds: {
      finding: '问题',
      measure: '整改措施',
      org: '组织',
    },
    total: '共 {n} 条结果',
    empty: '没有找到匹配的记录',
    unit: '单位：{name}',
    date: '日期：{date}',
  },
}
