#!/usr/bin/env node
// The `question-bank` bin (`npx @prep/question-bank`): lists the questions, or prints one wrapped to the
// terminal. Plain Node, no dependencies, no node: imports; the program itself is internal/run-cli.ts.
import { runCli } from './internal/run-cli.js';

process.exitCode = runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  ttyColumns: process.stdout.isTTY ? process.stdout.columns : undefined,
  envColumns: process.env['COLUMNS'],
});
