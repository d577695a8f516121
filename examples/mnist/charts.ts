// The example draws its charts with tools/svg-chart.ts (shared with the benchmark). This
// re-export is only for test/mnist-small.test.ts, which is being rewritten elsewhere: delete
// it once that test imports lineChart from tools/svg-chart.ts.
export { lineChart } from '../../tools/svg-chart.js';
