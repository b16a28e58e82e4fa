/**
 * `npm run kiosk:assets`: copies the kiosk page's face model out of node_modules into
 * public/kiosk/vendor/<versions>/ (gitignored): face-api's browser bundle (it carries its own tfjs with
 * the wasm backend), the three weights the kiosk uses and tfjs's .wasm files. `npm run build` runs it
 * (as dist/cli/kiosk-assets.js, in the image's build stage), and so do `npm run dev` and the tests'
 * global setup, so a clean checkout works; nothing is fetched from the internet (specs/kiosk.md).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { KIOSK_MODELS, KIOSK_VENDOR } from '../modules/attendance/kiosk-vendor.js';
import { publicDir } from '../platform/paths.js';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));
const versionOf = (name: string) => (JSON.parse(readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;

/** The folder name is the cache key of year-long immutable caching: it must change when the files do. */
function checkVersions(): void {
  const installed = { faceApi: versionOf('@vladmandic/face-api'), tfjsWasm: versionOf('@tensorflow/tfjs-backend-wasm') };
  if (installed.faceApi !== KIOSK_VENDOR.faceApiVersion || installed.tfjsWasm !== KIOSK_VENDOR.tfjsVersion) {
    throw new Error(
      `kiosk assets: installed face-api ${installed.faceApi} / tfjs-backend-wasm ${installed.tfjsWasm}, ` +
        `but src/modules/attendance/kiosk-vendor.ts names ${KIOSK_VENDOR.faceApiVersion} / ${KIOSK_VENDOR.tfjsVersion}: update it`,
    );
  }
}

function copy(from: string, to: string): void {
  if (existsSync(to) && statSync(to).size === statSync(from).size) return;
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(from, to);
}

export function copyKioskAssets(): string {
  checkVersions();
  const vendorRoot = path.join(publicDir, 'kiosk', 'vendor');
  const target = path.join(vendorRoot, KIOSK_VENDOR.dir);
  const faceApi = packageDir('@vladmandic/face-api');
  const wasm = path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  copy(path.join(faceApi, 'dist', 'face-api.js'), path.join(target, 'face-api.js'));
  for (const model of KIOSK_MODELS) {
    copy(path.join(faceApi, 'model', `${model}-weights_manifest.json`), path.join(target, 'model', `${model}-weights_manifest.json`));
    copy(path.join(faceApi, 'model', `${model}.bin`), path.join(target, 'model', `${model}.bin`));
  }
  // tfjs picks one by what the browser supports (threads need cross-origin isolation, which we do not set).
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copy(path.join(wasm, file), path.join(target, 'wasm', file));
  }
  // Older versions' folders would be served for ever otherwise.
  for (const entry of readdirSync(vendorRoot)) {
    if (entry !== KIOSK_VENDOR.dir) rmSync(path.join(vendorRoot, entry), { recursive: true, force: true });
  }
  return target;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = copyKioskAssets();
  process.stdout.write(`kiosk assets in ${path.relative(process.cwd(), target)}\n`);
}
