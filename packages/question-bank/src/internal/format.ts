/** Plain-text rendering of the questions for the command line. Not exported from the index. */
import type { Question } from '../types.js';

/** Width of a string in terminal columns, counting code points (no wide or combining characters here). */
function columns(text: string): number {
  return [...text].length;
}

/**
 * Greedy word wrap: every returned line is at most `width` columns, indents included, provided `width`
 * exceeds the indents. `firstIndent` starts the first line and `indent` the following ones (a hanging
 * indent when they differ). A word longer than a whole line is broken, so the width always holds.
 */
export function wrap(text: string, width: number, indent = '', firstIndent = indent): string[] {
  const lines: string[] = [];
  let prefix = firstIndent;
  let line = '';
  const flush = (): void => {
    lines.push(prefix + line);
    prefix = indent;
    line = '';
  };
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    let rest = word;
    for (;;) {
      const room = Math.max(1, width - columns(prefix));
      if (line === '') {
        if (columns(rest) <= room) {
          line = rest;
          break;
        }
        const chars = [...rest];
        line = chars.slice(0, room).join('');
        rest = chars.slice(room).join('');
        flush();
        continue;
      }
      if (columns(line) + 1 + columns(rest) <= room) {
        line = `${line} ${rest}`;
        break;
      }
      flush();
    }
  }
  if (line !== '' || lines.length === 0) lines.push((prefix + line).trimEnd());
  return lines;
}

/** The numbered list of all questions: id, slug, difficulty and title, wrapped to `width`. */
export function formatList(questions: readonly Question[], width: number): string {
  const slugWidth = Math.max(...questions.map((q) => q.slug.length));
  const out = wrap('@prep/question-bank: ten research-scientist interview questions on large models, tied to the @prep packages.', width);
  out.push('');
  for (const q of questions) {
    const head = `${String(q.id).padStart(2)}  ${q.slug.padEnd(slugWidth)}  ${q.difficulty.padEnd(9)}  `;
    if (columns(head) + 12 <= width) {
      out.push(...wrap(q.title, width, ' '.repeat(columns(head)), head));
    } else {
      // Too narrow for columns: one field per line.
      out.push(...wrap(`${q.id}. ${q.slug} (${q.difficulty})`, width, '   '));
      out.push(...wrap(q.title, width, '   '));
    }
  }
  out.push('');
  out.push(...wrap('Show one question: npx @prep/question-bank <id | slug>   (e.g. 4 or mixture-of-experts)', width));
  return `${out.join('\n')}\n`;
}

function section(title: string, body: string[], width: number): string[] {
  return ['', ...wrap(title, width), ...body];
}

/** One question in full (prompt, answer, key ideas, formulas, claims, pitfalls), wrapped to `width`. */
export function formatQuestion(q: Question, width: number): string {
  const bullet = (items: readonly string[]): string[] => items.flatMap((item) => wrap(item, width, '    ', '  • '));
  const out: string[] = [
    ...wrap(`${q.id}. ${q.title}`, width, '   ', ''),
    ...wrap(`${q.slug} · ${q.difficulty} · ${q.round}`, width, '   ', '   '),
    ...wrap(`Roles: ${q.roles.join(', ')}`, width, '     ', '   '),
    ...wrap(`Topic: ${q.topic}; research area: ${q.researchArea}`, width, '     ', '   '),
    ...wrap(`Packages: ${q.packages.join(', ')}`, width, '     ', '   '),
  ];
  out.push(...section('QUESTION', wrap(q.prompt, width, '  '), width));
  out.push(...section('ANSWER', wrap(q.summary, width, '  '), width));
  out.push(...section('KEY IDEAS', bullet(q.keyIdeas), width));
  out.push(...section('FORMULAS (LaTeX)', q.formulas.flatMap((f) => wrap(f, width, '      ', '  ▸ ')), width));
  out.push(
    ...section(
      'CLAIMS OF THE SOURCE (each with the measurement that checks it; verdicts in the docs)',
      q.claims.flatMap((c) => [
        ...wrap(`${c.id}: ${c.sourceValue}`, width, '      ', '  ▸ '),
        ...wrap(c.statement, width, '      '),
        ...wrap(`measured by ${c.measuredBy}`, width, '      '),
      ]),
      width,
    ),
  );
  out.push(...section('PITFALLS', bullet(q.pitfalls), width));
  return `${out.join('\n')}\n`;
}
