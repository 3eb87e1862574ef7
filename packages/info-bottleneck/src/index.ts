export { binnedMutualInformation } from './binned-mutual-information.js';
export type { BinnedMutualInformationOptions, MutualInformationPair } from './binned-mutual-information.js';
export { kdeMutualInformation } from './kde-mutual-information.js';
export type { KdeMutualInformation, KdeMutualInformationOptions } from './kde-mutual-information.js';
export { infoNCEBound } from './info-nce-bound.js';
export type { BoundOptions } from './info-nce-bound.js';
export { nwjBound } from './nwj-bound.js';
export { vibLoss } from './vib-loss.js';
export type { VibLossOptions, VibLossResult } from './vib-loss.js';
export { reparameterize } from './reparameterize.js';
export { InformationPlaneTracker } from './information-plane-tracker.js';
export type {
  InformationPlaneJSON,
  InformationPlaneRecord,
  InformationPlaneSeries,
  InformationPlaneTrackerOptions,
  TrackerEstimator,
} from './information-plane-tracker.js';
export type { InformationUnits } from './internal/validate.js';
export { informationPlaneExperiment, recordEpochs } from './information-plane-experiment.js';
export type {
  CompressionRow,
  ExperimentProgress,
  InformationPlaneExperimentOptions,
  InformationPlaneExperimentResult,
  InformationPlaneRun,
  InformationPlaneSummaryRow,
} from './information-plane-experiment.js';
export { vibExperiment } from './vib-experiment.js';
export type { VibExperimentOptions, VibExperimentResult, VibExperimentRow } from './vib-experiment.js';
export type { Activation } from './internal/mlp.js';
