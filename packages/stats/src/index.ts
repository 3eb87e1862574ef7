export { mean } from './mean.js';
export { variance, standardDeviation } from './variance.js';
export type { VarianceOptions } from './variance.js';
export { RunningMoments } from './running-moments.js';
export { quantile, median } from './quantile.js';
export type { QuantileMethod } from './quantile.js';
