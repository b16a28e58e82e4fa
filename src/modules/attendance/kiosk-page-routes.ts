import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import path from 'node:path';
import { publicDir } from '../../platform/paths.js';
import { PUBLIC } from '../access/index.js';
import { CONSENT_TEXT_VERSION } from './consent.js';
import { KIOSK_DETECTOR, KIOSK_VENDOR, KIOSK_VENDOR_URL } from './kiosk-vendor.js';

/** A year: the vendor folder's name carries the package versions, so its files never change in place. */
const VENDOR_MAX_AGE_MS = 365 * 24 * 3600_000;

/**
 * The kiosk page (specs/kiosk.md, "Pieces"): public, no session — the tablet proves itself by its key
 * on every API call, not by a cookie. The model runs in the page; frames never leave it.
 */
export async function kioskPageRoutes(app: FastifyInstance): Promise<void> {
  app.get('/kiosk', { config: { access: PUBLIC } }, async (_request, reply) => {
    // tfjs compiles its WebAssembly backend: 'wasm-unsafe-eval' allows that (and no JS eval), on this page only.
    const policy = String(reply.getHeader('content-security-policy') ?? '');
    reply.header('content-security-policy', policy.replace(/script-src 'self'/, "script-src 'self' 'wasm-unsafe-eval'"));
    // The camera for this origin's kiosk page; nothing else anywhere.
    reply.header('permissions-policy', 'camera=(self), microphone=(), geolocation=()');
    return reply.view('attendance/kiosk.njk', {
      title: 'Kiosk',
      vendorUrl: KIOSK_VENDOR_URL,
      detector: KIOSK_DETECTOR,
      consentVersion: CONSENT_TEXT_VERSION,
    });
  });

  // The model files, cached for a year and immutable (≈ 9 MB a tablet downloads once).
  await app.register(async (assets) => {
    assets.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), access: PUBLIC };
    });
    await assets.register(fastifyStatic, {
      root: path.join(publicDir, 'kiosk', 'vendor', KIOSK_VENDOR.dir),
      prefix: KIOSK_VENDOR_URL,
      decorateReply: false,
      cacheControl: true,
      maxAge: VENDOR_MAX_AGE_MS,
      immutable: true,
      index: false,
    });
  });
}
