import { questions } from './questions.js';
import type { Question } from './types.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `bigint ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function valid(): string {
  return `an id 1..${questions.length} or one of the slugs ${questions.map((q) => q.slug).join(', ')}`;
}

/**
 * Looks up one question by its id (1..10, source order) or its slug.
 *
 * A string holding an id in plain decimal (`'4'`, no sign, no leading zero) is read as that id, so
 * command-line and URL arguments work as given; any other string must be an exact slug (lower case, no
 * surrounding spaces).
 *
 * @param idOrSlug - The question's id (an integer 1..10), its id as a decimal string (`'4'`), or its slug
 *   (`'mixture-of-experts'`).
 * @returns The frozen {@link Question} object (the same object as in {@link questions}).
 * @throws TypeError when `idOrSlug` is neither a number nor a string.
 * @throws RangeError when it is a number or string that names no question (not an integer 1..10, or an
 *   unknown slug); the message lists the valid ids and slugs.
 *
 * @example
 * ```ts
 * import { getQuestion } from '@prep/question-bank';
 *
 * getQuestion(4).slug;                    // 'mixture-of-experts'
 * getQuestion('mixture-of-experts').id;   // 4
 * getQuestion('4') === getQuestion(4);    // true
 * getQuestion(1).claims.map((c) => c.id); // ['q1-waste', 'q1-uniform-waste', …]
 * ```
 */
export function getQuestion(idOrSlug: number | string): Question {
  if (typeof idOrSlug === 'number') {
    const found = Number.isInteger(idOrSlug) ? questions[idOrSlug - 1] : undefined;
    if (found === undefined) {
      throw new RangeError(`getQuestion: 'idOrSlug' must be ${valid()}; got ${describe(idOrSlug)}`);
    }
    return found;
  }
  if (typeof idOrSlug === 'string') {
    const found = /^[1-9][0-9]?$/.test(idOrSlug)
      ? questions[Number(idOrSlug) - 1]
      : questions.find((q) => q.slug === idOrSlug);
    if (found === undefined) {
      throw new RangeError(`getQuestion: 'idOrSlug' must be ${valid()}; got ${describe(idOrSlug)}`);
    }
    return found;
  }
  throw new TypeError(`getQuestion: 'idOrSlug' must be a number or a string; got ${describe(idOrSlug)}`);
}
