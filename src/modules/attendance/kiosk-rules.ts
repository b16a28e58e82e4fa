import { Refused } from '../../platform/errors.js';
import type { Direction } from './schema.js';

/** The numbers of the kiosk API, in one place (specs/kiosk.md). */
export const KIOSK_LIMITS = {
  pairingCodeMs: 10 * 60_000,
  nonceMs: 60_000,
  /** How far a kiosk's `capturedAt` may be from the server's clock. */
  captureSkewMs: 60_000,
  /** Punches of one employee closer than this are one punch (someone looking twice at the camera). */
  punchMergeMs: 2 * 60_000,
  enrolmentTicketMs: 15 * 60_000,
  /** Largest distance between any two enrolment samples of one person. */
  sampleSpreadMax: 0.3,
  /** A burst: this many non-matches or liveness failures on one kiosk in one window raise one alert. */
  burstRefusals: 10,
  burstWindowMs: 5 * 60_000,
  /** Wrong PINs for one employee before the PIN is locked, and for how long (any kiosk). */
  pinFailures: 5,
  pinLockMs: 15 * 60_000,
} as const;
export const BURST_CODES = ['not_recognized', 'liveness_failed', 'pin_invalid'] as const;
/** bcrypt cost for PINs: the lock, not the hash, is what protects a few digits. */
export const PIN_COST = 10;

/** Refusals of the kiosk API, with the status each one answers. */
export const refusals = {
  invalidBody: (message = 'The request body is not valid') => new Refused(400, 'invalid_body', message),
  kioskRevoked: () => new Refused(401, 'kiosk_revoked', 'This kiosk has been revoked'),
  pairingInvalid: () => new Refused(400, 'pairing_invalid', 'The pairing code is unknown, used or expired'),
  // 409: the request itself is well-formed and signed, but the nonce's state forbids it; ask a new challenge.
  nonceUnknown: () => new Refused(409, 'nonce_unknown', 'Unknown nonce: ask for a new challenge'),
  nonceReused: () => new Refused(409, 'nonce_reused', 'This nonce was already used: ask for a new challenge'),
  nonceExpired: () => new Refused(409, 'nonce_expired', 'This nonce has expired: ask for a new challenge'),
  captureSkew: () => new Refused(400, 'captured_at_skew', 'capturedAt is more than 60 seconds from the server clock'),
  livenessFailed: () => new Refused(422, 'liveness_failed', 'Liveness check failed'),
  notRecognized: () => new Refused(422, 'not_recognized', 'Face not recognised'),
  enrolmentNotOpen: () => new Refused(409, 'enrolment_not_open', 'HR has not opened face enrolment for this employee'),
  inconsistentSamples: () => new Refused(422, 'inconsistent_samples', 'The samples do not look like one face: capture again'),
  faceAlreadyEnrolled: () => new Refused(409, 'face_already_enrolled', 'This face is already enrolled for another employee'),
  // Unknown code, no PIN set and a wrong PIN are one answer: a kiosk learns nothing about who exists.
  pinInvalid: () => new Refused(422, 'pin_invalid', 'Employee code or PIN is not right'),
  pinLocked: () => new Refused(429, 'pin_locked', 'Too many wrong PINs: try again in 15 minutes or ask HR'),
} as const;

export type RecognizeResult = { result: 'recognized'; employee: { firstName: string }; direction: Direction; at: string };
