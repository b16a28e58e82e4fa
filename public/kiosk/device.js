// The kiosk's identity: a P-256 key pair made here, the private half non-extractable and kept in
// IndexedDB (the browser stores the CryptoKey itself, never its bytes), and every API call signed over
// the exact bytes sent (X-Kiosk-Signature, specs/kiosk.md "Pairing a kiosk").

const DB_NAME = 'bizlumo-kiosk';
const STORE = 'identity';
const API = '/api/kiosk/v1/';

export class KioskError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

function database() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function inStore(mode, work) {
  const db = await database();
  try {
    return await new Promise((resolve, reject) => {
      const request = work(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

export const loadIdentity = () => inStore('readonly', (store) => store.get('kiosk'));
export const forgetIdentity = () => inStore('readwrite', (store) => store.delete('kiosk'));

async function send(path, bytes, headers = {}) {
  let response;
  try {
    response = await fetch(API + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: bytes,
    });
  } catch {
    throw new KioskError('network', 'The server cannot be reached');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new KioskError(body.error || `http_${response.status}`, body.message);
  return body;
}

/** Pairs with HR's one-time code; the key pair is made now and only its public half leaves. */
export async function pair(pairingCode, deviceName) {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const publicKeyJwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
  const bytes = new TextEncoder().encode(JSON.stringify({ pairingCode, publicKeyJwk, deviceName }));
  const { kioskId } = await send('pair', bytes);
  const identity = { kioskId, privateKey: keys.privateKey, deviceName, pairedAt: new Date().toISOString() };
  await inStore('readwrite', (store) => store.put(identity, 'kiosk'));
  return identity;
}

const base64url = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** POSTs `body` with the kiosk id, signed over the very bytes sent. */
export async function signed(identity, path, body) {
  const bytes = new TextEncoder().encode(JSON.stringify({ kioskId: identity.kioskId, ...body }));
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, identity.privateKey, bytes);
  return send(path, bytes, { 'x-kiosk-signature': base64url(signature) });
}
