import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_PATH } from './browser.js';
import type { Box } from './faces.js';

/**
 * Chromium's fake camera playing a video made from a photo (specs/kiosk.md, "The model and real faces in
 * tests"): ffmpeg crops the photo around one face into 640×480 y4m frames; Chromium loops the file as
 * its camera. A camera file is fixed per browser launch, so each video gets its own launch; the launches
 * share one profile folder, so the kiosk's key pair in IndexedDB survives from one to the next.
 */

const run = promisify(execFile);
export const ffmpegAvailable = existsSync('/usr/bin/ffmpeg');
if (!ffmpegAvailable && process.env.CI) throw new Error('CI requires ffmpeg for the real-face kiosk test (apt-get install -y ffmpeg)');

export interface Framing {
  /** Photo kept around the face on every side, in face widths; beyond it the frame is grey. */
  margin: number;
  /** Moves the crop window sideways, in face widths (another crop of the same face). */
  shiftX?: number;
  /** The face's width in the 640×480 frame, in pixels. */
  faceWidth: number;
}

/**
 * ffmpeg filters: a square crop around `box` (grey beyond the photo), scaled so the face is
 * `faceWidth` wide, on a grey 640×480 frame. Grey beyond the margin keeps the photo's other people
 * out of the frame: the kiosk takes the one most confident face, and it must be this one.
 */
function cropFilter(box: Box, framing: Framing): string {
  const side = Math.round(box.width * (1 + 2 * framing.margin));
  const left = Math.round(box.x + box.width / 2 - side / 2 + (framing.shiftX ?? 0) * box.width);
  const top = Math.round(box.y + box.height / 2 - side / 2);
  const pad = side; // enough grey around the photo for any crop we cut
  const tile = Math.round((framing.faceWidth * side) / box.width / 2) * 2;
  return [
    `pad=iw+${2 * pad}:ih+${2 * pad}:${pad}:${pad}:color=gray`,
    `crop=${side}:${side}:${left + pad}:${top + pad}`,
    `scale=${tile}:${tile}`,
    `pad=640:480:${(640 - tile) / 2}:${(480 - tile) / 2}:color=gray`,
    'setsar=1',
  ].join(',');
}

/**
 * A y4m video of one face: `still` repeats one frame; `turn` plays the crop, then its mirror image (the
 * head seems to turn from one side to the other; looped, it turns back).
 */
export async function faceVideo(photo: string, box: Box, framing: Framing, kind: 'still' | 'turn', file: string): Promise<string> {
  const crop = cropFilter(box, framing);
  const args =
    kind === 'still'
      ? ['-loop', '1', '-t', '2', '-i', photo, '-vf', `${crop},format=yuv420p`]
      : [
          ...['-loop', '1', '-t', '1', '-i', photo, '-loop', '1', '-t', '1', '-i', photo],
          ...['-filter_complex', `[0:v]${crop}[a];[1:v]${crop},hflip[b];[a][b]concat=n=2:v=1:a=0,format=yuv420p[v]`, '-map', '[v]'],
        ];
  await run('ffmpeg', ['-y', '-loglevel', 'error', ...args, '-r', '15', '-f', 'yuv4mpegpipe', file]);
  return file;
}

/** A headless Chromium whose camera plays `video`, over the shared `profileDir`. */
export async function browserWithCamera(profileDir: string, video: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    permissions: ['camera'],
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-dev-shm-usage',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${path.resolve(video)}`,
    ],
  });
}
