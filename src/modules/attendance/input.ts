import { z } from 'zod';
import { EMBEDDING_LENGTH } from './matcher.js';
import { LIVENESS_CHALLENGES } from './schema.js';

/**
 * The kiosk API's bodies (specs/kiosk.md). Strict objects: an unknown key is refused, above all anything
 * that could carry an image (we never accept images, not even by accident).
 */

/** Keys that would mean a kiosk is sending a picture: named in the refusal. */
export const IMAGE_LIKE_KEYS = ['image', 'photo', 'frame', 'frames', 'dataUrl', 'picture', 'jpeg', 'png', 'video', 'snapshot'] as const;

/**
 * A face-api / dlib descriptor has unit-ish norm (≈ 1) and small components. The bounds are loose enough
 * for any real descriptor and refuse the absurd (zeros, 1e300, a vector from another model).
 */
export const EMBEDDING_NORM = { min: 0.5, max: 2 } as const;
export const EMBEDDING_COMPONENT_MAX = 1;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'is not a kiosk id');

export const embedding = z
  .array(z.number().finite().min(-EMBEDDING_COMPONENT_MAX).max(EMBEDDING_COMPONENT_MAX), 'must be an array of numbers')
  .length(EMBEDDING_LENGTH, `must hold exactly ${EMBEDDING_LENGTH} numbers`)
  .refine((v) => {
    const norm = Math.hypot(...v);
    return norm >= EMBEDDING_NORM.min && norm <= EMBEDDING_NORM.max;
  }, `must have a norm between ${EMBEDDING_NORM.min} and ${EMBEDDING_NORM.max}`);

const liveness = z.strictObject({
  score: z.number().finite().min(0).max(1),
  method: z.enum(LIVENESS_CHALLENGES),
});

const nonce = z.string().regex(/^[0-9a-f]{32}$/, 'is not a nonce');
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const challengeBody = z.strictObject({ kioskId: uuid });

export const recognizeBody = z.strictObject({
  kioskId: uuid,
  nonce,
  capturedAt: instant,
  embedding,
  liveness,
});
export type RecognizeInput = z.infer<typeof recognizeBody>;

export const ENROLMENT_SAMPLES = { min: 3, max: 5 } as const;
export const enrolBody = z.strictObject({
  kioskId: uuid,
  nonce,
  employeeCode: z.string().trim().min(1).max(20),
  consent: z.strictObject({
    textVersion: z.string().trim().min(1).max(40),
    acceptedAt: instant,
  }),
  samples: z.array(embedding).min(ENROLMENT_SAMPLES.min).max(ENROLMENT_SAMPLES.max),
  liveness,
});
export type EnrolInput = z.infer<typeof enrolBody>;

const base64url = (length: number) => z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${length}}$`), 'is not a base64url P-256 coordinate');

/**
 * An ECDSA P-256 public key as WebCrypto exports it. `d` (the private part) or any other member is
 * refused; `ext` and `key_ops: ['verify']` are what exportKey adds and are allowed.
 */
export const publicKeyJwk = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: base64url(43),
  y: base64url(43),
  ext: z.boolean().optional(),
  key_ops: z.array(z.literal('verify')).max(1).optional(),
});

export const pairBody = z.strictObject({
  pairingCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z2-9]{4}-?[A-Z2-9]{4}-?[A-Z2-9]{2}$/, 'is not a pairing code'),
  publicKeyJwk,
  deviceName: z.string().trim().min(1).max(120),
});
export type PairInput = z.infer<typeof pairBody>;

/** A body's problems, with image-like fields named plainly. */
export function imageLikeKeysOf(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const keys = Object.keys(body);
  return keys.filter((k) => IMAGE_LIKE_KEYS.some((image) => k.toLowerCase() === image.toLowerCase()));
}

/** A personal kiosk PIN: 4 to 6 digits. */
export const PIN_PATTERN = /^\d{4,6}$/;

export const pinPunchBody = z.strictObject({
  kioskId: uuid,
  nonce,
  employeeCode: z.string().trim().min(1).max(20),
  pin: z.string().regex(PIN_PATTERN, 'must be 4 to 6 digits'),
});
export type PinPunchInput = z.infer<typeof pinPunchBody>;
