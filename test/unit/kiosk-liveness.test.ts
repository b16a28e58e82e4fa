import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The kiosk page's landmark liveness (public/kiosk/liveness.js, plain browser JavaScript) on synthetic
 * 68-point landmarks. What it stops: a still photo. What it does not (kiosk.md, "Liveness", and the
 * consent notice say so): alternating mirrored frames pass the turn check.
 */
type Point = { x: number; y: number };
interface Liveness {
  FULL_TURN: number;
  yawOf(points: Point[]): number;
  eyeOpeningOf(points: Point[]): number;
  turnScore(yaws: number[], challenge: string): number;
  blinkScore(openings: number[]): number;
  livenessScore(challenge: string, frames: { yaw: number; eyeOpening: number }[]): number;
  placement(box: { x: number; y: number; width: number; height: number }, width: number, height: number): string;
}
let liveness: Liveness;
beforeAll(async () => {
  liveness = (await import(new URL('../../public/kiosk/liveness.js', import.meta.url).href)) as Liveness;
});

/**
 * A face's landmarks: eyes 60 px apart, nose 50 px long, lids `open` px apart; `yaw` moves the nose
 * tip sideways (eye distances); `tilt` squashes everything vertically (a photo tilted forward).
 */
function face({ open = 10, yaw = 0, tilt = 1 }: { open?: number; yaw?: number; tilt?: number } = {}): Point[] {
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  const at = (i: number, x: number, y: number) => (points[i] = { x: 200 + x, y: 200 + y * tilt });
  at(36, -40, 0); // outer corner, image-left eye
  at(39, -20, 0);
  at(37, -33, -open / 2);
  at(38, -27, -open / 2);
  at(41, -33, open / 2);
  at(40, -27, open / 2);
  at(42, 20, 0);
  at(45, 40, 0); // outer corner, image-right eye
  at(43, 27, -open / 2);
  at(44, 33, -open / 2);
  at(47, 27, open / 2);
  at(46, 33, open / 2);
  at(27, 0, 5); // top of the nose
  at(30, yaw * 80, 55); // nose tip
  return points;
}
const frames = (faces: Point[][]) => faces.map((p) => ({ yaw: liveness.yawOf(p), eyeOpening: liveness.eyeOpeningOf(p) }));

describe('kiosk liveness from landmarks', () => {
  it('gives a still photo nothing, whatever the challenge', () => {
    const still = frames(Array.from({ length: 20 }, () => face({ yaw: 0.1 })));
    for (const challenge of ['blink', 'turn_left', 'turn_right']) expect(liveness.livenessScore(challenge, still)).toBe(0);
  });

  it('scores a head turn in the asked direction only', () => {
    const left = frames([0, 0.05, 0.15, 0.3, 0.35].map((yaw) => face({ yaw })));
    expect(liveness.livenessScore('turn_left', left)).toBe(1);
    expect(liveness.livenessScore('turn_right', left)).toBe(0);
    const half = frames([0, 0.075].map((yaw) => face({ yaw })));
    expect(liveness.livenessScore('turn_left', half)).toBeCloseTo(0.075 / liveness.FULL_TURN, 5);
  });

  it('scores a blink: eyes open, closed, open again; eyes that stay shut are not a blink', () => {
    expect(liveness.livenessScore('blink', frames([10, 10, 3, 10].map((open) => face({ open }))))).toBe(1);
    expect(liveness.livenessScore('blink', frames([10, 10, 3, 3].map((open) => face({ open }))))).toBe(0);
  });

  it('is not fooled by a photo tilted forward, which a raw eye aspect ratio takes for a blink', () => {
    const tilted = [1, 1, 0.6, 1].map((tilt) => face({ tilt }));
    expect(liveness.livenessScore('blink', frames(tilted))).toBeCloseTo(0, 5);
    // The usual ratio (lid gap over eye width) drops by 40% on the tilted frame.
    const ear = (p: Point[]) => Math.abs(p[41]!.y - p[37]!.y) / Math.abs(p[39]!.x - p[36]!.x);
    expect(1 - ear(tilted[2]!) / ear(tilted[0]!)).toBeCloseTo(0.4, 5);
  });

  it('passes alternating mirrored frames as a turn: a limit the product states, not a defence', () => {
    const mirrored = frames([-0.2, 0.2, -0.2, 0.2].map((yaw) => face({ yaw })));
    expect(liveness.livenessScore('turn_left', mirrored)).toBe(1);
    expect(liveness.livenessScore('turn_right', mirrored)).toBe(1);
  });

  it('wants the face one face width from every edge of the frame', () => {
    expect(liveness.placement({ x: 260, y: 180, width: 120, height: 120 }, 640, 480)).toBe('centred');
    expect(liveness.placement({ x: 100, y: 180, width: 120, height: 120 }, 640, 480)).toBe('off_centre');
    expect(liveness.placement({ x: 260, y: 100, width: 120, height: 120 }, 640, 480)).toBe('off_centre');
    expect(liveness.placement({ x: 200, y: 100, width: 200, height: 220 }, 640, 480)).toBe('too_close');
  });
});
