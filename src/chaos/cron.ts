// Enough of cron to know when a schedule fires: 5 fields (minute hour day-of-month month day-of-week) with
// `*`, lists, ranges and steps, and the descriptors @every, @hourly, @daily, @weekly.

const FIELDS: Array<[min: number, max: number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];
const DESCRIPTORS: Record<string, string> = { '@hourly': '0 * * * *', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@weekly': '0 0 * * 0' };

function parseField(text: string, [min, max]: [number, number]): Set<number> | undefined {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = m[1] === '*' ? min : Number(m[2]);
    const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : from;
    const step = m[4] ? Number(m[4]) : 1;
    if (from < min || to > max || from > to || step < 1) return undefined;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * Minutes (from the start of a week, over `weeks` weeks) at which the schedule fires; undefined when the text is
 * not a schedule this understands.
 */
export function fireMinutes(schedule: string, weeks = 1): number[] | undefined {
  const every = /^@every\s+(\d+)(m|h)$/.exec(schedule.trim());
  if (every) {
    const step = Number(every[1]) * (every[2] === 'h' ? 60 : 1);
    return Array.from({ length: Math.floor((weeks * 7 * 1440) / step) }, (_, i) => i * step);
  }
  const fields = (DESCRIPTORS[schedule.trim()] ?? schedule).trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const sets = fields.map((f, i) => parseField(f, FIELDS[i]));
  if (sets.some((s) => s === undefined)) return undefined;
  const [minutes, hours, days, months, weekdays] = sets as Set<number>[];
  const result: number[] = [];
  // A fixed reference week (4-10 January 2026 starts on a Sunday), so results never depend on today.
  for (let minute = 0; minute < weeks * 7 * 1440; minute++) {
    const date = new Date(Date.UTC(2026, 0, 4, 0, minute));
    if (minutes.has(date.getUTCMinutes()) && hours.has(date.getUTCHours()) && months.has(date.getUTCMonth() + 1)
      && days.has(date.getUTCDate()) && weekdays.has(date.getUTCDay())) result.push(minute);
  }
  return result;
}

/** The shortest time between two runs, in minutes (Infinity when it runs at most once a week). */
export function shortestIntervalMinutes(fires: readonly number[]): number {
  let shortest = Infinity;
  for (let i = 1; i < fires.length; i++) shortest = Math.min(shortest, fires[i] - fires[i - 1]);
  return shortest;
}
