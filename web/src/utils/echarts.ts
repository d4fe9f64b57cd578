// ECharts, tree-shaken and bundled (nothing from a CDN): only the charts and components the dashboard draws are
// registered. Import `VChart` from here so the registration runs before the first chart.
import { use } from 'echarts/core'
import { BarChart, GaugeChart } from 'echarts/charts'
import { GridComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import VChart from 'vue-echarts'

use([BarChart, GaugeChart, GridComponent, TooltipComponent, CanvasRenderer])

export { VChart }
