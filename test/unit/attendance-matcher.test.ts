import { describe, expect, it } from 'vitest';
import {
  bruteForceMatcher,
  buildMatcher,
  decide,
  DEFAULT_MATCH_RULE,
  EMBEDDING_LENGTH,
  euclidean,
  type EnrolledSample,
  type MatchOutcome,
  type MatchRule,
} from '../../src/modules/attendance/matcher.js';
import { seeded } from '../support/random.js';

function faces(seed: number) {
  const random = seeded(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const unit = (v: number[]) => {
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  const common = unit(Array.from({ length: EMBEDDING_LENGTH }, gaussian));
  /** A person: near the common direction, spread unevenly over the dimensions as real descriptors are. */
  const spread = Array.from({ length: EMBEDDING_LENGTH }, () => 0.02 + 0.12 * random() ** 3);
  const person = () => unit(common.map((c, i) => c + spread[i]! * gaussian()));
  /** Another capture of the same face: `size` away in a random direction. */
  const capture = (centre: number[], size: number) => {
    const direction = unit(Array.from({ length: EMBEDDING_LENGTH }, gaussian));
    return centre.map((c, i) => c + direction[i]! * size);
  };
  return { random, person, capture };
}

function agree(samples: EnrolledSample[], queries: number[][], rules: MatchRule[]): { outcomes: Record<string, number> } {
  const matcher = buildMatcher(samples);
  const plain = bruteForceMatcher(samples);
  expect(matcher.size).toBe(samples.length);
  const outcomes: Record<string, number> = {};
  queries.forEach((query, q) => {
    for (const rule of rules) {
      const expected = plain.match(query, rule);
      const actual = matcher.match(query, rule);
      // Every field, bit for bit: toStrictEqual compares numbers with Object.is.
      if (JSON.stringify(actual) !== JSON.stringify(expected)) expect({ query: q, rule, actual }).toStrictEqual({ query: q, rule, actual: expected });
      const key = actual.kind === 'recognized' ? 'recognized' : actual.reason;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
  });
  return { outcomes };
}

const RULES: MatchRule[] = [DEFAULT_MATCH_RULE, { threshold: 0.35, margin: 0.06 }, { threshold: 0.55, margin: 0.1 }, { threshold: 0.42, margin: 0 }];

const vector = (...head: number[]) => [...head, ...Array<number>(EMBEDDING_LENGTH - head.length).fill(0)];

describe('the pruned matcher gives exactly the plain loop’s answers', () => {
  it('on thousands of queries: noisy copies of enrolled faces, strangers, people close to each other', () => {
    const { random, person, capture } = faces(17);
    const people = Array.from({ length: 400 }, person);
    // Close pairs: a second person 0.15–0.45 from another, the case the margin is for.
    for (let i = 0; i < 150; i++) people.push(capture(people[i]!, 0.15 + 0.3 * random()));
    const samples: EnrolledSample[] = people.flatMap((centre, p) =>
      Array.from({ length: 1 + Math.floor(random() * 5) }, () => ({ employeeId: `employee-${p}`, vector: capture(centre, 0.04 + 0.14 * random()) })),
    );
    // Enrolment order is not grouped by employee.
    for (let i = samples.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [samples[i], samples[j]] = [samples[j]!, samples[i]!];
    }
    const queries = Array.from({ length: 2500 }, () => {
      const roll = random();
      if (roll < 0.1) return capture(person(), 0.04 + 0.14 * random()); // a stranger
      if (roll < 0.15) return samples[Math.floor(random() * samples.length)]!.vector as number[]; // an enrolled sample itself
      return capture(people[Math.floor(random() * people.length)]!, 0.04 + 0.2 * random());
    });
    const { outcomes } = agree(samples, queries, RULES);
    // The queries exercise every outcome, not only the easy one.
    expect(outcomes.recognized).toBeGreaterThan(2500);
    expect(outcomes.too_far).toBeGreaterThan(250);
    expect(outcomes.ambiguous).toBeGreaterThan(200);
  });

  it('on ties and near-ties between employees (the first enrolled wins a tie, as in the plain loop)', () => {
    const { random, person, capture } = faces(42);
    const people = Array.from({ length: 30 }, person);
    const samples: EnrolledSample[] = [];
    people.forEach((centre, p) => {
      const own = [capture(centre, 0.1), capture(centre, 0.15)];
      for (const v of own) samples.push({ employeeId: `employee-${p}`, vector: v });
      // A twin enrolled with the very same vectors, and a near-twin a float32 step or so away.
      if (p % 3 === 0) for (const v of own) samples.push({ employeeId: `twin-${p}`, vector: v });
      if (p % 3 === 1) for (const v of own) samples.push({ employeeId: `near-twin-${p}`, vector: v.map((x, i) => (i === p ? x + 1e-7 : x)) });
    });
    const queries = Array.from({ length: 600 }, () => capture(people[Math.floor(random() * people.length)]!, 0.05 + 0.15 * random()));
    for (const s of samples.slice(0, 20)) queries.push([...(s.vector as number[])]);
    const { outcomes } = agree(samples, queries, [...RULES, { threshold: 0.42, margin: 1e-9 }]);
    expect(outcomes.ambiguous).toBeGreaterThan(300);
  });

  it('with one employee, and with nobody enrolled', () => {
    const { person, capture } = faces(7);
    const centre = person();
    const samples = [0.1, 0.12, 0.14].map((size) => ({ employeeId: 'only', vector: capture(centre, size) }));
    agree(samples, [capture(centre, 0.1), capture(centre, 0.6), person()], RULES);
    const near = buildMatcher(samples).match(capture(centre, 0.05), DEFAULT_MATCH_RULE);
    expect(near).toMatchObject({ kind: 'recognized', employeeId: 'only', runnerUpDistance: undefined });

    const nobody = buildMatcher([]);
    expect(nobody.size).toBe(0);
    expect(nobody.match(centre, DEFAULT_MATCH_RULE)).toStrictEqual({ kind: 'not_recognized', bestDistance: undefined, reason: 'nobody_enrolled' });
    expect(bruteForceMatcher([]).match(centre, DEFAULT_MATCH_RULE)).toStrictEqual(nobody.match(centre, DEFAULT_MATCH_RULE));
  });
});

describe('the rule, through the matcher', () => {
  it('refuses a face close to two employees as ambiguous, with the best distance for HR', () => {
    // Query at the origin; Asha 0.25 away, Bala 0.28 away: within the threshold, but only 0.03 apart.
    const matcher = buildMatcher([
      { employeeId: 'asha', vector: vector(0.25) },
      { employeeId: 'bala', vector: vector(0, 0.28) },
    ]);
    const outcome = matcher.match(vector(), DEFAULT_MATCH_RULE);
    expect(outcome).toStrictEqual({ kind: 'not_recognized', bestDistance: Math.fround(0.25), reason: 'ambiguous' });
  });

  it('accepts a distance exactly at the threshold and refuses one just above it', () => {
    // 0.375 and 0.5 are exact in float32 and float64, so the distances are exactly these numbers.
    const matcher = buildMatcher([
      { employeeId: 'asha', vector: vector(0.375) },
      { employeeId: 'bala', vector: vector(0, 0, 0.5, 0.5) },
    ]);
    expect(matcher.match(vector(), { threshold: 0.375, margin: 0.06 })).toMatchObject({ kind: 'recognized', employeeId: 'asha', distance: 0.375 });
    expect(matcher.match(vector(), { threshold: 0.375 - 2 ** -40, margin: 0.06 })).toStrictEqual({
      kind: 'not_recognized',
      bestDistance: 0.375,
      reason: 'too_far',
    });
  });

  it('accepts a runner-up exactly the margin behind and refuses one a hair closer', () => {
    // Asha 0.25 away, Bala 0.5 away: the gap is exactly 0.25.
    const matcher = buildMatcher([
      { employeeId: 'asha', vector: vector(0.25) },
      { employeeId: 'bala', vector: vector(0, 0.5) },
    ]);
    expect(matcher.match(vector(), { threshold: 0.42, margin: 0.25 })).toStrictEqual({
      kind: 'recognized',
      employeeId: 'asha',
      distance: 0.25,
      runnerUpDistance: 0.5,
    });
    expect(matcher.match(vector(), { threshold: 0.42, margin: 0.25 + 2 ** -40 })).toStrictEqual({
      kind: 'not_recognized',
      bestDistance: 0.25,
      reason: 'ambiguous',
    });
  });

  it('refuses a sample or a query that is not an embedding', () => {
    expect(() => buildMatcher([{ employeeId: 'asha', vector: [0.1, 0.2] }])).toThrow(/128/);
    expect(() => buildMatcher([{ employeeId: 'asha', vector: vector(0.1) }]).match([0.1], DEFAULT_MATCH_RULE)).toThrow(/128/);
  });
});

describe('the plain loop', () => {
  it('is the definition: each employee’s nearest sample (as float32) by euclidean, then decide', () => {
    const { random, person, capture } = faces(99);
    const people = Array.from({ length: 50 }, person);
    const samples = people.flatMap((centre, p) => [0.08, 0.12, 0.16].map((size) => ({ employeeId: `employee-${p}`, vector: capture(centre, size) })));
    const plain = bruteForceMatcher(samples);
    for (let n = 0; n < 200; n++) {
      const query = random() < 0.1 ? person() : capture(people[Math.floor(random() * people.length)]!, 0.05 + 0.2 * random());
      const nearest = new Map<string, number>();
      for (const s of samples) nearest.set(s.employeeId, Math.min(nearest.get(s.employeeId) ?? Infinity, euclidean(Float32Array.from(s.vector), query)));
      const [first, second] = [...nearest].sort((a, b) => a[1] - b[1]);
      const expected: MatchOutcome = decide({ employeeId: first![0], distance: first![1] }, second![1], DEFAULT_MATCH_RULE);
      expect(plain.match(query, DEFAULT_MATCH_RULE)).toStrictEqual(expected);
    }
  });
});
