import DefaultTheme from 'vitepress/theme';
import 'katex/dist/katex.min.css';
import type { Theme } from 'vitepress';
import type { Component } from 'vue';
import BackendCheck from './components/BackendCheck.vue';
import PackageTable from './components/PackageTable.vue';
import ChartView from './components/ChartView.vue';
import DemoFrame from './components/DemoFrame.vue';
import MathBlock from './components/MathBlock.vue';
import QuestionView from './components/QuestionView.vue';
import ClaimsTable from './components/ClaimsTable.vue';

// One demo component per question: components/demos/Demo<N>.vue, registered by file name.
const demos = import.meta.glob<{ default: Component }>('./components/demos/*.vue', { eager: true });

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('BackendCheck', BackendCheck);
    app.component('PackageTable', PackageTable);
    app.component('ChartView', ChartView);
    app.component('DemoFrame', DemoFrame);
    app.component('MathBlock', MathBlock);
    app.component('QuestionView', QuestionView);
    app.component('ClaimsTable', ClaimsTable);
    for (const [path, mod] of Object.entries(demos)) {
      const name = /([^/]+)\.vue$/.exec(path)?.[1];
      if (name) app.component(name, mod.default);
    }
  },
} satisfies Theme;
