import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { KIOSK_MODELS, KIOSK_VENDOR_URL } from '../../src/modules/attendance/index.js';

/** The kiosk page as the tablet's browser gets it: no session, its own CSP, the model cached for a year. */
const t = useTestApp();

const get = (url: string) => t.app.inject({ method: 'GET', url });

describe('the kiosk page', () => {
  it('opens without a session, with no inline script, loading the model from our own origin', async () => {
    const res = await get('/kiosk');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="pairing-form"');
    expect(res.body).toContain(`<script src="${KIOSK_VENDOR_URL}face-api.js"></script>`);
    expect(res.body).toContain('<script type="module" src="/public/kiosk/kiosk.js"></script>');
    // Every script has a src (the CSP has no 'unsafe-inline'), and none comes from another site.
    const scripts = [...res.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.every((attrs) => /src="\/public\//.test(attrs))).toBe(true);
    expect(res.body).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('lets this page alone compile WebAssembly and use the camera; JavaScript eval stays refused', async () => {
    const kiosk = await get('/kiosk');
    const csp = String(kiosk.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(kiosk.headers['permissions-policy']).toContain('camera=(self)');
    expect(kiosk.headers['cache-control']).toBe('no-store');
    const login = await get('/login');
    expect(String(login.headers['content-security-policy'])).not.toContain('wasm-unsafe-eval');
  });

  it('serves the model files (bundle, weights, wasm) immutable for a year, and the page scripts', async () => {
    const files = [
      'face-api.js',
      ...KIOSK_MODELS.map((m) => `model/${m}-weights_manifest.json`),
      `model/${KIOSK_MODELS[0]}.bin`,
      'wasm/tfjs-backend-wasm-simd.wasm',
    ];
    for (const file of files) {
      const res = await get(`${KIOSK_VENDOR_URL}${file}`);
      expect(res.statusCode, file).toBe(200);
      expect(res.headers['cache-control'], file).toBe('public, max-age=31536000, immutable');
    }
    // tfjs streams the wasm compile only with the right type.
    expect((await get(`${KIOSK_VENDOR_URL}wasm/tfjs-backend-wasm.wasm`)).headers['content-type']).toBe('application/wasm');
    for (const script of ['kiosk.js', 'device.js', 'face.js', 'liveness.js']) {
      const res = await get(`/public/kiosk/${script}`);
      expect(res.statusCode, script).toBe(200);
      expect(res.headers['content-type'], script).toMatch(/javascript/);
    }
    // Only the versioned folder is immutable: the app's own files change in place.
    expect((await get('/public/css/app.css')).headers['cache-control']).not.toContain('immutable');
  });
});
