/** Every op against numpy, tensor counts, named errors: Node lane (cpu, wasm) and browser lane (webgl, webgpu). */
import { bradleyTerryLossSuite } from './suites/bradley-terry-loss.js';
import { klEstimateSuite } from './suites/kl-estimate.js';
import { klPenalizedRewardsSuite } from './suites/kl-penalized-rewards.js';
import { gaeSuite } from './suites/gae.js';
import { ppoLossesSuite } from './suites/ppo-losses.js';
import { whitenSuite } from './suites/whiten.js';
import { dpoLossSuite } from './suites/dpo-loss.js';
import { klRegularizedOptimumSuite } from './suites/kl-regularized-optimum.js';

bradleyTerryLossSuite();
klEstimateSuite();
klPenalizedRewardsSuite();
gaeSuite();
ppoLossesSuite();
whitenSuite();
dpoLossSuite();
klRegularizedOptimumSuite();
