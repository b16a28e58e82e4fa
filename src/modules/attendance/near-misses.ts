/**
 * Near misses: refusals at a distance just above the company's threshold (kiosk.md, "The model and real faces
 * in tests"). Real returning-user distances cannot be measured before a company uses its kiosks, so HR is shown
 * how many refusals came close: many in the first bucket suggest enrolled people being refused (a threshold a
 * little too strict, or poor light at that kiosk); few suggest the threshold is where it should be.
 */
export const NEAR_MISS = {
  /** How far above the threshold a refusal still counts as a near miss. */
  within: 0.1,
  /** Width of one bucket: 0.02 gives five, 0–0.02 … 0.08–0.10 above the threshold. */
  step: 0.02,
  /** Days of counts shown on the kiosks page. */
  days: 7,
} as const;
const BUCKETS = Math.round(NEAR_MISS.within / NEAR_MISS.step);

/** The bucket of a refusal at `distance`, or undefined when it is not a near miss (within the threshold, or too far beyond). */
export function nearMissBucket(distance: number, threshold: number): number | undefined {
  const beyond = distance - threshold;
  if (!(beyond > 0) || beyond > NEAR_MISS.within) return undefined;
  return Math.min(BUCKETS - 1, Math.floor(beyond / NEAR_MISS.step));
}

/** The buckets as HR reads them: "+0.00–0.02" … above the threshold. */
export const NEAR_MISS_BUCKETS = Array.from({ length: BUCKETS }, (_, b) => ({
  bucket: b,
  label: `+${(b * NEAR_MISS.step).toFixed(2)}–${((b + 1) * NEAR_MISS.step).toFixed(2)}`,
}));

/** Per kiosk, the counts of each bucket (zeros included), from the rows of the last days. */
export function nearMissTable(rows: { kioskId: string; bucket: number; count: number }[]): Map<string, number[]> {
  const table = new Map<string, number[]>();
  for (const row of rows) {
    if (row.bucket < 0 || row.bucket >= BUCKETS) continue;
    const counts = table.get(row.kioskId) ?? new Array<number>(BUCKETS).fill(0);
    counts[row.bucket]! += Number(row.count);
    table.set(row.kioskId, counts);
  }
  return table;
}
