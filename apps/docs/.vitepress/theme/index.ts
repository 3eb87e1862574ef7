import DefaultTheme from 'vitepress/theme';
import 'katex/dist/katex.min.css';
import type { Theme } from 'vitepress';
import BackendCheck from './components/BackendCheck.vue';
import PackageTable from './components/PackageTable.vue';
import ChartView from './components/ChartView.vue';
import DemoFrame from './components/DemoFrame.vue';
import MathBlock from './components/MathBlock.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('BackendCheck', BackendCheck);
    app.component('PackageTable', PackageTable);
    app.component('ChartView', ChartView);
    app.component('DemoFrame', DemoFrame);
    app.component('MathBlock', MathBlock);
  },
} satisfies Theme;
