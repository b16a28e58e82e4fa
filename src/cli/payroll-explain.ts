/**
 * `npm run --silent payroll:explain -- FILE.json` (or `-` for standard input): the statutory breakdown of
 * one employee-month as JSON on stdout (specs/payroll-india.md §9), exit 0.
 *
 * Bad input exits 2 with one line on stderr naming the field (`earnings.basic: cannot be negative`), as
 * do an unreadable file, text that is not JSON, and a year or state the rules do not cover. Anything else
 * is a bug and exits 1 with its stack. Pure calculation, no database and no configuration, so this command
 * does not use command.ts (whose failures exit 1).
 */
import { readFileSync } from 'node:fs';
import { Invalid } from '../platform/errors.js';
import { calculateEmployeeMonth, NoStatutoryRule } from '../modules/payroll/index.js';

const BAD_INPUT = 2;
const USAGE = 'usage: npm run --silent payroll:explain -- FILE.json   (or - to read standard input)';

/** One line, whatever the message held. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

function explain(args: string[]): { code: number; out?: string; error?: string } {
  const [file, ...extra] = args;
  if (file === undefined || extra.length > 0) return { code: BAD_INPUT, error: USAGE };
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    return { code: BAD_INPUT, error: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return { code: BAD_INPUT, error: `${file === '-' ? 'standard input' : file} is not JSON: ${(error as Error).message}` };
  }
  try {
    return { code: 0, out: JSON.stringify(calculateEmployeeMonth(input), null, 2) };
  } catch (error) {
    if (error instanceof Invalid) return { code: BAD_INPUT, error: error.message };
    if (error instanceof NoStatutoryRule) return { code: BAD_INPUT, error: `${error.field}: ${error.message}` };
    throw error;
  }
}

const result = explain(process.argv.slice(2));
if (result.out !== undefined) process.stdout.write(`${result.out}\n`);
if (result.error !== undefined) process.stderr.write(`payroll:explain: ${oneLine(result.error)}\n`);
process.exitCode = result.code;
