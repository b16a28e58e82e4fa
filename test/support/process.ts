import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

export { freePort } from '../../src/platform/db/local-server.js';

export const tsxBin = path.join(projectRoot, 'node_modules', '.bin', 'tsx');

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited(): Promise<number | null>;
}

/** Runs a project script as a user would, with no terminal attached. */
export function runScript(script: string, env: Record<string, string>, args: string[] = []): RunningProcess {
  return runProcess(tsxBin, [script, ...args], projectRoot, env);
}

/** Runs compiled JavaScript with this node, as the image does (`node dist/…` from its /app), with no terminal attached. */
export function runNode(appDir: string, file: string, env: Record<string, string>, args: string[] = []): RunningProcess {
  return runProcess(process.execPath, [file, ...args], appDir, env);
}

function runProcess(command: string, args: string[], cwd: string, env: Record<string, string>): RunningProcess {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited: () => exit,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** Runs a command-line script (keys:rotate, backup, drill) to the end: its exit code and all it printed. */
export async function runCommand(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return finished(runScript(script, { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }, args));
}

/** Runs a compiled command (`node dist/cli/<name>.js …`) in an image layout (see image.ts) to the end. */
export async function runCompiledCommand(
  appDir: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return finished(runNode(appDir, `dist/cli/${command}.js`, { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }, args));
}

async function finished(run: RunningProcess): Promise<{ code: number | null; output: string }> {
  const code = await run.exited();
  return { code, output: run.output() };
}
