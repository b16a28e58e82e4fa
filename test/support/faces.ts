import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import jpeg from 'jpeg-js';
import type * as FaceApi from '@vladmandic/face-api';
import { KIOSK_DETECTOR } from '../../src/modules/attendance/kiosk-vendor.js';

/**
 * Real face descriptors in Node, from the sample photos `@vladmandic/face-api` ships (six group photos,
 * 22 faces): the same model and weights as the kiosk page, on tfjs's wasm backend (no native build, no
 * download). kiosk.md, "The model and real faces in tests", has the pitfalls this follows.
 */

const require = createRequire(import.meta.url);
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as typeof FaceApi;
const packageDir = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));

export const SAMPLE_PHOTOS = [1, 2, 3, 4, 5, 6].map((n) => path.join(packageDir, 'demo', `sample${n}.jpg`));

export interface Rgb {
  width: number;
  height: number;
  /** RGB bytes, row by row. */
  pixels: Uint8Array;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PhotoFace {
  photo: string;
  /** Index of the face within its photo, left to right. */
  index: number;
  box: Box;
}

export interface Described {
  descriptor: number[];
  box: Box;
  /** Nose tip offset from the eyes' midpoint, over the distance between the eyes (the page's yaw measure). */
  yaw: number;
}

let ready: Promise<void> | undefined;

/** Loads tfjs-wasm and the weights once per process. */
export function loadFaceModel(): Promise<void> {
  ready ??= (async () => {
    const tf = faceapi.tf as unknown as {
      setBackend(name: string): Promise<boolean>;
      ready(): Promise<void>;
      setWasmPaths(prefix: string, simd?: boolean): void;
    };
    // `false`: with `true` tfjs treats the prefix as a URL to fetch and fails on a file path.
    tf.setWasmPaths(path.join(wasmDir, 'dist') + '/', false);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend did not start');
    await tf.ready();
    const model = path.join(packageDir, 'model');
    await faceapi.nets.ssdMobilenetv1.loadFromDisk(model);
    await faceapi.nets.tinyFaceDetector.loadFromDisk(model);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(model);
    await faceapi.nets.faceRecognitionNet.loadFromDisk(model);
  })();
  return ready;
}

export function readJpeg(file: string): Rgb {
  const decoded = jpeg.decode(readFileSync(file), { useTArray: true, formatAsRGBA: false });
  return { width: decoded.width, height: decoded.height, pixels: decoded.data };
}

function tensorOf(image: Rgb) {
  return faceapi.tf.tensor3d(image.pixels, [image.height, image.width, 3], 'int32');
}

/** Every face of the six photos, found with the larger ssd detector (group photos have small faces). */
export async function photoFaces(): Promise<PhotoFace[]> {
  await loadFaceModel();
  const faces: PhotoFace[] = [];
  for (const photo of SAMPLE_PHOTOS) {
    const tensor = tensorOf(readJpeg(photo));
    const found = await faceapi.detectAllFaces(tensor as never, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 20 }));
    tensor.dispose();
    found
      .map((f) => f.box)
      .sort((a, b) => a.x - b.x)
      .forEach((box, index) => faces.push({ photo, index, box: { x: box.x, y: box.y, width: box.width, height: box.height } }));
  }
  return faces;
}

export interface CropOptions {
  /** Space around the face on every side, in face widths (kiosk.md: at least one). */
  margin?: number;
  /** Moves the crop window, in face widths. */
  shiftX?: number;
  shiftY?: number;
  /** Added to every channel. */
  brightness?: number;
  /** Uniform noise amplitude per channel. */
  noise?: number;
  mirror?: boolean;
  seed?: number;
}

/** A square-ish crop around a face (outside the photo is grey), as a camera framing that one person would see. */
export function cropFace(image: Rgb, box: Box, options: CropOptions = {}): Rgb {
  const { margin = 1, shiftX = 0, shiftY = 0, brightness = 0, noise = 0, mirror = false } = options;
  const side = box.width;
  const left = Math.round(box.x - margin * side + shiftX * side);
  const top = Math.round(box.y + box.height / 2 - box.width / 2 - margin * side + shiftY * side);
  const width = Math.round(side * (1 + 2 * margin));
  const height = width;
  const pixels = new Uint8Array(width * height * 3);
  let state = (options.seed ?? 1) >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = left + (mirror ? width - 1 - x : x);
      const sy = top + y;
      const inside = sx >= 0 && sy >= 0 && sx < image.width && sy < image.height;
      for (let c = 0; c < 3; c++) {
        const value = inside ? image.pixels[(sy * image.width + sx) * 3 + c]! : 128;
        const noisy = value + brightness + (noise ? (random() * 2 - 1) * noise : 0);
        pixels[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(noisy)));
      }
    }
  }
  return { width, height, pixels };
}

/** The kiosk's descriptor of the one face in `image` (the kiosk's detector), or null when no face is found. */
export async function describe(image: Rgb): Promise<Described | null> {
  await loadFaceModel();
  const tensor = tensorOf(image);
  try {
    const options =
      KIOSK_DETECTOR.name === 'tiny'
        ? new faceapi.TinyFaceDetectorOptions({ inputSize: KIOSK_DETECTOR.inputSize, scoreThreshold: KIOSK_DETECTOR.scoreThreshold })
        : new faceapi.SsdMobilenetv1Options();
    const found = await faceapi
      .detectSingleFace(tensor as never, options)
      .withFaceLandmarks()
      .withFaceDescriptor();
    if (!found) return null;
    const points = found.landmarks.positions;
    const eyeMid = { x: (points[36]!.x + points[45]!.x) / 2, y: (points[36]!.y + points[45]!.y) / 2 };
    const eyes = Math.hypot(points[45]!.x - points[36]!.x, points[45]!.y - points[36]!.y);
    const { box } = found.detection;
    return {
      descriptor: Array.from(found.descriptor),
      box: { x: box.x, y: box.y, width: box.width, height: box.height },
      yaw: (points[30]!.x - eyeMid.x) / eyes,
    };
  } finally {
    tensor.dispose();
  }
}

export function euclidean(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}
