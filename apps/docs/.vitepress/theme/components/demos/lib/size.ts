/**
 * Demo sizes. Every demo has a default size (seconds on a laptop GPU or on wasm) and a tiny test size that
 * the browser tests select with the URL query `?demo-size=test`.
 */
export type DemoSize = 'default' | 'test';

/** The size the page asks for: `'test'` when the URL has `?demo-size=test`, else `'default'`. */
export function demoSize(): DemoSize {
  if (typeof location === 'undefined') return 'default';
  return new URLSearchParams(location.search).get('demo-size') === 'test' ? 'test' : 'default';
}

/** Picks the value for the page's size. */
export function bySize<T>(size: DemoSize, sizes: { default: T; test: T }): T {
  return sizes[size];
}
