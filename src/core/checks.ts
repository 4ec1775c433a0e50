// Checkers for the small formats values are written in: Prometheus durations, Go durations (Chaos Mesh), byte
// sizes, clock times. Each returns a StackProblem naming the field, what is wrong and how to write it, or nothing.
import type { StackProblem } from './problems';
import { quoted } from './redact';

/**
 * Prometheus' model.ParseDuration: units largest first, each at most once, whole numbers. A bare `0` (which
 * Prometheus takes) is not: the stack's own arithmetic on durations wants a unit, `0s`.
 */
const PROM_DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;
/** Go's time.ParseDuration (Chaos Mesh latencies, delays, offsets): decimals, any order, ns to h. */
const GO_DURATION = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))*$/;
/** The prometheus-operator's ByteSize (retentionSize): `512MB`, `45GB`, `1.5TiB`, `0`. */
const BYTE_SIZE = /^(0|([0-9]*\.)?[0-9]+((K|M|G|T|P|E)i?)?B)$/;
/** `HH:MM`, 24-hour, two-digit hours (Alertmanager's time ranges); `24:00` only as an end. */
const CLOCK_TIME = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

export function isPromDuration(text: string): boolean {
  return text !== '' && PROM_DURATION.test(text);
}

export const PROM_DURATION_FIX = 'write it like 30s, 5m, 1h30m or 15d: whole numbers, units ms, s, m, h, d, w, y (largest first), no spaces';

/** A Prometheus duration (`for`, intervals, retention, group_wait ...); undefined values are left to their default. */
export function checkPromDuration(value: unknown, field: string): StackProblem | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && isPromDuration(value)) return undefined;
  return { field, message: `${typeof value === 'string' ? quoted(value) : String(value)} is not a Prometheus duration`, fix: PROM_DURATION_FIX };
}

/** A Go duration (`100ms`, `1.5s`, `-10m` when signed), as Chaos Mesh reads them. */
export function checkGoDuration(value: string | undefined, field: string, signed = false): StackProblem | undefined {
  if (value === undefined) return undefined;
  const unsigned = signed ? value.replace(/^[-+]/, '') : value;
  if (unsigned === '0' || GO_DURATION.test(unsigned)) return undefined;
  return { field, message: `${quoted(value)} is not a duration`, fix: `write it like 100ms, 1.5s or 10m${signed ? ', with a sign for offsets (-10m)' : ''}: units ns, us, ms, s, m, h, no spaces` };
}

/** A byte size as Prometheus' --storage.tsdb.retention.size takes it. */
export function checkByteSize(value: string | undefined, field: string): StackProblem | undefined {
  if (value === undefined || BYTE_SIZE.test(value)) return undefined;
  return { field, message: `${quoted(value)} is not a byte size`, fix: 'write digits and a unit, no space: B, KB, MB, GB, TB, PB or EB (or KiB, MiB, GiB ...), e.g. 45GB' };
}

/** Minutes since midnight of `HH:MM`; undefined when it is not a clock time. */
export function clockMinutes(text: string): number | undefined {
  if (!CLOCK_TIME.test(text)) return undefined;
  const [h, m] = text.split(':').map(Number);
  return h * 60 + m;
}

/** A time range of a day: both `HH:MM` (24-hour), the end after the start; `24:00` is allowed as the end. */
export function checkTimeRange(range: { startTime: string; endTime: string }, field: string): StackProblem[] {
  const fix = 'write times as HH:MM on a 24-hour clock, e.g. startTime: 22:00, endTime: 24:00 (a night across midnight is two ranges: 22:00-24:00 and 00:00-06:00)';
  const start = clockMinutes(range.startTime);
  const end = clockMinutes(range.endTime);
  const problems: StackProblem[] = [];
  if (start === undefined || range.startTime === '24:00') problems.push({ field: `${field}.startTime`, message: `${quoted(range.startTime)} is not a start time (HH:MM, 00:00 to 23:59)`, fix });
  if (end === undefined) problems.push({ field: `${field}.endTime`, message: `${quoted(range.endTime)} is not an end time (HH:MM, 00:00 to 24:00)`, fix });
  if (!problems.length && end! <= start!) problems.push({ field: `${field}.endTime`, message: `ends at ${range.endTime}, not after it starts (${range.startTime})`, fix });
  return problems;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** `a` or `a:b`, the ends read by `read`; undefined when the text is not one. */
function range(text: string, read: (part: string) => number | undefined): [number, number] | undefined {
  const parts = text.trim().split(':');
  if (parts.length > 2) return undefined;
  const ends = parts.map(read);
  if (ends.some((e) => e === undefined)) return undefined;
  return [ends[0]!, ends[ends.length - 1]!];
}

const integer = (part: string) => (/^-?[0-9]+$/.test(part) ? Number(part) : undefined);

/** The weekdays, days of month and months of an Alertmanager time interval, as Alertmanager parses them. */
export function checkTimeIntervalDays(
  interval: { weekdays?: readonly string[]; daysOfMonth?: readonly string[]; months?: readonly string[] },
  field: string,
): StackProblem[] {
  const problems: StackProblem[] = [];
  (interval.weekdays ?? []).forEach((text, i) => {
    const r = range(text, (p) => { const d = WEEKDAYS.indexOf(p.toLowerCase()); return d < 0 ? undefined : d; });
    if (!r) problems.push({ field: `${field}.weekdays[${i}]`, message: `${quoted(text)} is not a weekday or range of weekdays`, fix: 'name days in English, e.g. monday, or a range monday:friday (the week starts on sunday)' });
    else if (r[0] > r[1]) problems.push({ field: `${field}.weekdays[${i}]`, message: `${quoted(text)} ends before it starts (the week runs sunday to saturday)`, fix: 'split it, e.g. saturday:saturday and sunday:monday' });
  });
  (interval.daysOfMonth ?? []).forEach((text, i) => {
    const r = range(text, (p) => { const d = integer(p); return d !== undefined && d !== 0 && d >= -31 && d <= 31 ? d : undefined; });
    // A negative day counts from the end of the month; -3:5 is not a range Alertmanager accepts, 5:-3 is.
    if (!r) problems.push({ field: `${field}.daysOfMonth[${i}]`, message: `${quoted(text)} is not a day of the month or a range of them`, fix: 'write days 1 to 31, or -1 to -31 from the end of the month, and ranges like 1:5 or -3:-1' });
    else if (!(r[0] > 0 && r[1] < 0) && r[0] > r[1]) problems.push({ field: `${field}.daysOfMonth[${i}]`, message: `${quoted(text)} ends before it starts`, fix: 'write the earlier day first, e.g. 1:5 or -3:-1' });
  });
  (interval.months ?? []).forEach((text, i) => {
    const r = range(text, (p) => {
      const n = integer(p);
      if (n !== undefined) return n >= 1 && n <= 12 ? n : undefined;
      const m = MONTHS.indexOf(p.toLowerCase());
      return m < 0 ? undefined : m + 1;
    });
    if (!r) problems.push({ field: `${field}.months[${i}]`, message: `${quoted(text)} is not a month or range of months`, fix: 'name months in English or by number 1 to 12, e.g. january, 7 or june:august' });
    else if (r[0] > r[1]) problems.push({ field: `${field}.months[${i}]`, message: `${quoted(text)} ends before it starts`, fix: 'split a range across the new year, e.g. november:december and january:february' });
  });
  return problems;
}

/** An IANA time zone name as Alertmanager's `location` takes it (`Local` and `UTC` too). */
export function checkLocation(location: string | undefined, field: string): StackProblem | undefined {
  if (location === undefined || location === 'Local' || location === 'UTC') return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: location });
    return undefined;
  } catch {
    return { field, message: `${quoted(location)} is not a time zone`, fix: 'use an IANA name, e.g. Europe/Berlin or America/New_York' };
  }
}

/** An RFC 1123 label (namespace, Service and most object names): the length limit is checked apart. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
