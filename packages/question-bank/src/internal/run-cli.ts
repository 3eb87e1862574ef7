/** The command-line program, independent of `process` so that it can be tested in-process. Not exported from the index. */
import { getQuestion } from '../get-question.js';
import { questions } from '../questions.js';
import { formatList, formatQuestion } from './format.js';

/** Where the program writes and what it knows about its terminal. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Terminal width when stdout is a terminal, else undefined. */
  ttyColumns: number | undefined;
  /** The `COLUMNS` environment variable, if set. */
  envColumns: string | undefined;
}

export const usage = `Usage: question-bank [options] [id | slug]

  (no argument)    list the ten questions
  <id | slug>      print one question, e.g. 4 or mixture-of-experts

Options:
  --width <n>      wrap to n columns (default: the terminal width, else $COLUMNS, else 80)
  --json           print JSON (the list, or the one question) instead of text
  -h, --help       show this help
`;

function defaultWidth(io: CliIo): number {
  const fromEnv = Number(io.envColumns);
  const width = io.ttyColumns ?? (io.envColumns !== undefined && Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80);
  return Math.min(Math.max(width, 20), 200);
}

/**
 * Runs `question-bank` with `args` (without the node and script paths) and returns the exit code:
 * 0 done, 1 unknown question, 2 bad usage.
 */
export function runCli(args: readonly string[], io: CliIo): number {
  const fail = (message: string, code: number): number => {
    io.stderr(`question-bank: ${message}\n`);
    return code;
  };
  let width: number | undefined;
  let json = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-h' || arg === '--help') {
      io.stdout(usage);
      return 0;
    } else if (arg === '--json') {
      json = true;
    } else if (arg === '--width' || arg.startsWith('--width=')) {
      const value = arg === '--width' ? args[++i] : arg.slice('--width='.length);
      const n = Number(value);
      if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < 20 || n > 1000) {
        return fail(`--width must be an integer from 20 to 1000; got ${value === undefined ? 'nothing' : JSON.stringify(value)}\n\n${usage}`, 2);
      }
      width = n;
    } else if (arg.startsWith('-') && arg !== '-') {
      return fail(`unknown option ${JSON.stringify(arg)}\n\n${usage}`, 2);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length > 1) {
    return fail(`expected at most one question (an id or a slug); got ${positional.length} arguments\n\n${usage}`, 2);
  }
  const columns = width ?? defaultWidth(io);
  const wanted = positional[0];
  if (wanted === undefined) {
    io.stdout(json ? `${JSON.stringify(questions, null, 2)}\n` : formatList(questions, columns));
    return 0;
  }
  let question;
  try {
    question = getQuestion(wanted);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err), 1);
  }
  io.stdout(json ? `${JSON.stringify(question, null, 2)}\n` : formatQuestion(question, columns));
  return 0;
}
