export type { Claim, Question, Measurement } from './types.js';
export { questions } from './questions.js';
export { getQuestion } from './get-question.js';
export { measurements } from './measurements.js';
