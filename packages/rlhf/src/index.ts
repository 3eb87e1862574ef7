export { bradleyTerryLoss } from './bradley-terry-loss.js';
export type { BradleyTerryLossOptions } from './bradley-terry-loss.js';
export { klEstimate, KL_ESTIMATORS } from './kl-estimate.js';
export type { KLEstimator } from './kl-estimate.js';
export { klPenalizedRewards } from './kl-penalized-rewards.js';
export type { KLPenalizedRewardsOptions } from './kl-penalized-rewards.js';
export { gae } from './gae.js';
export type { GAEOptions, GAEResult } from './gae.js';
export { ppoPolicyLoss } from './ppo-policy-loss.js';
export type { PPOPolicyLossOptions, PPOPolicyLossResult } from './ppo-policy-loss.js';
export { ppoValueLoss } from './ppo-value-loss.js';
export type { PPOValueLossOptions } from './ppo-value-loss.js';
export { whiten } from './whiten.js';
export type { WhitenOptions } from './whiten.js';
export { FixedKLController, AdaptiveKLController } from './kl-controller.js';
export type { KLController, AdaptiveKLControllerOptions } from './kl-controller.js';
export { dpoLoss } from './dpo-loss.js';
export type { DPOLossOptions, DPOLossResult, DPOLossType } from './dpo-loss.js';
export { klRegularizedOptimum } from './kl-regularized-optimum.js';
export { positionSwapJudge, ensembleJudge, JudgeError } from './pairwise-judge.js';
export type { PairwiseJudge, JudgeVerdict, Preference, PositionSwapJudgeOptions, EnsembleJudgeOptions } from './pairwise-judge.js';
export { labelPreferences } from './label-preferences.js';
export type {
  PreferenceItem,
  PreferencePair,
  LabelProgress,
  LabelPreferencesOptions,
  LabelStats,
  LabelPreferencesResult,
} from './label-preferences.js';
export { constitutionalPairs, ConstitutionalModelError } from './constitutional-pairs.js';
export type {
  ConstitutionalPrinciple,
  ConstitutionalModel,
  ConstitutionalExample,
  ConstitutionalProgress,
  ConstitutionalPairsOptions,
} from './constitutional-pairs.js';
export { createToyConstitutionalModel, toyFlawCount, TOY_CONSTITUTION, TOY_PROMPTS } from './toy-constitutional-model.js';
export { runBetaExperiment, DEFAULT_BETAS } from './experiments/beta-experiment.js';
export type {
  BetaExperimentOptions,
  BetaExperimentResult,
  ExperimentProgress,
  RewardModelSummary,
  RunVerdict,
  AdaptiveRun,
  TrainingPoint,
  TrainingRun,
} from './experiments/beta-experiment.js';
export { runRlaifExperiment } from './experiments/rlaif-experiment.js';
export type {
  RlaifExperimentOptions,
  RlaifExperimentResult,
  RlaifVariant,
  RlaifRun,
  RlaifLabelSummary,
} from './experiments/rlaif-experiment.js';
