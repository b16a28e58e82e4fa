// The face model in the page: face-api with tfjs on the wasm backend, weights served by the app.
// Frames are read from the video element, kept only in this page's memory and dropped after use.
import { eyeOpeningOf, yawOf } from './liveness.js';

const faceapi = window.faceapi;

export async function loadModel(vendorUrl, detector) {
  const started = performance.now();
  // Without the wasm files tfjs asks the site root for them, gets 404, and setBackend answers false:
  // the page would then run on WebGL over a software renderer, 30 times slower. Check, do not hope.
  faceapi.tf.setWasmPaths(`${vendorUrl}wasm/`);
  if (!(await faceapi.tf.setBackend('wasm'))) throw new Error('The face model could not start (wasm backend unavailable)');
  await faceapi.tf.ready();
  const models = `${vendorUrl}model`;
  await Promise.all([
    faceapi.nets.tinyFaceDetector.loadFromUri(models),
    faceapi.nets.faceLandmark68Net.loadFromUri(models),
    faceapi.nets.faceRecognitionNet.loadFromUri(models),
  ]);
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize: detector.inputSize, scoreThreshold: detector.scoreThreshold });
  return { options, backend: faceapi.tf.getBackend(), loadMs: Math.round(performance.now() - started) };
}

/** One face with its landmarks in the current frame (or null), with the frame's size. */
export async function look(model, source) {
  const found = await faceapi.detectSingleFace(source, model.options).withFaceLandmarks();
  if (!found) return null;
  const { box } = found.detection;
  const points = found.landmarks.positions;
  return { box: { x: box.x, y: box.y, width: box.width, height: box.height }, yaw: yawOf(points), eyeOpening: eyeOpeningOf(points) };
}

/** A copy of the current frame, for a descriptor taken once the liveness capture is over. */
export function still(video) {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d', { willReadFrequently: true }).drawImage(video, 0, 0);
  return canvas;
}

/** The 128-number descriptor of the one face in `canvas` (same detector as enrolment), or null. */
export async function describe(model, canvas) {
  const found = await faceapi.detectSingleFace(canvas, model.options).withFaceLandmarks().withFaceDescriptor();
  return found ? Array.from(found.descriptor) : null;
}
