// Small statistics and formatting helpers shared by the benchmark sections.

/** Nearest-rank percentile (p in 0..100) of a list of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function mean(values) {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Fixed decimals with thousands separators. */
export function num(value, decimals = 0) {
  if (!Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A ratio such as `12.3×`, with fewer decimals as it grows. */
export function ratio(value) {
  if (!Number.isFinite(value)) return "n/a";
  const decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${num(value, decimals)}×`;
}

/** Bytes as `12,345 B (12.1 KiB)`. */
export function bytes(value) {
  return `${num(value)} B (${num(value / 1024, 1)} KiB)`;
}

/** Milliseconds from two process.hrtime.bigint() readings. */
export function msBetween(start, end) {
  return Number(end - start) / 1e6;
}
