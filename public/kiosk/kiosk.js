// The kiosk page: pairing on first open, then the camera loop (face → challenge → liveness →
// descriptor → signed recognize), the PIN fallback and enrolment with consent (specs/kiosk.md).
import { forgetIdentity, KioskError, loadIdentity, pair, signed } from './device.js';
import { describe, loadModel, look, still } from './face.js';
import { livenessScore, placement } from './liveness.js';

const body = document.body;
const config = { vendorUrl: body.dataset.vendorUrl, detector: JSON.parse(body.dataset.detector), consentVersion: body.dataset.consentVersion };
const $ = (id) => document.getElementById(id);
const video = $('camera');
/** How long a liveness challenge may take, and how long a result stays on screen. */
const CHALLENGE_MS = 6000;
const RESULT_MS = 5000;

const INSTRUCTIONS = { blink: 'Please blink', turn_left: 'Please turn your head to your left', turn_right: 'Please turn your head to your right' };
const REASONS = {
  liveness_failed: 'We could not confirm a live face. Please follow the instruction on screen and try again.',
  not_recognized: 'Sorry, we did not recognise you. Please try again, or use your PIN.',
  nonce_expired: 'That took too long. Please try again.',
  nonce_reused: 'Please try again.',
  nonce_unknown: 'Please try again.',
  captured_at_skew: "This kiosk's clock is wrong. Please tell HR.",
  invalid_body: 'Something went wrong reading your face. Please try again.',
  bad_signature: 'This kiosk is not recognised by the server. Please ask HR to pair it again.',
  kiosk_revoked: 'This kiosk has been revoked by HR. Please ask HR for a new pairing code.',
  pin_invalid: 'Employee code or PIN is not right.',
  pin_locked: 'Too many wrong PINs. Try again in 15 minutes or ask HR.',
  enrolment_not_open: 'HR has not opened face enrolment for this employee code (it stays open 15 minutes).',
  inconsistent_samples: 'The pictures did not look like one face. Please keep still and try again.',
  face_already_enrolled: 'This face is already enrolled for another employee. Please ask HR.',
  no_face: 'We lost sight of your face. Please look at the camera and try again.',
  network: 'The server cannot be reached. Please try again in a moment.',
};

let identity = null;
let model = null;
/** 'scan' (looking for a face), 'busy' (an attempt is on), 'paused' (a result is shown). */
let mode = 'busy';
/** The PIN or enrolment panel is open: the camera loop waits. */
let panelOpen = false;
/** The camera loop's attempt in flight, which an enrolment lets finish before it uses the camera. */
let attempt = Promise.resolve();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const show = (id, visible) => ($(id).hidden = !visible);
const prompt = (text) => ($('prompt').textContent = text);
function setState(state) {
  body.dataset.state = state;
}

/** Announced by the aria-live region; `code` and `purpose` are kept on it for support (and the tests). */
function announce(code, text, purpose = 'punch') {
  const result = $('result');
  result.dataset.code = code;
  result.dataset.for = purpose;
  result.className = `result ${code === 'recognized' || code === 'enrolled' ? 'result-ok' : 'result-retry'}`;
  result.textContent = text;
}

function istParts(iso) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(new Date(iso));
  const hour = Number(parts.find((p) => p.type === 'hour').value);
  const minute = parts.find((p) => p.type === 'minute').value;
  return { hour, time: `${String(hour).padStart(2, '0')}:${minute}` };
}

export function greeting(result) {
  const { hour, time } = istParts(result.at);
  const part = hour < 12 ? 'Good morning' : hour < 17 ? 'Good afternoon' : 'Good evening';
  const name = result.employee.firstName ? `, ${result.employee.firstName}` : '';
  return `${part}${name} — checked ${result.direction === 'out' ? 'out' : 'in'} ${time}`;
}

async function refused(error, purpose = 'punch') {
  const code = error instanceof KioskError ? error.code : 'error';
  announce(code, REASONS[code] || 'Something went wrong. Please try again.', purpose);
  if (code === 'kiosk_revoked' || code === 'bad_signature') {
    await forgetIdentity();
    identity = null;
    showPairing();
  }
}

// Pairing

function showPairing() {
  mode = 'busy';
  setState('pairing');
  show('station', false);
  show('pairing', true);
  $('pairing-code').focus();
}

$('pairing-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('pairing-error').textContent = '';
  try {
    identity = await pair($('pairing-code').value.trim(), $('device-name').value.trim() || 'Kiosk tablet');
    show('pairing', false);
    await startStation();
  } catch (error) {
    $('pairing-error').textContent =
      error.code === 'pairing_invalid' ? 'That code is unknown, used or expired. Ask HR for a new one.' : error.message || 'Pairing failed.';
  }
});

// The camera and the model

async function startStation() {
  show('station', true);
  setState('loading');
  prompt('Starting the camera and the face model…');
  try {
    // Paired again after a revocation: the old stream goes before a new one opens.
    for (const track of video.srcObject?.getTracks() ?? []) track.stop();
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, facingMode: 'user' }, audio: false });
    video.srcObject = stream;
    await video.play();
    model = await loadModel(config.vendorUrl, config.detector);
    body.dataset.backend = model.backend;
    body.dataset.modelLoadMs = String(model.loadMs);
    body.dataset.model = 'ready';
  } catch (error) {
    setState('failed');
    body.dataset.model = 'failed';
    prompt(`The kiosk cannot start: ${error.message}`);
    return;
  }
  mode = 'scan';
  setState('ready');
  void scanLoop();
}

/** A decoded frame: the fake and some real cameras deliver empty frames first. */
const frameReady = () => video.readyState >= 2 && video.videoWidth > 0;

/**
 * Waits for the camera's next frame. Also the loops' breath: on the wasm backend the model answers
 * without ever leaving the microtask queue, and a loop that never yields a task freezes the page.
 */
function nextFrame() {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 200);
    video.requestVideoFrameCallback?.(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function scanLoop() {
  for (;;) {
    await nextFrame();
    if (mode !== 'scan' || panelOpen || !frameReady()) {
      await sleep(150);
      continue;
    }
    const started = performance.now();
    const face = await look(model, video);
    body.dataset.frameMs = String(Math.round(performance.now() - started));
    if (mode !== 'scan' || panelOpen) continue;
    if (!face) {
      prompt('Please look at the camera');
      continue;
    }
    const where = placement(face.box, video.videoWidth, video.videoHeight);
    // For whoever looks after the kiosk (and the tests): where the face was last seen.
    body.dataset.face = `${Math.round(face.box.x)},${Math.round(face.box.y)},${Math.round(face.box.width)}x${Math.round(face.box.height)} in ${video.videoWidth}x${video.videoHeight}`;
    if (where !== 'centred') {
      prompt(where === 'too_close' ? 'Please step back a little' : 'Please step to the centre');
      continue;
    }
    mode = 'busy';
    attempt = recognise().catch(refused);
    await attempt;
    if (!identity) return; // revoked: the pairing form is up, the camera loop ends
    await pause();
  }
}

/** Shows a result for a while, then the camera loop looks for the next person. */
async function pause() {
  mode = 'paused';
  setState('result');
  await sleep(RESULT_MS);
  mode = 'scan';
  setState('ready');
}

/**
 * Answers the server's challenge from landmarks over frames, keeping copies of `samples` frames in the
 * resting pose (the first frame's yaw): the descriptors come from those. Enrolment wants several, so
 * it asks the person to look straight at the camera first and shows the challenge once it has them.
 */
async function capture(challenge, samples) {
  setState('challenge');
  const frames = [];
  const stills = [];
  const until = performance.now() + CHALLENGE_MS * (samples > 1 ? 2 : 1);
  let score = 0;
  prompt(samples > 1 ? 'Please look straight at the camera' : INSTRUCTIONS[challenge]);
  while (performance.now() < until && (score < 1 || stills.length < samples)) {
    await nextFrame();
    if (!frameReady()) continue;
    const frame = still(video);
    const face = await look(model, frame);
    if (!face || placement(face.box, frame.width, frame.height) !== 'centred') continue;
    frames.push(face);
    if (stills.length < samples && Math.abs(face.yaw - frames[0].yaw) < 0.06) {
      stills.push(frame);
      if (stills.length === samples) prompt(INSTRUCTIONS[challenge]);
    }
    score = livenessScore(challenge, frames);
  }
  const capturedAt = new Date().toISOString();
  body.dataset.liveness = `${challenge} ${score.toFixed(3)} over ${frames.length} frames`;
  prompt('One moment…');
  const descriptors = [];
  const describing = performance.now();
  for (const frame of stills) {
    const descriptor = await describe(model, frame);
    if (descriptor) descriptors.push(descriptor);
  }
  body.dataset.describeMs = String(Math.round((performance.now() - describing) / Math.max(1, stills.length)));
  stills.length = 0; // the frames are dropped here: only numbers leave the page
  if (descriptors.length < samples) throw new KioskError('no_face');
  return { descriptors, capturedAt, liveness: { score: Math.round(score * 1000) / 1000, method: challenge } };
}

async function recognise() {
  const { nonce, liveness } = await signed(identity, 'challenge', {});
  const taken = await capture(liveness.challenge, 1);
  const result = await signed(identity, 'recognize', { nonce, capturedAt: taken.capturedAt, embedding: taken.descriptors[0], liveness: taken.liveness });
  announce('recognized', greeting(result));
}

// The PIN fallback: refusing face enrolment costs nothing.

$('use-pin').addEventListener('click', () => {
  panelOpen = true;
  show('pin-form', true);
  $('pin-code').focus();
});
$('pin-cancel').addEventListener('click', () => {
  show('pin-form', false);
  panelOpen = false;
});
$('pin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const employeeCode = $('pin-code').value.trim();
  const pin = $('pin-pin').value;
  $('pin-pin').value = '';
  try {
    const { nonce } = await signed(identity, 'challenge', {});
    announce('recognized', greeting(await signed(identity, 'pin-punch', { nonce, employeeCode, pin })), 'pin');
    show('pin-form', false);
    panelOpen = false;
  } catch (error) {
    await refused(error, 'pin'); // the form stays open to try again
  }
});

// Enrolment: HR opened it for an employee code; the employee reads the notice and chooses.

$('enrol').addEventListener('click', () => {
  panelOpen = true;
  show('enrol-start', true);
  $('enrol-code').focus();
});
for (const id of ['enrol-cancel', 'consent-decline']) {
  $(id).addEventListener('click', () => {
    show('enrol-start', false);
    show('consent', false);
    if (id === 'consent-decline') announce('declined', 'No face data was taken. You can punch with your employee code and PIN.', 'enrol');
    panelOpen = false;
  });
}
$('enrol-start').addEventListener('submit', (event) => {
  event.preventDefault();
  show('enrol-start', false);
  show('consent', true);
  $('consent-accept').focus();
});
$('consent-accept').addEventListener('click', async () => {
  const acceptedAt = new Date().toISOString();
  show('consent', false);
  const employeeCode = $('enrol-code').value.trim();
  try {
    await attempt;
    await waitForCentredFace();
    const { nonce, liveness } = await signed(identity, 'challenge', {});
    const taken = await capture(liveness.challenge, 3);
    const consent = { textVersion: config.consentVersion, acceptedAt };
    const result = await signed(identity, 'enrol', { nonce, employeeCode, consent, samples: taken.descriptors, liveness: taken.liveness });
    announce('enrolled', `Thank you — your face is enrolled (${result.samples} samples). You can now punch by looking at the camera.`, 'enrol');
  } catch (error) {
    await refused(error, 'enrol');
  }
  if (!identity) return;
  setState('result');
  await sleep(RESULT_MS);
  panelOpen = false;
});

async function waitForCentredFace() {
  const until = performance.now() + 15_000;
  while (performance.now() < until) {
    await nextFrame();
    const face = frameReady() ? await look(model, video) : null;
    if (face && placement(face.box, video.videoWidth, video.videoHeight) === 'centred') return;
    prompt(face ? 'Please step to the centre' : 'Please look at the camera');
    await sleep(100);
  }
  throw new KioskError('no_face');
}

identity = await loadIdentity();
if (identity) await startStation();
else showPairing();
