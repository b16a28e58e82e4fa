/**
 * Finding the employee a face embedding belongs to (specs/kiosk.md, "Recognition" step 5): 1:N over a
 * tenant's enrolled samples (several per employee), Euclidean distance. The best employee must be within
 * the threshold AND beat the second-best employee by the margin, else nobody: a false accept puts a punch,
 * and a day's pay, on the wrong person, so ambiguity is refused.
 *
 * Pure and synchronous: the attendance service keeps one matcher per tenant, built from the decrypted
 * samples and rebuilt when the tenant's enrolment version changes.
 */

export const EMBEDDING_LENGTH = 128;

export interface EnrolledSample {
  employeeId: string;
  /** EMBEDDING_LENGTH numbers. */
  vector: ArrayLike<number>;
}

export interface MatchRule {
  /** Largest accepted distance to the best employee (spec: default 0.42, per tenant 0.35–0.55). */
  threshold: number;
  /** How much closer the best employee must be than the second-best (spec: default 0.06). */
  margin: number;
}

export const DEFAULT_MATCH_RULE: MatchRule = { threshold: 0.42, margin: 0.06 };

export type MatchOutcome =
  | { kind: 'recognized'; employeeId: string; distance: number; runnerUpDistance: number | undefined }
  /** `bestDistance` lets HR see near misses (refused just above the threshold); undefined when nobody is enrolled. */
  | { kind: 'not_recognized'; bestDistance: number | undefined; reason: 'nobody_enrolled' | 'too_far' | 'ambiguous' };

export interface Matcher {
  /** Samples held. */
  readonly size: number;
  match(query: ArrayLike<number>, rule: MatchRule): MatchOutcome;
}

/** Each employee's nearest sample distance, then the rule. The rule alone, for any way of finding the two nearest. */
export function decide(best: { employeeId: string; distance: number } | undefined, runnerUp: number | undefined, rule: MatchRule): MatchOutcome {
  if (!best) return { kind: 'not_recognized', bestDistance: undefined, reason: 'nobody_enrolled' };
  if (best.distance > rule.threshold) return { kind: 'not_recognized', bestDistance: best.distance, reason: 'too_far' };
  if (runnerUp !== undefined && runnerUp - best.distance < rule.margin) return { kind: 'not_recognized', bestDistance: best.distance, reason: 'ambiguous' };
  return { kind: 'recognized', employeeId: best.employeeId, distance: best.distance, runnerUpDistance: runnerUp };
}

/**
 * The plain loop over every sample: the reference answer (tests) and the floor (`npm run bench:recognize`).
 * A faster matcher must give exactly its answers.
 */
export function bruteForceMatcher(samples: EnrolledSample[]): Matcher {
  const vectors = samples.map((s) => Float32Array.from(s.vector));
  return {
    size: samples.length,
    match(query, rule) {
      const nearest = new Map<string, number>();
      for (let i = 0; i < samples.length; i++) {
        const d = euclidean(vectors[i]!, query);
        const id = samples[i]!.employeeId;
        if (d < (nearest.get(id) ?? Infinity)) nearest.set(id, d);
      }
      let best: { employeeId: string; distance: number } | undefined;
      let runnerUp: number | undefined;
      for (const [employeeId, distance] of nearest) {
        if (!best || distance < best.distance) {
          if (best) runnerUp = best.distance;
          best = { employeeId, distance };
        } else if (runnerUp === undefined || distance < runnerUp) {
          runnerUp = distance;
        }
      }
      return decide(best, runnerUp, rule);
    },
  };
}

export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < EMBEDDING_LENGTH; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** The matcher the service uses. (Today the plain loop; a pruned one must keep its exact answers.) */
export const buildMatcher = bruteForceMatcher;
