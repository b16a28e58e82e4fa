/**
 * The company of `npm run bench:recognize-api`, shared by the bench (which makes the queries) and its server
 * (which enrols the samples): the same seeded faces in both processes, so neither sends the other 10,000 vectors.
 * Each employee's 3 samples are 0.05 from the face (a query is another capture, 0.05 from it too).
 */
import { seeded } from '../../support/random.js';

const gaussian = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const unit = (v: number[]) => {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};
export const randomFace = (random: () => number) => unit(Array.from({ length: 128 }, () => gaussian(random)));
/** The same face again, moved by about `distance` in a random direction. */
export const near = (face: number[], distance: number, random: () => number) => {
  const step = randomFace(random);
  return unit(face.map((x, i) => x + step[i]! * distance));
};

export const BENCH_COMPANY = { employees: 10_000, samplesEach: 3, domain: 'bench-recognize.test' } as const;

/**
 * Faces with the geometry kiosk.md measured on face-api descriptors, as bench:recognize makes them: near-unit
 * vectors around a common direction, people spread unevenly over the dimensions (pairs of different people
 * 0.44–1.2 apart). Uniformly random unit vectors would put everyone 1.41 from everyone, which no face model does.
 */
const shape = seeded(17);
const common = randomFace(shape);
const spread = Array.from({ length: 128 }, (_, i) => Math.exp((-8 * i) / 128));
for (let i = spread.length - 1; i > 0; i--) {
  const j = Math.floor(shape() * (i + 1));
  [spread[i], spread[j]] = [spread[j]!, spread[i]!];
}
const rms = Math.sqrt(spread.reduce((sum, s) => sum + s * s, 0) / 128);

/** Employee i's face: deterministic in i. */
export function benchFace(i: number): number[] {
  const random = seeded(1_000_003 + i * 7919);
  return unit(common.map((c, k) => c + ((0.055 * spread[k]!) / rms) * gaussian(random)));
}

/** Somebody not enrolled. */
export const strangerFace = (random: () => number) => benchFace(1_000_000 + Math.floor(random() * 1_000_000));

/** Employee i's enrolled samples. */
export function benchSamples(i: number): number[][] {
  const random = seeded(2_000_003 + i * 104_729);
  const face = benchFace(i);
  return Array.from({ length: BENCH_COMPANY.samplesEach }, () => near(face, 0.05, random));
}

export const benchCode = (i: number) => `BR${String(i).padStart(6, '0')}`;
