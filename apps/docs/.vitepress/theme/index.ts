import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import BackendCheck from './components/BackendCheck.vue';
import PackageTable from './components/PackageTable.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('BackendCheck', BackendCheck);
    app.component('PackageTable', PackageTable);
  },
} satisfies Theme;
