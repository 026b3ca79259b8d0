// OpenSearch date values as they appear in range bounds, date_range ranges and extended_bounds:
// an anchor (`now`, or an explicit date followed by `||`), then any number of +N/-N unit steps, then an optional
// /unit rounding. Units: y M w d h H m s (M = month, m = minute). Explicit dates follow the default
// `strict_date_optional_time||epoch_millis` format.

const UNIT = '[yMwdhHms]';
const STEPS = new RegExp(`^(?:[+-]\\d+${UNIT})*(?:/${UNIT})?$`);
const ISO_DATE = /^\d{4}(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

/** True when `s` is a date in OpenSearch's default format: yyyy[-MM[-dd[Thh[:mm[:ss[.fff]]][zone]]]] or epoch millis. */
export function isDefaultFormatDate(s: string): boolean {
  if (/^-?\d{5,}$/.test(s)) return true; // epoch_millis (4 digits alone read as a year)
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [, month, day, hour, minute, second] = m;
  if (month !== undefined && (+month < 1 || +month > 12)) return false;
  if (day !== undefined && (+day < 1 || +day > 31)) return false;
  if (hour !== undefined && +hour > 23) return false;
  if (minute !== undefined && +minute > 59) return false;
  if (second !== undefined && +second > 59) return false;
  return true;
}

/** True when the text uses date math (an anchor with steps or rounding, or `now`). */
export function usesDateMath(s: string): boolean {
  return s.startsWith('now') || s.includes('||');
}

/**
 * Checks one date value. Returns null when valid, otherwise a reason.
 * With a custom `format` the explicit date part is not checked (we do not implement Java date patterns),
 * but the date math after it still is.
 */
export function checkDateValue(value: unknown, customFormat = false): string | null {
  if (typeof value === 'number') return Number.isInteger(value) ? null : 'a numeric date must be whole epoch milliseconds';
  if (typeof value !== 'string') return 'a date must be a string (date or date math such as now-10y/d) or epoch millis';
  const s = value.trim();
  if (s === '') return 'empty date';
  let rest: string;
  if (s.startsWith('now')) {
    rest = s.slice(3);
  } else if (s.includes('||')) {
    const [anchor, after] = [s.slice(0, s.indexOf('||')), s.slice(s.indexOf('||') + 2)];
    if (!customFormat && !isDefaultFormatDate(anchor)) return `"${anchor}" is not a date (expected e.g. 2024-01-31)`;
    rest = after;
  } else {
    if (customFormat || isDefaultFormatDate(s)) return null;
    return `"${s}" is neither a date (e.g. 2024-01-31) nor date math (e.g. now-10y/d)`;
  }
  if (!STEPS.test(rest)) {
    return `bad date math "${s}": after the anchor expect steps like -10y or +1M and an optional rounding like /d (units y M w d h H m s)`;
  }
  return null;
}

/** Calendar intervals accepted by date_histogram's calendar_interval. */
export const CALENDAR_INTERVALS = new Set([
  'minute', '1m', 'hour', '1h', 'day', '1d', 'week', '1w', 'month', '1M', 'quarter', '1q', 'year', '1y',
]);

/** Fixed intervals: a positive whole number and a unit of ms, s, m, h or d (no months or years: those vary). */
export function isFixedInterval(s: unknown): boolean {
  return typeof s === 'string' && /^[1-9]\d*(ms|s|m|h|d)$/.test(s);
}
