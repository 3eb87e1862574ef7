// Installed-tarball check: the published types, under moduleResolution node16 and bundler.
import { mean, quantile, variance, type QuantileMethod, type VarianceOptions } from '@prep/stats';

const method: QuantileMethod = 'midpoint';
const options: VarianceOptions = { ddof: 0 };
export const checks: number[] = [mean([1, 2]), quantile([1, 2], 0.5, { method }), variance([1, 2], options)];
// @ts-expect-error: 'cubic' is not a quantile method
quantile([1, 2], 0.5, { method: 'cubic' });
