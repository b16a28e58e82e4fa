import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { webcrypto } from 'node:crypto';
import { getPage, submitForm, type Browserish } from './auth.js';

/**
 * A kiosk as the tablet is one: a P-256 key pair made with WebCrypto (the page's own API), paired
 * through the real API with a code HR got from the kiosks page, signing the exact bytes it sends.
 */
export interface TestKiosk {
  kioskId: string;
  publicKeyJwk: JsonWebKey;
  sign(bytes: string | Uint8Array): Promise<string>;
}

export async function makeKioskKeys() {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const publicKeyJwk = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  const sign = async (bytes: string | Uint8Array) => {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, data);
    return Buffer.from(signature).toString('base64url');
  };
  return { publicKeyJwk, sign };
}

/** Creates a kiosk on HR's page and returns the one-time pairing code the page shows. */
export async function createKioskCode(app: FastifyInstance, hr: Browserish, name = 'Front door'): Promise<string> {
  const res = await submitForm(app, hr, '/attendance/kiosks', '/attendance/kiosks', { name, location: 'Lobby' });
  if (res.statusCode !== 200) throw new Error(`creating a kiosk answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  const match = /class="pairing-code"><strong>([A-Z2-9-]+)<\/strong>/.exec(res.body);
  if (!match) throw new Error('no pairing code on the page');
  return match[1]!;
}

export async function postJson(app: FastifyInstance, url: string, body: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: body });
}

export async function pairKiosk(app: FastifyInstance, hr: Browserish, name?: string): Promise<TestKiosk> {
  const keys = await makeKioskKeys();
  const code = await createKioskCode(app, hr, name);
  const res = await postJson(app, '/api/kiosk/v1/pair', JSON.stringify({ pairingCode: code, publicKeyJwk: keys.publicKeyJwk, deviceName: 'Test tablet' }));
  if (res.statusCode !== 200) throw new Error(`pairing answered ${res.statusCode}: ${res.body}`);
  return { kioskId: (res.json() as { kioskId: string }).kioskId, ...keys };
}

/** POSTs `body` (an object is serialised once; a string is sent as is) signed by `kiosk` (or by `signer`). */
export async function signedPost(
  app: FastifyInstance,
  kiosk: TestKiosk,
  path: string,
  body: object | string,
  options: { signer?: TestKiosk; signedBytes?: string } = {},
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const signature = await (options.signer ?? kiosk).sign(options.signedBytes ?? text);
  return postJson(app, `/api/kiosk/v1/${path}`, text, { 'x-kiosk-signature': signature });
}

export async function challenge(
  app: FastifyInstance,
  kiosk: TestKiosk,
): Promise<{ nonce: string; expiresAt: string; liveness: { challenge: 'blink' | 'turn_left' | 'turn_right' } }> {
  const res = await signedPost(app, kiosk, 'challenge', { kioskId: kiosk.kioskId });
  if (res.statusCode !== 200) throw new Error(`challenge answered ${res.statusCode}: ${res.body}`);
  return res.json();
}

// Synthetic face descriptors: random directions scaled to norm 1, like face-api's (real ones are a later session's work).

/** A deterministic pseudo-random generator, so a failing test fails the same way again. */
export function seeded(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
}

export function normalise(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  return vector.map((x) => x / norm);
}

export function randomFace(random: () => number): number[] {
  return normalise(Array.from({ length: 128 }, () => gaussian(random)));
}

/** The same face again: `face` moved by about `distance` in a random direction, renormalised. */
export function near(face: number[], distance: number, random: () => number): number[] {
  const step = randomFace(random);
  return normalise(face.map((x, i) => x + step[i]! * distance));
}

export function distance(a: number[], b: number[]): number {
  return Math.hypot(...a.map((x, i) => x - b[i]!));
}

export { getPage };
