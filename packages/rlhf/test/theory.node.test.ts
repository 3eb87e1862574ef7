/** Node lane only: Schulman's KL-estimator table and question 2's derivation. */
import { schulmanKlEstimatorsSuite } from './suites/schulman-kl-estimators.js';
import { derivationSuite } from './suites/derivation.js';

schulmanKlEstimatorsSuite();
derivationSuite();
