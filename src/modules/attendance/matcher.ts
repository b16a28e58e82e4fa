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
 * The samples as the matchers hold them: one contiguous `Float32Array` (a row of EMBEDDING_LENGTH per sample),
 * rows grouped by employee, employees numbered in order of first appearance (the order ties are broken in).
 */
interface Enrolment {
  employeeIds: string[];
  /** Rows of employee e are firstRow[e] up to firstRow[e + 1]. */
  firstRow: Int32Array;
  rows: Float32Array;
}

function layOut(samples: EnrolledSample[]): Enrolment {
  const numberOf = new Map<string, number>();
  const employeeIds: string[] = [];
  const counts: number[] = [];
  for (const sample of samples) {
    if (sample.vector.length !== EMBEDDING_LENGTH) throw new Error(`an enrolled sample must hold ${EMBEDDING_LENGTH} numbers, not ${sample.vector.length}`);
    let e = numberOf.get(sample.employeeId);
    if (e === undefined) {
      e = employeeIds.length;
      numberOf.set(sample.employeeId, e);
      employeeIds.push(sample.employeeId);
      counts.push(0);
    }
    counts[e]!++;
  }
  const firstRow = new Int32Array(employeeIds.length + 1);
  for (let e = 0; e < employeeIds.length; e++) firstRow[e + 1] = firstRow[e]! + counts[e]!;
  const nextRow = firstRow.slice(0, employeeIds.length);
  const rows = new Float32Array(samples.length * EMBEDDING_LENGTH);
  for (const sample of samples) {
    const e = numberOf.get(sample.employeeId)!;
    const offset = nextRow[e]!++ * EMBEDDING_LENGTH;
    // A plain loop: TypedArray.set from an array of numbers is several times slower in V8.
    const vector = sample.vector;
    for (let i = 0; i < EMBEDDING_LENGTH; i++) rows[offset + i] = vector[i]!;
  }
  return { employeeIds, firstRow, rows };
}

/**
 * Squared distance from row `offset` of `rows` to `query`, summed in index order in float64, the one way both
 * matchers compute a distance (so their answers agree to the bit). Gives up once the partial sum passes `giveUpAbove`
 * (the partial sum then, already larger): sums of squares only grow, so the full sum would be larger still.
 */
function squaredDistance(rows: Float32Array, offset: number, query: Float64Array, giveUpAbove: number): number {
  let sum = 0;
  for (let block = 0; block < EMBEDDING_LENGTH; block += 16) {
    const end = offset + block + 16;
    for (let i = offset + block, j = block; i < end; i++, j++) {
      const d = rows[i]! - query[j]!;
      sum += d * d;
    }
    if (sum > giveUpAbove) return sum;
  }
  return sum;
}

function queryOf(query: ArrayLike<number>, into: Float64Array): Float64Array {
  if (query.length !== EMBEDDING_LENGTH) throw new Error(`a query must hold ${EMBEDDING_LENGTH} numbers, not ${query.length}`);
  for (let i = 0; i < EMBEDDING_LENGTH; i++) into[i] = query[i]!;
  return into;
}

/**
 * The plain loop over every sample: the reference answer (tests) and the floor (`npm run bench:recognize`).
 * A faster matcher must give exactly its answers.
 */
export function bruteForceMatcher(samples: EnrolledSample[]): Matcher {
  const { employeeIds, firstRow, rows } = layOut(samples);
  const employeeOfRow = new Int32Array(samples.length);
  for (let e = 0; e < employeeIds.length; e++) employeeOfRow.fill(e, firstRow[e]!, firstRow[e + 1]!);
  const nearest = new Float64Array(employeeIds.length);
  const q = new Float64Array(EMBEDDING_LENGTH);
  return {
    size: samples.length,
    match(query, rule) {
      queryOf(query, q);
      nearest.fill(Infinity);
      for (let row = 0; row < samples.length; row++) {
        const d = Math.sqrt(squaredDistance(rows, row * EMBEDDING_LENGTH, q, Infinity));
        const e = employeeOfRow[row]!;
        if (d < nearest[e]!) nearest[e] = d;
      }
      let best: { employeeId: string; distance: number } | undefined;
      let runnerUp: number | undefined;
      for (let e = 0; e < employeeIds.length; e++) {
        const distance = nearest[e]!;
        if (!best || distance < best.distance) {
          if (best) runnerUp = best.distance;
          best = { employeeId: employeeIds[e]!, distance };
        } else if (runnerUp === undefined || distance < runnerUp) {
          runnerUp = distance;
        }
      }
      return decide(best, runnerUp, rule);
    },
  };
}

/**
 * Rounding room for the pruning bounds. Distances here are about 1 and are computed to about 1e-14; a bound
 * loosened by 1e-7 stays a bound whatever the rounding, and prunes as well.
 */
const SLACK = 1e-7;

/**
 * The pruned matcher: the plain loop's answers, exactly, visiting few samples.
 *
 * Each employee has a centroid c (the mean of its samples) and a radius r (its farthest sample from c). By the
 * triangle inequality every sample s of that employee has d(q, s) ≥ d(q, c) − r. The scan keeps the exact
 * distances of the two nearest employees seen so far; an employee whose bound is above the current second-best
 * cannot be the best or the second-best, so its samples are never read. Samples it does read stop early once
 * their partial sum shows they are farther than both that second-best and the employee's own nearest sample.
 *
 * What is exact: the best and second-best employee distances are those of the plain loop to the bit (same
 * float32 rows, same float64 sums in the same order), and the best employee is the same one (ties go to the
 * employee enrolled first, as in the plain loop). So every outcome is identical in every field: kind, reason,
 * employeeId, distance, runnerUpDistance and bestDistance (near misses stay exact).
 */
export function buildMatcher(samples: EnrolledSample[]): Matcher {
  const { employeeIds, firstRow, rows } = layOut(samples);
  const employees = employeeIds.length;
  const centroids = new Float32Array(employees * EMBEDDING_LENGTH);
  const radius = new Float64Array(employees);
  const mean = new Float64Array(EMBEDDING_LENGTH);
  for (let e = 0; e < employees; e++) {
    const from = firstRow[e]!;
    const to = firstRow[e + 1]!;
    mean.fill(0);
    for (let row = from; row < to; row++) {
      for (let i = 0; i < EMBEDDING_LENGTH; i++) mean[i]! += rows[row * EMBEDDING_LENGTH + i]!;
    }
    for (let i = 0; i < EMBEDDING_LENGTH; i++) centroids[e * EMBEDDING_LENGTH + i] = mean[i]! / (to - from);
    // The radius is measured from the centroid as stored (float32), so the bound holds for the centroid the scan reads.
    for (let i = 0; i < EMBEDDING_LENGTH; i++) mean[i] = centroids[e * EMBEDDING_LENGTH + i]!;
    let farthest = 0;
    for (let row = from; row < to; row++) farthest = Math.max(farthest, squaredDistance(rows, row * EMBEDDING_LENGTH, mean, Infinity));
    radius[e] = Math.sqrt(farthest) + SLACK;
  }
  // The bound's partial sums reach the cut-off soonest when the dimensions along which people differ most come first.
  const order = dimensionsBySpread(centroids, employees);
  for (let e = 0; e < employees; e++) {
    for (let i = 0; i < EMBEDDING_LENGTH; i++) mean[i] = centroids[e * EMBEDDING_LENGTH + i]!;
    for (let k = 0; k < EMBEDDING_LENGTH; k++) centroids[e * EMBEDDING_LENGTH + k] = mean[order[k]!]!;
  }
  const q = new Float64Array(EMBEDDING_LENGTH);
  const qInOrder = new Float64Array(EMBEDDING_LENGTH);

  return {
    size: samples.length,
    match(query, rule) {
      if (employees === 0) return decide(undefined, undefined, rule);
      queryOf(query, q);
      for (let k = 0; k < EMBEDDING_LENGTH; k++) qInOrder[k] = q[order[k]!]!;
      let best = -1;
      let bestDistance = Infinity;
      let secondDistance = Infinity;
      // Squared distances above this are farther than the second-best: (1 + 1e-9) keeps "farther" true after sqrt.
      let giveUpAbove = Infinity;
      for (let e = 0; e < employees; e++) {
        // d(q, c) − r > second-best, i.e. d(q, c)² > (second-best + r)²: the employee's samples cannot matter.
        const reach = secondDistance + radius[e]! + SLACK;
        const centroidSum = squaredDistance(centroids, e * EMBEDDING_LENGTH, qInOrder, reach * reach);
        if (centroidSum > reach * reach) continue;
        let nearestSum = Infinity;
        const to = firstRow[e + 1]!;
        for (let row = firstRow[e]!; row < to; row++) {
          const sum = squaredDistance(rows, row * EMBEDDING_LENGTH, q, Math.min(nearestSum, giveUpAbove));
          if (sum < nearestSum) nearestSum = sum;
        }
        if (nearestSum > giveUpAbove) continue;
        const distance = Math.sqrt(nearestSum);
        if (distance < bestDistance) {
          secondDistance = bestDistance;
          bestDistance = distance;
          best = e;
        } else if (distance < secondDistance) {
          secondDistance = distance;
        } else {
          continue;
        }
        giveUpAbove = secondDistance * secondDistance * (1 + 1e-9);
      }
      const runnerUp = secondDistance === Infinity ? undefined : secondDistance;
      return decide({ employeeId: employeeIds[best]!, distance: bestDistance }, runnerUp, rule);
    },
  };
}

/** The dimensions, most spread out first: by the variance of the centroids along each. */
function dimensionsBySpread(centroids: Float32Array, employees: number): number[] {
  const sum = new Float64Array(EMBEDDING_LENGTH);
  const sumOfSquares = new Float64Array(EMBEDDING_LENGTH);
  for (let e = 0; e < employees; e++) {
    for (let i = 0; i < EMBEDDING_LENGTH; i++) {
      const x = centroids[e * EMBEDDING_LENGTH + i]!;
      sum[i]! += x;
      sumOfSquares[i]! += x * x;
    }
  }
  const variance = Array.from(sumOfSquares, (squares, i) => squares / employees - (sum[i]! / employees) ** 2);
  return Array.from(variance.keys()).sort((a, b) => variance[b]! - variance[a]!);
}

/** The distance between two embeddings (enrolment's consistency check); the matchers use squaredDistance on their rows. */
export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < EMBEDDING_LENGTH; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}
