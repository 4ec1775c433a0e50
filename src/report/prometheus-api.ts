// A small client of the Prometheus and Alertmanager HTTP APIs for reports: instant and range queries, and the
// alerts Alertmanager holds. Credentials come from files or the environment, never from the command line, and
// never appear in an error.
import * as fs from 'fs';
import { StackError } from '../core/problems';

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface RangeSeries {
  readonly metric: Record<string, string>;
  /** [unix seconds, value] */
  readonly values: ReadonlyArray<readonly [number, number]>;
}

export interface ApiAuth {
  /** `Authorization` header value. */
  readonly header?: string;
}

export interface AuthSource {
  /** A file holding a bearer token. */
  readonly bearerTokenFile?: string;
  /** A file holding `user:password`. */
  readonly basicAuthFile?: string;
  /** The environment to read O11Y_<NAME>_BEARER_TOKEN / O11Y_<NAME>_BASIC_AUTH from. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The Authorization header for a server (`PROMETHEUS`, `ALERTMANAGER`), from a file or the environment. */
export function authFrom(server: string, source: AuthSource): ApiAuth {
  const env = source.env ?? process.env;
  const read = (file: string, option: string) => {
    try {
      return fs.readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new StackError('o11y chaos report', [{ field: option, message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, fix: 'give a readable file' }]);
    }
  };
  const token = source.bearerTokenFile ? read(source.bearerTokenFile, `--${server.toLowerCase()}-bearer-token-file`) : env[`O11Y_${server}_BEARER_TOKEN`];
  const basic = source.basicAuthFile ? read(source.basicAuthFile, `--${server.toLowerCase()}-basic-auth-file`) : env[`O11Y_${server}_BASIC_AUTH`];
  if (token && basic) throw new StackError('o11y chaos report', [{ field: server.toLowerCase(), message: 'has both a bearer token and basic auth', fix: 'give one of them' }]);
  if (token) return { header: `Bearer ${token}` };
  if (basic) {
    if (!basic.includes(':')) throw new StackError('o11y chaos report', [{ field: `${server.toLowerCase()} basic auth`, message: 'is not user:password', fix: 'write it as user:password' }]);
    return { header: `Basic ${Buffer.from(basic).toString('base64')}` };
  }
  return {};
}

const TIMEOUT_MS = 15000;

export class ApiClient {
  constructor(readonly baseUrl: string, private readonly auth: ApiAuth = {}, private readonly what = 'Prometheus') {}

  async get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const url = `${this.baseUrl.replace(/\/$/, '')}${path}${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ''}`;
    let response: Response;
    try {
      response = await fetch(url, { headers: this.auth.header ? { Authorization: this.auth.header } : {}, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw new StackError('o11y chaos report', [{ field: this.what, message: `${this.baseUrl} did not answer: ${(error as Error).message}`, fix: `check the URL and that ${this.what} is reachable` }]);
    }
    const body = await response.text();
    if (!response.ok) {
      const hint = response.status === 401 || response.status === 403 ? 'give credentials with the --*-bearer-token-file or --*-basic-auth-file options, or O11Y_*_BEARER_TOKEN' : 'check the URL and the query';
      throw new StackError('o11y chaos report', [{ field: this.what, message: `${path} answered ${response.status}: ${body.slice(0, 200)}`, fix: hint }]);
    }
    return JSON.parse(body) as T;
  }
}

type PromResult<T> = { status: string; data: { resultType: string; result: T } };

export class PrometheusApi {
  constructor(readonly client: ApiClient) {}

  async query(expr: string, at: number): Promise<Sample[]> {
    const body = await this.client.get<PromResult<Array<{ metric: Record<string, string>; value: [number, string] }>>>('/api/v1/query', { query: expr, time: String(at) });
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  async queryRange(expr: string, from: number, to: number, stepSeconds: number): Promise<RangeSeries[]> {
    const body = await this.client.get<PromResult<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>>>('/api/v1/query_range', {
      query: expr, start: String(from), end: String(to), step: String(stepSeconds),
    });
    return body.data.result.map((r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as const) }));
  }
}

export interface HeldAlert {
  readonly labels: Record<string, string>;
  readonly receivers: string[];
  readonly startsAt: string;
}

export async function alertmanagerAlerts(client: ApiClient): Promise<HeldAlert[]> {
  const alerts = await client.get<Array<{ labels: Record<string, string>; receivers: Array<{ name: string }>; startsAt: string }>>('/api/v2/alerts');
  return alerts.map((a) => ({ labels: a.labels, receivers: a.receivers.map((r) => r.name), startsAt: a.startsAt }));
}
