import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { authenticateRequest } from '../../platform/http/context.js';
import { badSignature, KIOSK, KIOSK_SIGNATURE_HEADER, PUBLIC, type KioskAuthenticator } from '../access/index.js';
import { challengeBody, enrolBody, imageLikeKeysOf, pairBody, pinPunchBody, recognizeBody } from './input.js';
import { refusals, type Attendance } from './service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes of a kiosk API body: what the kiosk signed. Set only on the kiosk API's routes. */
    kioskRawBody?: Buffer;
  }
}

/** A kiosk request is a few kilobytes of numbers; nothing bigger (an image!) is even read. */
export const KIOSK_BODY_LIMIT = 16 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as the schema allows it, or invalid_body naming the problems (and any image-like field). */
function parseKioskBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const images = imageLikeKeysOf(body);
  if (images.length > 0) throw refusals.invalidBody(`${images.join(', ')}: images are never accepted, only the embedding`);
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw refusals.invalidBody(result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
}

/**
 * The signature check the access module runs for `{ kiosk: true }` routes: the kiosk named in the
 * (already validated) body must have signed the exact raw bytes; it then becomes the context's actor.
 */
export function kioskAuthenticator(attendance: Attendance): KioskAuthenticator {
  return async (request: FastifyRequest) => {
    const signature = request.headers[KIOSK_SIGNATURE_HEADER];
    const kioskId = (request.body as { kioskId?: unknown } | undefined)?.kioskId;
    if (typeof signature !== 'string' || typeof kioskId !== 'string' || !request.kioskRawBody) throw badSignature();
    const kiosk = await attendance.verifyKiosk(kioskId, request.kioskRawBody, signature);
    authenticateRequest(request, kiosk.tenantId, { kind: 'kiosk', kioskId: kiosk.kioskId });
  };
}

/**
 * The kiosk API (specs/kiosk.md), JSON only. Authenticated by signature, not by cookie: CSRF does not
 * apply (config.csrf false on these routes only). Checks run in the spec's order: body (route
 * preValidation), signature and revocation (the access module's preHandler), then the use case.
 */
export async function kioskApiRoutes(app: FastifyInstance, options: { attendance: Attendance }): Promise<void> {
  const { attendance } = options;

  // This plugin's own parsers: only JSON, kept as the exact bytes for the signature.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: KIOSK_BODY_LIMIT }, (request, body, done) => {
    const bytes = body as Buffer;
    request.kioskRawBody = bytes;
    try {
      done(null, JSON.parse(utf8.decode(bytes)));
    } catch {
      done(refusals.invalidBody('The body is not JSON'), undefined);
    }
  });

  const validated = (schema: z.ZodType) => async (request: FastifyRequest) => {
    request.body = parseKioskBody(schema, request.body);
  };
  const SIGNED = { access: KIOSK, csrf: false } as const;

  app.post('/pair', { config: { access: PUBLIC, csrf: false }, preValidation: validated(pairBody) }, async (request) => {
    return attendance.pair(request.context, request.body as z.infer<typeof pairBody>);
  });

  app.post('/challenge', { config: SIGNED, preValidation: validated(challengeBody) }, async (request) => {
    return attendance.challenge(request.context);
  });

  app.post('/recognize', { config: SIGNED, preValidation: validated(recognizeBody) }, async (request) => {
    return attendance.recognize(request.context, request.body as z.infer<typeof recognizeBody>);
  });

  app.post('/pin-punch', { config: SIGNED, preValidation: validated(pinPunchBody) }, async (request) => {
    return attendance.pinPunch(request.context, request.body as z.infer<typeof pinPunchBody>);
  });

  app.post('/enrol', { config: SIGNED, preValidation: validated(enrolBody) }, async (request) => {
    return attendance.enrol(request.context, request.body as z.infer<typeof enrolBody>);
  });
}
