/**
 * Sensitive identifiers are shown as `XXXXXX1234`: a fixed run of X hides the length too. Services
 * mask before a value leaves them (pages, exports, audit details); the view filter uses the same rule.
 */
export function mask(value: string | null | undefined, visible = 4): string {
  if (!value) return '';
  const tail = value.length <= visible ? value : value.slice(-visible);
  return `XXXXXX${tail}`;
}
