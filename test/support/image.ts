import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

/** A scratch folder laid out like the production image's /app (see the Dockerfile). */
export interface ImageLayout {
  /** The folder: run `node dist/…` from here. */
  appDir: string;
  /** Removes the folder (its links only, never what they point to). */
  remove(): void;
}

/**
 * The image's /app without Docker: package.json, node_modules, migrations/, views/ and public/ (links to
 * this checkout's) beside a dist/ compiled from src/ by tsconfig.build.json, as the Dockerfile's build
 * stage compiles it. There is no src/ and no tsx in the path: what runs there is the compiled JavaScript,
 * finding its migrations and views from dist/ the way platform/paths.ts does in the image.
 *
 * Compiled with --noCheck: with isolatedModules every file's JavaScript is the same whether or not the
 * types are checked (`npm run typecheck` checks them; the two builds' outputs were compared equal), and
 * skipping the check takes the build from about 18 s of CPU to about 7 s.
 */
export async function buildImageLayout(): Promise<ImageLayout> {
  const appDir = mkdtempSync(path.join(tmpdir(), 'bz-image-'));
  const remove = () => rmSync(appDir, { recursive: true, force: true });
  try {
    copyFileSync(path.join(projectRoot, 'package.json'), path.join(appDir, 'package.json'));
    for (const dir of ['node_modules', 'migrations', 'views', 'public']) symlinkSync(path.join(projectRoot, dir), path.join(appDir, dir));
    await compile(path.join(appDir, 'dist'));
    return { appDir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

function compile(outDir: string): Promise<void> {
  const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const child = spawn(process.execPath, [tsc, '-p', path.join(projectRoot, 'tsconfig.build.json'), '--outDir', outDir, '--noCheck'], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tsc -p tsconfig.build.json exited ${code}:\n${output}`))));
  });
}
