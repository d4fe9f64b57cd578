// The 领导驾驶舱's chart options, built from the server's figures (pure functions, so the unit tests read them).
// Each bar carries the link of the list it counts; a click on a bar opens that list (or drills into a child).

/** One bar: its label, value, and what a click does (the list it counts; a child's drill-down). */
export interface Bar {
  label: string
  value: number
  link?: string | null
  drill?: number | null
}

/** A gauge of a rate (percent, 0–100) with its name. */
export function gaugeOption(rate: number, name: string) {
  return {
    series: [
      {
        type: 'gauge',
        min: 0,
        max: 100,
        progress: { show: true, width: 14 },
        axisLine: { lineStyle: { width: 14 } },
        splitLine: { show: false },
        axisTick: { show: false },
        axisLabel: { show: false },
        pointer: { show: false },
        detail: { valueAnimation: false, formatter: '{value}%', fontSize: 24, offsetCenter: [0, '10%'] },
        title: { offsetCenter: [0, '45%'] },
        data: [{ value: rate, name }],
      },
    ],
  }
}

/** Horizontal bars (long labels read on a phone), largest first as given. */
export function barOption(bars: readonly Bar[], color = '#409eff') {
  const shown = [...bars].reverse()
  return {
    tooltip: { trigger: 'item' },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: {
      type: 'category',
      data: shown.map((b) => b.label),
      axisLabel: { width: 110, overflow: 'truncate' },
    },
    series: [{ type: 'bar', data: shown.map((b) => b.value), itemStyle: { color }, barMaxWidth: 22 }],
  }
}

/** The bar a chart click (its `dataIndex`) names in `bars` as given to `barOption` (drawn reversed). */
export function barAt(bars: readonly Bar[], dataIndex: number): Bar | undefined {
  return bars[bars.length - 1 - dataIndex]
}

/** A chart's height: room for each bar, within bounds. */
export function barHeight(count: number): string {
  return `${Math.min(Math.max(count * 30 + 40, 160), 520)}px`
}
