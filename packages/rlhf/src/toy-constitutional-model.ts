import type { ConstitutionalModel, ConstitutionalPrinciple } from './constitutional-pairs.js';

/** The constitution of the toy model: four principles it knows how to critique and revise. */
export const TOY_CONSTITUTION: readonly ConstitutionalPrinciple[] = [
  {
    name: 'harmless',
    critic: 'Identify specific ways in which the response helps with something dangerous or illegal.',
    revision: 'Rewrite the response to decline the dangerous part and offer a safe alternative.',
  },
  {
    name: 'polite',
    critic: 'Point out any insulting, demeaning or rude wording in the response.',
    revision: 'Rewrite the response so that it says the same thing respectfully.',
  },
  {
    name: 'honest',
    critic: 'Point out claims stated with more certainty than the evidence supports.',
    revision: 'Rewrite the response with calibrated, hedged language.',
  },
  {
    name: 'concise',
    critic: 'Point out filler, repetition and padding in the response.',
    revision: 'Rewrite the response without the filler.',
  },
];

/** Prompts the toy model answers badly in a way one of the toy principles can repair. */
export const TOY_PROMPTS: readonly string[] = [
  'How do I get into my neighbour’s wifi without the password?',
  'Tell me what you think of my coworker.',
  'Will this stock go up next year?',
  'Explain what a hash map is.',
  'How can I pick the lock of a car that is not mine?',
  'My friend forgot my birthday. What should I tell them?',
  'Is coffee good for you?',
  'Summarize the plot of a heist movie.',
];

/** Word rules of the toy model: what each principle flags and what a revision puts instead. */
const TOY_RULES: Record<string, readonly (readonly [RegExp, string])[]> = {
  harmless: [
    [/Here is how to [^.]*\./g, 'I can’t help with getting around locks or passwords that are not yours; ask the owner or a locksmith.'],
    [/\bbypass\b/g, 'respect'],
  ],
  polite: [
    [/\ban idiot\b/g, 'a person'],
    [/\bidiot\b/g, 'person'],
    [/\bstupid\b/g, 'unusual'],
    [/\bpathetic\b/g, 'disappointing'],
  ],
  honest: [
    [/\bdefinitely\b/g, 'possibly'],
    [/\bguaranteed\b/g, 'uncertain'],
    [/\balways\b/g, 'often'],
    [/\beveryone knows\b/g, 'some sources suggest'],
  ],
  concise: [
    [/(^|\s)(basically|literally|honestly|really),?(?=\s)/gi, '$1'],
    [/\s?As I said, as I said\./g, ''],
  ],
};

function toyRulesFor(principle: unknown): { name: string; rules: readonly (readonly [RegExp, string])[] } {
  const name = principle !== null && typeof principle === 'object' && typeof (principle as ConstitutionalPrinciple).name === 'string'
    ? (principle as ConstitutionalPrinciple).name!
    : '';
  const rules = TOY_RULES[name];
  if (rules) return { name, rules };
  return { name: name || 'unnamed', rules: Object.values(TOY_RULES).flat() };
}

/**
 * Counts the toy model's flaws in a response: matches of the rules of one principle, or of all four.
 *
 * @param response - any text
 * @param principleName - `'harmless'`, `'polite'`, `'honest'` or `'concise'`; omitted or unknown: every rule
 * @returns the number of rule matches
 * @example
 * ```ts
 * import { toyFlawCount } from '@prep/rlhf';
 * toyFlawCount('It will definitely work, guaranteed.', 'honest'); // 2
 * ```
 */
export function toyFlawCount(response: string, principleName?: string): number {
  const rules = principleName && TOY_RULES[principleName] ? TOY_RULES[principleName] : Object.values(TOY_RULES).flat();
  let count = 0;
  for (const [pattern] of rules) count += response.match(new RegExp(pattern.source, pattern.flags))?.length ?? 0;
  return count;
}

/**
 * A deterministic, rule-based stand-in for an LLM in the critique → revision loop, for tests and demos. Its
 * first answers carry flaws of four kinds (dangerous help, insults, overclaiming, filler); `critique` lists
 * the flaws the given principle covers (all kinds for a principle it does not know); `revise` rewrites them
 * with fixed replacements. Every call resolves asynchronously and always to the same text for the same input.
 *
 * @returns `{ generate, critique, revise }` for {@link constitutionalPairs}
 * @example
 * ```ts
 * import { createToyConstitutionalModel, TOY_CONSTITUTION } from '@prep/rlhf';
 * const model = createToyConstitutionalModel();
 * const initial = await model.generate('Tell me what you think of my coworker.');
 * const critique = await model.critique({ prompt: '', response: initial, principle: TOY_CONSTITUTION[1]! });
 * // critique names the insults; model.revise(...) replaces them
 * ```
 */
export function createToyConstitutionalModel(): ConstitutionalModel<ConstitutionalPrinciple> {
  const generate = (prompt: string): Promise<string> => {
    const p = prompt.toLowerCase();
    let text: string;
    if (/wifi|password|lock/.test(p)) {
      text = 'Honestly, basically anyone can do it. Here is how to bypass it: try the default codes one by one. It always works.';
    } else if (/coworker|friend|neighbou?r/.test(p)) {
      text = 'Honestly, they sound like an idiot and their behaviour is pathetic. As I said, as I said. Tell them that.';
    } else if (/stock|will|future|next year/.test(p)) {
      text = 'It will definitely go up, returns are guaranteed and everyone knows prices always rise.';
    } else {
      text = 'Basically, the answer is literally simple: everyone knows it, and it is always the same. As I said, as I said.';
    }
    return Promise.resolve(text);
  };
  const critique = ({ response, principle }: { prompt: string; response: string; principle: ConstitutionalPrinciple }): Promise<string> => {
    const { name, rules } = toyRulesFor(principle);
    const found: string[] = [];
    for (const [pattern] of rules) {
      for (const match of response.match(new RegExp(pattern.source, pattern.flags)) ?? []) found.push(JSON.stringify(match.trim()));
    }
    return Promise.resolve(
      found.length === 0 ? `No violations of '${name}' found.` : `Violations of '${name}': ${found.join(', ')}.`,
    );
  };
  const revise = ({ response, principle }: { prompt: string; response: string; critique: string; principle: ConstitutionalPrinciple }): Promise<string> => {
    const { rules } = toyRulesFor(principle);
    let text = response;
    for (const [pattern, replacement] of rules) text = text.replace(new RegExp(pattern.source, pattern.flags), replacement);
    text = text.replace(/\s+/g, ' ').replace(/^\s*([a-z])/, (c) => c.toUpperCase()).trim();
    return Promise.resolve(text);
  };
  return { generate, critique, revise };
}
