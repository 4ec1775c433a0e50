// The blackbox exporter's modules as typed values, rendered into its blackbox.yml (the config of blackbox_exporter
// v0.28: config/config.go), and the checks that reject what the exporter would refuse to load.
import type { PromDuration, SecretKeyRef } from '../core/primitives';
import type { StackProblem } from '../core/problems';
import { checkPromDuration } from '../core/checks';
import { isSecretKey } from '../core/redact';

export type IpProtocol = 'ip4' | 'ip6';

export interface ProbeTlsValues {
  /** Accept any certificate (self-signed, expired, for another name): the probe then checks reachability only. @default false */
  readonly insecureSkipVerify?: boolean;
  /** The name the certificate must be valid for. @default the target's host */
  readonly serverName?: string;
  /** @default "TLS12" */
  readonly minVersion?: 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13';
}

export interface HttpProberValues {
  /** Status codes that pass. @default 2xx */
  readonly validStatusCodes?: number[];
  /** e.g. `["HTTP/1.1", "HTTP/2.0"]`. @default any */
  readonly validHttpVersions?: Array<'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2.0'>;
  /** @default "GET" */
  readonly method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  /** Request headers; credentials go in `bearerToken`, by reference, never here. @default {} */
  readonly headers?: Record<string, string>;
  /** Request body, e.g. for POST. */
  readonly body?: string;
  /** @default "ip6" (falling back to ip4) */
  readonly preferredIpProtocol?: IpProtocol;
  /** Try the other protocol when the preferred one has no address. @default true */
  readonly ipProtocolFallback?: boolean;
  /** Fail on a redirect instead of following it. @default false */
  readonly noFollowRedirects?: boolean;
  /** Fail when the answer came over TLS. @default false */
  readonly failIfSsl?: boolean;
  /** Fail when the answer did not come over TLS (an https URL that redirects to http). @default false */
  readonly failIfNotSsl?: boolean;
  /** Fail when the body matches one of these regular expressions (RE2). @default [] */
  readonly failIfBodyMatchesRegexp?: string[];
  /** Fail unless the body matches each of these regular expressions (RE2). @default [] */
  readonly failIfBodyNotMatchesRegexp?: string[];
  readonly tlsConfig?: ProbeTlsValues;
  /** A bearer token, by reference (a key of a Secret in the stack's namespace), mounted into the exporter's pod. */
  readonly bearerToken?: SecretKeyRef;
}

export interface QueryResponseValues {
  /** A regular expression (RE2) the next line read must match. */
  readonly expect?: string;
  /** What to send next. */
  readonly send?: string;
  /** Upgrade the connection to TLS at this step. */
  readonly startTls?: boolean;
}

export interface TcpProberValues {
  /** @default "ip6" (falling back to ip4) */
  readonly preferredIpProtocol?: IpProtocol;
  /** A dialogue with the server: expect and send, step by step. @default [] */
  readonly queryResponse?: QueryResponseValues[];
  /** Connect over TLS. @default false */
  readonly tls?: boolean;
  readonly tlsConfig?: ProbeTlsValues;
}

export interface IcmpProberValues {
  /** @default "ip6" (falling back to ip4) */
  readonly preferredIpProtocol?: IpProtocol;
  /** Time to live of the echo request, 1 to 255. @default the system's */
  readonly ttl?: number;
  /** Bytes of payload. @default 0 */
  readonly payloadSize?: number;
}

export interface DnsProberValues {
  /** The name asked for, e.g. `kubernetes.default.svc.cluster.local`. */
  readonly queryName: string;
  /** @default "ANY" */
  readonly queryType?: DnsQueryType;
  /** @default "udp" */
  readonly transportProtocol?: 'udp' | 'tcp';
  /** @default "ip6" (falling back to ip4) */
  readonly preferredIpProtocol?: IpProtocol;
  /** Answer codes that pass. @default ["NOERROR"] */
  readonly validRcodes?: string[];
  /** @default true */
  readonly recursionDesired?: boolean;
}

export type DnsQueryType = 'A' | 'AAAA' | 'ANY' | 'CAA' | 'CNAME' | 'DNSKEY' | 'DS' | 'HTTPS' | 'MX' | 'NS' | 'PTR' | 'SOA' | 'SRV' | 'SVCB' | 'TXT';

export interface GrpcProberValues {
  /** The service the standard gRPC health check asks about. @default "" (the server as a whole) */
  readonly service?: string;
  /** @default false */
  readonly tls?: boolean;
  readonly tlsConfig?: ProbeTlsValues;
  /** @default "ip6" (falling back to ip4) */
  readonly preferredIpProtocol?: IpProtocol;
}

interface ModuleBase {
  /** How long a probe may take. @default the scrape timeout (less half a second) */
  readonly timeout?: PromDuration;
}

/** One module of the blackbox exporter: how to probe a target, by prober. */
export type BlackboxModule =
  | (ModuleBase & { readonly prober: 'http'; readonly http?: HttpProberValues })
  | (ModuleBase & { readonly prober: 'tcp'; readonly tcp?: TcpProberValues })
  | (ModuleBase & { readonly prober: 'icmp'; readonly icmp?: IcmpProberValues })
  | (ModuleBase & { readonly prober: 'dns'; readonly dns: DnsProberValues })
  | (ModuleBase & { readonly prober: 'grpc'; readonly grpc?: GrpcProberValues });

export type Prober = BlackboxModule['prober'];

/**
 * kube-prometheus' modules (its blackbox-exporter defaults, with pop3s_banner's `^+OK` written `^\+OK`: a POP3 greeting
 * starts with a plus sign), and a DNS one that asks for the API server's name.
 */
export const DEFAULT_BLACKBOX_MODULES: Record<string, BlackboxModule> = {
  http_2xx: { prober: 'http', http: { preferredIpProtocol: 'ip4' } },
  http_post_2xx: { prober: 'http', http: { method: 'POST', preferredIpProtocol: 'ip4' } },
  tcp_connect: { prober: 'tcp', tcp: { preferredIpProtocol: 'ip4' } },
  pop3s_banner: { prober: 'tcp', tcp: { queryResponse: [{ expect: '^\\+OK' }], tls: true, tlsConfig: { insecureSkipVerify: false }, preferredIpProtocol: 'ip4' } },
  ssh_banner: { prober: 'tcp', tcp: { queryResponse: [{ expect: '^SSH-2.0-' }, { send: 'SSH-2.0-blackbox-ssh-check' }], preferredIpProtocol: 'ip4' } },
  irc_banner: {
    prober: 'tcp',
    tcp: { queryResponse: [{ send: 'NICK prober' }, { send: 'USER prober prober prober :prober' }, { expect: 'PING :([^ ]+)', send: 'PONG ${1}' }, { expect: '^:[^ ]+ 001' }], preferredIpProtocol: 'ip4' },
  },
  dns_kubernetes: { prober: 'dns', dns: { queryName: 'kubernetes.default.svc.cluster.local', queryType: 'A', preferredIpProtocol: 'ip4' } },
};

/** Where the Secrets of the modules' bearer tokens are mounted, one folder per Secret. */
export const SECRETS_DIR = '/etc/blackbox-exporter/secrets';

export function secretPath(ref: SecretKeyRef): string {
  return `${SECRETS_DIR}/${ref.name}/${ref.key}`;
}

/** The Secrets the modules read, by name, sorted. */
export function moduleSecrets(modules: Record<string, BlackboxModule>): string[] {
  return [...new Set(Object.values(modules).flatMap((m) => (m.prober === 'http' && m.http?.bearerToken ? [m.http.bearerToken.name] : [])))].sort();
}

/** Whether any module probes by ICMP: the pod then needs unprivileged ICMP sockets. */
export function usesIcmp(modules: Record<string, BlackboxModule>): boolean {
  return Object.values(modules).some((m) => m.prober === 'icmp');
}

type Yaml = Record<string, unknown>;

/** Only the fields that are set, so that the exporter's own defaults apply to the rest. */
function defined(fields: Yaml): Yaml | undefined {
  const set = Object.entries(fields).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0));
  return set.length ? Object.fromEntries(set) : undefined;
}

function tls(t: ProbeTlsValues | undefined): Yaml | undefined {
  return t && defined({ insecure_skip_verify: t.insecureSkipVerify, server_name: t.serverName, min_version: t.minVersion });
}

function sortedRecord(record: Record<string, string> | undefined): Record<string, string> | undefined {
  return record && Object.keys(record).length ? Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1))) : undefined;
}

function proberSection(module: BlackboxModule): Yaml | undefined {
  switch (module.prober) {
    case 'http': {
      const h = module.http ?? {};
      return defined({
        valid_status_codes: h.validStatusCodes, valid_http_versions: h.validHttpVersions, method: h.method, headers: sortedRecord(h.headers),
        body: h.body, preferred_ip_protocol: h.preferredIpProtocol, ip_protocol_fallback: h.ipProtocolFallback, no_follow_redirects: h.noFollowRedirects,
        fail_if_ssl: h.failIfSsl, fail_if_not_ssl: h.failIfNotSsl,
        fail_if_body_matches_regexp: h.failIfBodyMatchesRegexp, fail_if_body_not_matches_regexp: h.failIfBodyNotMatchesRegexp,
        tls_config: tls(h.tlsConfig),
        authorization: h.bearerToken && { type: 'Bearer', credentials_file: secretPath(h.bearerToken) },
      });
    }
    case 'tcp': {
      const t = module.tcp ?? {};
      return defined({
        preferred_ip_protocol: t.preferredIpProtocol,
        query_response: t.queryResponse?.map((q) => defined({ expect: q.expect, send: q.send, starttls: q.startTls }) ?? {}),
        tls: t.tls, tls_config: tls(t.tlsConfig),
      });
    }
    case 'icmp': {
      const i = module.icmp ?? {};
      return defined({ preferred_ip_protocol: i.preferredIpProtocol, ttl: i.ttl, payload_size: i.payloadSize });
    }
    case 'dns': {
      const d = module.dns;
      return defined({
        query_name: d.queryName, query_type: d.queryType, transport_protocol: d.transportProtocol, preferred_ip_protocol: d.preferredIpProtocol,
        valid_rcodes: d.validRcodes, recursion_desired: d.recursionDesired,
      });
    }
    case 'grpc': {
      const g = module.grpc ?? {};
      return defined({ service: g.service, tls: g.tls, tls_config: tls(g.tlsConfig), preferred_ip_protocol: g.preferredIpProtocol });
    }
  }
}

/** The exporter's blackbox.yml: `modules:` by name, sorted, each with its prober's section in the exporter's spelling. */
export function blackboxConfig(modules: Record<string, BlackboxModule>): { modules: Record<string, Yaml> } {
  const names = Object.keys(modules).sort();
  return {
    modules: Object.fromEntries(names.map((name) => {
      const m = modules[name];
      const section = proberSection(m);
      return [name, { prober: m.prober, ...(m.timeout ? { timeout: m.timeout } : {}), ...(section ? { [m.prober]: section } : {}) }];
    })),
  };
}

const PROBERS: readonly Prober[] = ['http', 'tcp', 'icmp', 'dns', 'grpc'];
const MODULE_NAME = /^[A-Za-z0-9_-]+$/;
const DNS_QUERY_TYPES: readonly DnsQueryType[] = ['A', 'AAAA', 'ANY', 'CAA', 'CNAME', 'DNSKEY', 'DS', 'HTTPS', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'SVCB', 'TXT'];
const DNS_RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
/** Headers that carry credentials: they belong in a Secret, never in the stack's objects. */
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|x-auth-token)$/i;

/**
 * An RE2 expression in JavaScript's syntax, as far as checking it needs: Go's inline flags, `(?P<name>` groups and
 * `\\z` have no JavaScript spelling, and do not change whether the rest is well formed.
 */
function asJavaScript(re2: string): string {
  return re2.replace(/\(\?[imsU]+\)/g, '').replace(/\(\?[imsU]+:/g, '(?:').replace(/\(\?P</g, '(?<').replace(/\\z/g, '$');
}

/** What blackbox_exporter would refuse to load, and what would put a credential into its ConfigMap. */
export function checkModules(modules: Record<string, BlackboxModule>, field: string): StackProblem[] {
  const problems: StackProblem[] = [];
  const check = (ok: boolean, at: string, message: string, fix?: string) => {
    if (!ok) problems.push({ field: at, message, fix });
  };
  const regexps = (list: readonly string[] | undefined, at: string) => list?.forEach((r, i) => {
    try {
      new RegExp(asJavaScript(r));
    } catch (error) {
      problems.push({ field: `${at}[${i}]`, message: `is not a regular expression: ${(error as Error).message}`, fix: 'write an RE2 regular expression, e.g. "^ok$"' });
    }
  });
  check(Object.keys(modules).length > 0, field, 'names no module: no probe could run', 'keep the default modules, or add one, e.g. { http_2xx: { prober: "http" } }');
  for (const [name, m] of Object.entries(modules).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const at = `${field}.${name}`;
    check(MODULE_NAME.test(name), at, `'${name}' is not a module name a Probe can give`, 'use letters, digits, "_" and "-", e.g. http_2xx');
    if (!PROBERS.includes(m.prober)) {
      problems.push({ field: `${at}.prober`, message: `'${String(m.prober)}' is not a prober`, fix: `use one of ${PROBERS.join(', ')}` });
      continue;
    }
    problems.push(...[checkPromDuration(m.timeout, `${at}.timeout`)].filter((p): p is StackProblem => p !== undefined));
    if (m.prober === 'http') {
      const h = m.http ?? {};
      h.validStatusCodes?.forEach((code, i) => check(Number.isInteger(code) && code >= 100 && code <= 599, `${at}.http.validStatusCodes[${i}]`, `${code} is not an HTTP status code`, 'use codes from 100 to 599, e.g. [200, 204]'));
      for (const header of Object.keys(h.headers ?? {}).sort()) {
        check(!CREDENTIAL_HEADERS.test(header) && !isSecretKey(header), `${at}.http.headers.${header}`, 'carries a credential, which would be written into the exporter\'s ConfigMap', 'give a bearer token by reference: http.bearerToken: { name: "<secret>", key: "<key>" }');
      }
      regexps(h.failIfBodyMatchesRegexp, `${at}.http.failIfBodyMatchesRegexp`);
      regexps(h.failIfBodyNotMatchesRegexp, `${at}.http.failIfBodyNotMatchesRegexp`);
      check(!(h.failIfSsl && h.failIfNotSsl), at + '.http', 'sets both failIfSsl and failIfNotSsl: every probe would fail', 'set at most one of them');
    }
    if (m.prober === 'tcp') {
      regexps(m.tcp?.queryResponse?.flatMap((q) => (q.expect === undefined ? [] : [q.expect])), `${at}.tcp.queryResponse.expect`);
    }
    if (m.prober === 'icmp') {
      const ttl = m.icmp?.ttl;
      check(ttl === undefined || (Number.isInteger(ttl) && ttl >= 1 && ttl <= 255), `${at}.icmp.ttl`, `${ttl} is not a time to live`, 'use 1 to 255');
      const size = m.icmp?.payloadSize;
      check(size === undefined || (Number.isInteger(size) && size >= 0 && size <= 65000), `${at}.icmp.payloadSize`, `${size} is not a payload size`, 'use 0 to 65000 bytes');
    }
    if (m.prober === 'dns') {
      const d = m.dns;
      check(Boolean(d?.queryName), `${at}.dns.queryName`, 'is not set: the exporter refuses a DNS module without it', 'name what to ask for, e.g. kubernetes.default.svc.cluster.local');
      check(d?.queryType === undefined || DNS_QUERY_TYPES.includes(d.queryType), `${at}.dns.queryType`, `'${d?.queryType}' is not a DNS query type`, `use one of ${DNS_QUERY_TYPES.join(', ')}`);
      d?.validRcodes?.forEach((rcode, i) => check(DNS_RCODES.includes(rcode), `${at}.dns.validRcodes[${i}]`, `'${rcode}' is not a DNS answer code`, `use one of ${DNS_RCODES.join(', ')}`));
    }
  }
  return problems;
}
