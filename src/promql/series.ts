// promtool's series notation: `1 2 3`, `0+10x5` (0 10 20 30 40 50), `1x3` (1 1 1 1), `_` (no sample), `_x3`.

/** The values of a series, one per step; undefined where the notation says there is no sample. */
export function expandSeries(values: string): Array<number | undefined> {
  const out: Array<number | undefined> = [];
  for (const token of values.trim().split(/\s+/).filter(Boolean)) {
    const missing = /^_(?:x(\d+))?$/.exec(token);
    if (missing) {
      // `_x3` is three missing samples (unlike `1x3`, four values), as promtool reads it.
      for (let i = 0; i < Number(missing[1] ?? 1); i++) out.push(undefined);
      continue;
    }
    const m = /^(-?[\d.e+]+?)(?:([+-])([\d.e]+))?(?:x(\d+))?$/.exec(token);
    if (!m) throw new Error(`'${token}' is not promtool series notation`);
    const start = Number(m[1]);
    const step = m[2] ? (m[2] === '-' ? -1 : 1) * Number(m[3]) : 0;
    const times = m[4] !== undefined ? Number(m[4]) : 0;
    for (let i = 0; i <= times; i++) out.push(start + step * i);
  }
  return out;
}

/** `up{job="a", instance="b"}` as the metric name and the label part, as an exporter writes them. */
export function parseSeries(text: string): { name: string; labels: string } {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?$/.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a series: write it like up{job="api"}`);
  return { name: m[1], labels: m[2] ?? '' };
}
