/**
 * The face consent notice's version: the kiosk shows the text of views/attendance/kiosk-consent.njk and
 * sends this version with the acceptance, which is recorded with the samples. Change the text, change
 * the version, so every recorded consent names the words the employee read.
 */
export const CONSENT_TEXT_VERSION = 'face-consent-2026-12-v1';
