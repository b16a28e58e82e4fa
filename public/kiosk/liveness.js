// Liveness from face landmarks over frames (specs/kiosk.md, "Liveness"): pure functions, no DOM.
// It stops a still photo (identical landmarks in every frame) and a simple replay, nothing more:
// alternating mirrored frames pass the turn check. The consent notice says so too.

/** A change of the nose offset of this many eye distances scores 1 (a clear head turn). */
export const FULL_TURN = 0.3;
/** An eye closing to half its open height (relative to nose length) scores 1. */
export const FULL_BLINK = 0.5;

const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);

/**
 * Yaw, as the nose tip's horizontal offset from the eyes' midpoint over the eye distance (68-point
 * landmarks: 36 and 45 are the outer eye corners, 30 the nose tip). In the camera's own (unmirrored)
 * image a person turning to their left moves the nose to the image's right: the value grows.
 */
export function yawOf(points) {
  const mid = (points[36].x + points[45].x) / 2;
  return (points[30].x - mid) / dist(points[36], points[45]);
}

/**
 * Eye opening over nose length (27 to 30), not the usual eye aspect ratio: a photo tilted forward
 * shrinks the eye's height against its width and fools that ratio, but shrinks the nose as well.
 */
export function eyeOpeningOf(points) {
  const lids = (dist(points[37], points[41]) + dist(points[38], points[40]) + dist(points[43], points[47]) + dist(points[44], points[46])) / 4;
  return lids / dist(points[27], points[30]);
}

/** 0..1: the largest move in the asked direction, later frame against any earlier one. */
export function turnScore(yaws, challenge) {
  const sign = challenge === 'turn_left' ? 1 : -1;
  let lowest = Infinity;
  let best = 0;
  for (const yaw of yaws) {
    const value = sign * yaw;
    lowest = Math.min(lowest, value);
    best = Math.max(best, value - lowest);
  }
  return Math.min(1, best / FULL_TURN);
}

/** 0..1: the deepest closing of the eyes with open eyes both before and after it. */
export function blinkScore(openings) {
  let best = 0;
  for (let i = 1; i < openings.length - 1; i++) {
    const before = Math.max(...openings.slice(0, i));
    const after = Math.max(...openings.slice(i + 1));
    const open = Math.min(before, after);
    if (open > 0) best = Math.max(best, 1 - openings[i] / open);
  }
  return Math.min(1, best / FULL_BLINK);
}

export function livenessScore(challenge, frames) {
  if (challenge === 'blink') return blinkScore(frames.map((f) => f.eyeOpening));
  return turnScore(
    frames.map((f) => f.yaw),
    challenge,
  );
}

/**
 * Where the face must be before a descriptor is taken: one face width from every edge (face-api's
 * alignment clips a face near the left or top edge and its descriptor drifts, kiosk.md).
 */
export function placement(box, frameWidth, frameHeight) {
  const margin = box.width;
  if (box.width * 3 > frameWidth || box.width * 3 > frameHeight) return 'too_close';
  const inside = box.x >= margin && box.y >= margin && box.x + box.width <= frameWidth - margin && box.y + box.height <= frameHeight - margin;
  return inside ? 'centred' : 'off_centre';
}
