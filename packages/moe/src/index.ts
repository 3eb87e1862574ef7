export { topKRouting } from './top-k-routing.js';
export type { TopKRoutingOptions, TopKRoutingResult } from './top-k-routing.js';
export { switchLoadBalancingLoss } from './switch-load-balancing-loss.js';
export type { SwitchLoadBalancingLossOptions } from './switch-load-balancing-loss.js';
export { squaredDeviationLoss } from './squared-deviation-loss.js';
export type { SquaredDeviationLossOptions } from './squared-deviation-loss.js';
export { routerZLoss } from './router-z-loss.js';
export type { RouterZLossOptions } from './router-z-loss.js';
export { expertLoad, summarizeCounts } from './expert-load.js';
export type { ExpertLoad, ExpertLoadOptions } from './expert-load.js';
export { MoELayer, SynchronousReadError, DEFAULT_BALANCE_COEFFICIENT, DEFAULT_Z_LOSS_COEFFICIENT } from './moe-layer.js';
export type { MoELayerOptions, MoEApplyOptions, MoEApplyResult, MoERouter, MoERouting, ExpertActivation } from './moe-layer.js';
export { moeCost, moeVsDense, MIXTRAL_8X7B } from './moe-cost.js';
export type { MoECostOptions, MoECost, MoEVsDense } from './moe-cost.js';
export { collapseExperiment, collapseTable, COLLAPSE_RUNS } from './collapse-experiment.js';
export type {
  CollapseExperimentOptions,
  CollapseExperimentResult,
  CollapseRun,
  CollapseRunName,
  CollapseRunSettings,
  CollapsePoint,
} from './collapse-experiment.js';
