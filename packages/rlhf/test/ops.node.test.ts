/** Node lane only (cpu, wasm): gradients against finite differences, edge-case shapes, property tests. */
import { gradientsSuite } from './suites/gradients.js';
import { edgeCasesSuite } from './suites/edge-cases.js';
import { propertiesSuite } from './suites/properties.js';

gradientsSuite();
edgeCasesSuite();
propertiesSuite();
