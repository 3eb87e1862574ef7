import { SeededRandom } from './random.js';

/**
 * The header lines that open each fable of the synthetic corpus. One of them serves as the shared
 * "system prompt" when generating: every request starts with the same header, so its blocks are reused
 * through the prefix cache.
 */
export const FABLE_HEADERS: readonly string[] = [
  'From the old book of fables, as the grandmother told them.\n',
  'Short fables for the village school, in plain and kind words.\n',
  'Tales of the field and the forest, each one with its moral.\n',
];

/** Options of {@link generateFables}. */
export interface GenerateFablesOptions {
  /** Seed of the grammar's choices. Default 2024. */
  seed?: number;
  /** Stop once the text holds at least this many characters. Default 200 000. */
  targetChars?: number;
}

interface Animal {
  name: string;
  /** 'a' or 'an' */
  article: string;
  size: 'small' | 'big';
  kind: 'bird' | 'beast';
}

interface Role {
  /** "the fox" */
  the: string;
  /** "The fox" */
  The: string;
  /** "a clever fox" */
  a: string;
  name: string;
  he: string;
  He: string;
  him: string;
  his: string;
  animal: Animal;
  trait: string;
}

const ANIMALS: readonly Animal[] = [
  { name: 'fox', article: 'a', size: 'small', kind: 'beast' },
  { name: 'crow', article: 'a', size: 'small', kind: 'bird' },
  { name: 'hare', article: 'a', size: 'small', kind: 'beast' },
  { name: 'tortoise', article: 'a', size: 'small', kind: 'beast' },
  { name: 'lion', article: 'a', size: 'big', kind: 'beast' },
  { name: 'mouse', article: 'a', size: 'small', kind: 'beast' },
  { name: 'wolf', article: 'a', size: 'big', kind: 'beast' },
  { name: 'lamb', article: 'a', size: 'small', kind: 'beast' },
  { name: 'goat', article: 'a', size: 'small', kind: 'beast' },
  { name: 'owl', article: 'an', size: 'small', kind: 'bird' },
  { name: 'frog', article: 'a', size: 'small', kind: 'beast' },
  { name: 'ant', article: 'an', size: 'small', kind: 'beast' },
  { name: 'grasshopper', article: 'a', size: 'small', kind: 'beast' },
  { name: 'dog', article: 'a', size: 'small', kind: 'beast' },
  { name: 'cat', article: 'a', size: 'small', kind: 'beast' },
  { name: 'horse', article: 'a', size: 'big', kind: 'beast' },
  { name: 'donkey', article: 'a', size: 'big', kind: 'beast' },
  { name: 'bear', article: 'a', size: 'big', kind: 'beast' },
  { name: 'deer', article: 'a', size: 'big', kind: 'beast' },
  { name: 'stork', article: 'a', size: 'small', kind: 'bird' },
  { name: 'rabbit', article: 'a', size: 'small', kind: 'beast' },
  { name: 'squirrel', article: 'a', size: 'small', kind: 'beast' },
  { name: 'badger', article: 'a', size: 'small', kind: 'beast' },
  { name: 'goose', article: 'a', size: 'small', kind: 'bird' },
  { name: 'hen', article: 'a', size: 'small', kind: 'bird' },
  { name: 'eagle', article: 'an', size: 'big', kind: 'bird' },
  { name: 'sparrow', article: 'a', size: 'small', kind: 'bird' },
  { name: 'ox', article: 'an', size: 'big', kind: 'beast' },
  { name: 'otter', article: 'an', size: 'small', kind: 'beast' },
  { name: 'magpie', article: 'a', size: 'small', kind: 'bird' },
];

const PLACES = [
  'near the old mill',
  'by the river',
  'at the edge of the wood',
  'on a green hill',
  'in a quiet valley',
  'under a tall oak',
  'beside the pond',
  "in the farmer's field",
  'behind the barn',
  'among the reeds',
  'on the rocky shore',
  'in a deep forest',
];
const FOODS = [
  'a piece of cheese',
  'a ripe pear',
  'a bunch of grapes',
  'a loaf of bread',
  'a fat worm',
  'a handful of seeds',
  'a juicy bone',
  'a jar of honey',
  'a red apple',
  'an ear of corn',
];
const OPENINGS = ['One morning', 'One day', 'Late one evening', 'Early in the spring', 'On a hot summer day', 'When the first snow fell', 'At noon'];
const ADJECTIVES = ['clever', 'proud', 'lazy', 'hungry', 'old', 'young', 'kind', 'greedy', 'foolish', 'wise', 'quick', 'slow', 'brave', 'shy', 'vain', 'patient', 'careless', 'honest', 'cunning', 'gentle'];
const GOALS = ['the old oak', 'the far side of the meadow', 'the big stone by the river', 'the top of the hill', 'the gate of the farm'];

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function role(rng: SeededRandom, animal: Animal, trait: string): Role {
  const female = rng.next() < 0.5;
  return {
    the: `the ${animal.name}`,
    The: `The ${animal.name}`,
    a: `${article(trait)} ${trait} ${animal.name}`,
    name: animal.name,
    he: female ? 'she' : 'he',
    He: female ? 'She' : 'He',
    him: female ? 'her' : 'him',
    his: female ? 'her' : 'his',
    animal,
    trait,
  };
}

function pickAnimal(rng: SeededRandom, filter: (a: Animal) => boolean, not: readonly Animal[] = []): Animal {
  const choices = ANIMALS.filter((a) => filter(a) && !not.includes(a));
  return rng.pick(choices);
}

interface Fable {
  title: string;
  sentences: string[];
  moral: string;
}

type Arc = (rng: SeededRandom) => Fable;

const flattery: Arc = (rng) => {
  const b = role(rng, pickAnimal(rng, (a) => a.kind === 'bird'), rng.pick(['vain', 'proud', 'foolish']));
  const a = role(rng, pickAnimal(rng, (x) => x.kind === 'beast', [b.animal]), rng.pick(['cunning', 'clever', 'hungry']));
  const food = rng.pick(FOODS);
  const praise = rng.pick(['your feathers shine like silver', 'your eyes are as bright as stars', 'your wings are the finest in the land']);
  return {
    title: `The ${capitalize(a.name)} and the ${capitalize(b.name)}`,
    sentences: [
      `${rng.pick(OPENINGS)}, ${a.a} saw ${b.a} sitting on a branch ${rng.pick(PLACES)}.`,
      `${b.The} had found ${food} and held it in ${b.his} beak.`,
      `${a.The} wanted the food for ${a.him}self, so ${a.he} sat down below the tree.`,
      `"Good day, dear ${b.name}," said ${a.the}. "How lovely you are! Surely ${praise}."`,
      `"If your voice is as sweet as your looks, you must be the queen of all birds. Will you not sing for me?"`,
      `${b.The} was so pleased that ${b.he} opened ${b.his} beak to sing.`,
      `Down fell ${food}, and ${a.the} snapped it up at once.`,
      `"You have a voice, my friend," said ${a.the}, "but you have no sense."`,
    ],
    moral: rng.pick(['Do not trust those who flatter you.', 'Sweet words may hide a hungry mouth.', 'Flattery is a hook with bait on it.']),
  };
};

const race: Arc = (rng) => {
  const a = role(rng, pickAnimal(rng, (x) => x.kind === 'beast' && ['hare', 'horse', 'deer', 'rabbit', 'dog', 'fox'].includes(x.name)), rng.pick(['quick', 'proud', 'vain']));
  const b = role(rng, pickAnimal(rng, (x) => ['tortoise', 'ant', 'badger', 'ox', 'frog', 'otter'].includes(x.name), [a.animal]), rng.pick(['slow', 'patient', 'honest']));
  const goal = rng.pick(GOALS);
  return {
    title: `The ${capitalize(a.name)} and the ${capitalize(b.name)}`,
    sentences: [
      `${capitalize(a.a)} lived ${rng.pick(PLACES)}, and ${a.he} was always boasting of how fast ${a.he} could run.`,
      `${rng.pick(OPENINGS)}, ${a.he} laughed at ${b.a} for being so slow.`,
      `"Let us run a race to ${goal}," said ${b.the}, "and we shall see who wins."`,
      `${a.The} agreed, for ${a.he} was sure of ${a.his} speed.`,
      `Soon ${a.the} was far ahead, so ${a.he} lay down in the grass to rest.`,
      `${b.The} went on and on, step by step, and never stopped.`,
      `When ${a.the} woke up, ${b.the} was already at ${goal}.`,
    ],
    moral: rng.pick(['Slow and steady wins the race.', 'Pride goes before a fall.', 'Do not laugh at those who work slowly.']),
  };
};

const mercy: Arc = (rng) => {
  const a = role(rng, pickAnimal(rng, (x) => x.size === 'big' && x.kind === 'beast'), rng.pick(['proud', 'brave', 'old']));
  const b = role(rng, pickAnimal(rng, (x) => x.size === 'small', [a.animal]), rng.pick(['shy', 'young', 'kind']));
  return {
    title: `The ${capitalize(a.name)} and the ${capitalize(b.name)}`,
    sentences: [
      `${capitalize(a.a)} was sleeping ${rng.pick(PLACES)} when ${b.a} ran across ${a.his} nose.`,
      `${a.The} woke up and caught ${b.the} under ${a.his} paw.`,
      `"Please let me go," begged ${b.the}, "and one day I will help you."`,
      `${a.The} laughed, for how could so small a ${b.name} help so great a ${a.name}? But ${a.he} let ${b.him} go.`,
      `Some weeks later, ${a.the} was caught in a hunter's net.`,
      `${b.The} heard ${a.him} cry and came running.`,
      `${b.He} worked at the ropes until they broke, and ${a.the} was free.`,
      `"You laughed at me," said ${b.the}, "but now you see that a small friend can be a great help."`,
    ],
    moral: rng.pick(['No act of kindness is ever wasted.', 'Little friends may prove great friends.', 'Do not judge a friend by size.']),
  };
};

const reflection: Arc = (rng) => {
  const a = role(rng, pickAnimal(rng, (x) => x.kind === 'beast'), rng.pick(['greedy', 'hungry', 'foolish']));
  const food = rng.pick(FOODS);
  return {
    title: `The ${capitalize(a.trait)} ${capitalize(a.name)}`,
    sentences: [
      `${rng.pick(OPENINGS)}, ${a.a} found ${food} ${rng.pick(PLACES)}.`,
      `${a.He} took it in ${a.his} mouth and started for home.`,
      `On the way ${a.he} had to cross a narrow bridge over a stream.`,
      `Looking down, ${a.he} saw another ${a.name} in the water, with food that looked twice as big.`,
      `${a.He} opened ${a.his} mouth to snatch it, and ${a.his} own food fell into the stream.`,
      `${a.The} went home with nothing at all.`,
    ],
    moral: rng.pick(['Grasp at the shadow and you may lose the thing itself.', 'Greed often loses what it has.', 'Be content with what you have.']),
  };
};

const winter: Arc = (rng) => {
  const a = role(rng, pickAnimal(rng, (x) => ['ant', 'squirrel', 'badger', 'mouse', 'otter'].includes(x.name)), rng.pick(['patient', 'wise', 'honest']));
  const b = role(rng, pickAnimal(rng, (x) => ['grasshopper', 'sparrow', 'frog', 'magpie', 'goose'].includes(x.name), [a.animal]), rng.pick(['lazy', 'careless', 'foolish']));
  const food = rng.pick(FOODS);
  return {
    title: `The ${capitalize(a.name)} and the ${capitalize(b.name)}`,
    sentences: [
      `All summer long ${a.a} carried food to ${a.his} store ${rng.pick(PLACES)}.`,
      `${capitalize(b.a)} sang and played in the sun and laughed at ${a.him}.`,
      `"Why do you work so hard?" asked ${b.the}. "There is plenty of food for everyone."`,
      `"Winter is coming," said ${a.the}, "and I am getting ready for it."`,
      `When the cold winds came, ${b.the} had nothing to eat.`,
      `${b.He} went to ${a.the} and begged for ${food}.`,
      `"You sang all summer," said ${a.the}. "Now you may dance all winter."`,
    ],
    moral: rng.pick(['Work today for the needs of tomorrow.', 'There is a time for work and a time for play.', 'It is wise to prepare for days of need.']),
  };
};

const alarm: Arc = (rng) => {
  const a = role(rng, pickAnimal(rng, (x) => ['goat', 'lamb', 'dog', 'goose', 'hen', 'donkey'].includes(x.name)), rng.pick(['young', 'foolish', 'careless']));
  const danger = rng.pick(['wolf', 'fox', 'bear']);
  return {
    title: `The ${capitalize(a.name)} Who Cried ${capitalize(danger)}`,
    sentences: [
      `${capitalize(a.a)} was set to watch the flock ${rng.pick(PLACES)}.`,
      `To amuse ${a.him}self, ${a.he} cried out, "The ${danger}! The ${danger} is coming!"`,
      `The farmers came running, but there was no ${danger}, and ${a.the} laughed at them.`,
      `The next day ${a.he} played the same trick again.`,
      `Then ${rng.pick(OPENINGS).toLowerCase()} a ${danger} really came.`,
      `${a.The} cried out with all ${a.his} might, but nobody came, for nobody believed ${a.him}.`,
    ],
    moral: rng.pick(['A liar is not believed even when telling the truth.', 'Trust once lost is hard to win back.', 'Do not cry for help when you need none.']),
  };
};

const quarrel: Arc = (rng) => {
  const a = role(rng, pickAnimal(rng, () => true), rng.pick(ADJECTIVES));
  const b = role(rng, pickAnimal(rng, () => true, [a.animal]), rng.pick(ADJECTIVES));
  const c = role(rng, pickAnimal(rng, (x) => ['fox', 'magpie', 'crow', 'weasel', 'cat', 'eagle'].includes(x.name), [a.animal, b.animal]), 'cunning');
  const food = rng.pick(FOODS);
  return {
    title: `The Two ${capitalize(rng.pick(['Friends', 'Neighbours', 'Travellers']))} and the ${capitalize(c.name)}`,
    sentences: [
      `${rng.pick(OPENINGS)}, ${a.a} and ${b.a} found ${food} ${rng.pick(PLACES)} at the same moment.`,
      `"It is mine," said ${a.the}, "for I saw it first."`,
      `"No, it is mine," said ${b.the}, "for I was closer."`,
      `They quarrelled and pushed each other until both of them were tired out.`,
      `Meanwhile ${c.a} came by, took ${food}, and went away with it.`,
      `${a.The} and ${b.the} looked at each other, and there was nothing left to share.`,
    ],
    moral: rng.pick(['While two quarrel, a third one wins.', 'Share, and both may eat.', 'A quarrel feeds no one.']),
  };
};

const dinner: Arc = (rng) => {
  const a = role(rng, pickAnimal(rng, (x) => x.name === 'fox' || x.name === 'cat' || x.name === 'wolf'), rng.pick(['cunning', 'greedy', 'clever']));
  const b = role(rng, pickAnimal(rng, (x) => x.name === 'stork' || x.name === 'goose' || x.name === 'eagle'), rng.pick(['patient', 'wise', 'gentle']));
  return {
    title: `The ${capitalize(a.name)} and the ${capitalize(b.name)} at Dinner`,
    sentences: [
      `${capitalize(a.a)} asked ${b.a} to come to dinner ${rng.pick(PLACES)}.`,
      `${a.He} served the soup in a flat dish, so ${b.the} could only wet the tip of ${b.his} beak.`,
      `${a.The} lapped up the soup and said, "I am sorry you do not like my cooking."`,
      `"Do not be sorry," said ${b.the}. "Come and dine with me tomorrow."`,
      `The next day ${b.the} served the meal in a tall jar with a narrow neck.`,
      `${b.He} ate with ease, but ${a.the} could not get ${a.his} nose into the jar.`,
      `"I will not say sorry," said ${b.the}, "for one bad turn deserves another."`,
    ],
    moral: rng.pick(['Treat others as you wish to be treated.', 'Those who play tricks should expect tricks in return.']),
  };
};

const ARCS: readonly Arc[] = [flattery, race, mercy, reflection, winter, alarm, quarrel, dinner];

/**
 * Writes the example's synthetic training corpus: short animal fables from a seeded grammar (eight story
 * arcs, 30 animals, random traits, places, foods and morals, he/she agreement). Each fable is a header
 * line (one of {@link FABLE_HEADERS}), a `Title:` line, the story as one paragraph, a `Moral:` line and a
 * blank line. The text is our own, generated, not copied; it uses only the tokenizer's characters.
 *
 * @param options - `seed` (default 2024), `targetChars` (default 200 000)
 * @returns the corpus text, at least `targetChars` long
 * @throws TypeError / RangeError for a bad option
 * @example
 * ```ts
 * import { generateFables } from '@prep/example-tiny-lm';
 * const text = generateFables({ seed: 1, targetChars: 2000 });
 * text.startsWith('From') || text.startsWith('Short') || text.startsWith('Tales'); // true
 * ```
 */
export function generateFables(options: GenerateFablesOptions = {}): string {
  const fn = 'generateFables';
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: 'options' must be an object; got ${String(options)}`);
  const seed = options.seed ?? 2024;
  const target = options.targetChars ?? 200_000;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new TypeError(`${fn}: 'options.seed' must be a finite number; got ${String(seed)}`);
  if (typeof target !== 'number') throw new TypeError(`${fn}: 'options.targetChars' must be a number; got ${String(target)}`);
  if (!Number.isInteger(target) || target < 1 || target > 10_000_000) {
    throw new RangeError(`${fn}: 'options.targetChars' must be an integer in [1, 10000000]; got ${target}`);
  }
  const rng = new SeededRandom(seed);
  const parts: string[] = [];
  let length = 0;
  while (length < target) {
    const fable = rng.pick(ARCS)(rng);
    const text = `${rng.pick(FABLE_HEADERS)}Title: ${fable.title}\n${fable.sentences.join(' ')}\nMoral: ${fable.moral}\n\n`;
    parts.push(text);
    length += text.length;
  }
  return parts.join('');
}
