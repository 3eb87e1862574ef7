export { compareArrays, expectArrayClose, epsTolerance } from './close.js';
export type { Tolerance, CloseReport } from './close.js';
export {
  expectThrowsNaming,
  expectRejectsNaming,
  expectBadInputs,
  badNumbers,
  badNumberArrays,
} from './bad-input.js';
export type { BadInputSpec } from './bad-input.js';
export { loadFixture } from './fixtures.js';
