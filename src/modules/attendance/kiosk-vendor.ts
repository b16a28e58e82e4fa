/**
 * The in-browser face model the kiosk page loads (specs/kiosk.md): `@vladmandic/face-api` with its own
 * tfjs bundle, run on tfjs's wasm backend. `npm run kiosk:assets` copies these files out of
 * node_modules into `public/` at build; the folder name carries the versions, so every file name is
 * immutable and the tablet caches the ≈ 9 MB for a year. Bumping a package means bumping these.
 */
export const KIOSK_VENDOR = {
  faceApiVersion: '1.7.15',
  tfjsVersion: '4.22.0',
  /** Below public/; served at /public/kiosk/vendor/<dir>/. */
  dir: 'face-api-1.7.15_tfjs-4.22.0',
} as const;

export const KIOSK_VENDOR_URL = `/public/kiosk/vendor/${KIOSK_VENDOR.dir}/`;

/**
 * One detector for enrolment and recognition alike: ssd and tiny give descriptors 0.06–0.16 apart for
 * the same face. The tiny one is ≈ 3× faster per frame on a tablet's CPU (0.085 s against 0.3 s).
 */
export const KIOSK_DETECTOR = { name: 'tiny', inputSize: 416, scoreThreshold: 0.3 } as const;

/** The weights the page loads (face-api's model/ file stems). */
export const KIOSK_MODELS = ['tiny_face_detector_model', 'face_landmark_68_model', 'face_recognition_model'] as const;
