// Installed-tarball check: the published types, under moduleResolution node16 and bundler.
import { getQuestion, measurements, questions, type Claim, type Measurement, type Question } from '@prep/question-bank';

const q: Question = getQuestion('attention-complexity');
const claim: Claim | undefined = q.claims[0];
const difficulty: Question['difficulty'] = q.difficulty;
const measurement: Measurement | undefined = measurements[0];
export const checks: [number, string | undefined, string, string | undefined] = [questions.length, claim?.measuredBy, difficulty, measurement?.package];
// @ts-expect-error: the list is read-only
questions.push(q);
// @ts-expect-error: 'Easy' is not a difficulty of the source
export const wrong: Question['difficulty'] = 'Easy';
// @ts-expect-error: ids are numbers or strings
getQuestion({ id: 4 });
