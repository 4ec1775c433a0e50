// How the user's scrapes are written: endpoints, relabelings, auth and TLS, as the values type them, rendered into
// the operator's fields, and checked. Shared by applications (ServiceMonitor, PodMonitor) and scrape configs.
// Credentials are Secret references only; the operator reads them from the namespace of the object that names them.
import type { MonitorEndpoint, RelabelConfig, ScrapeAuth, ScrapeLimits, ScrapeTlsConfig, SecretOrConfigMapKey } from '../k8s/monitoring';
import type { PromDuration, SecretKeyRef } from '../core/primitives';
import type { StackProblem } from '../core/problems';
import { checkPromDuration } from '../core/checks';
import { durationSeconds } from '../core/durations';
import { urlFinding } from '../core/credentials';
import { quoted } from '../core/redact';
import type { BasicAuthRef } from './prometheus';

/** A relabeling action, lower-case as the operator's CRDs take it. */
export type RelabelAction =
  | 'replace' | 'keep' | 'drop' | 'keepequal' | 'dropequal' | 'hashmod'
  | 'labelmap' | 'labeldrop' | 'labelkeep' | 'lowercase' | 'uppercase';

/** One relabeling rule (Prometheus' `relabel_config`, the operator's RelabelConfig). */
export interface RelabelingValues {
  /** Labels whose values, joined by `separator`, are matched against `regex`. */
  readonly sourceLabels?: string[];
  /** @default ";" */
  readonly separator?: string;
  /** The label written; required by replace, hashmod, lowercase, uppercase, keepequal and dropequal. */
  readonly targetLabel?: string;
  /** An RE2 regular expression, anchored at both ends. @default "(.*)" */
  readonly regex?: string;
  /** The divisor of hashmod (required there, at least 1). */
  readonly modulus?: number;
  /** What replace writes (`$1` refers to the first group of `regex`). @default "$1" */
  readonly replacement?: string;
  /** @default "replace" */
  readonly action?: RelabelAction;
}

/** A key of a ConfigMap, in the namespace of the object that names it. */
export interface ConfigMapKeyRef {
  /** Name of the ConfigMap. */
  readonly name: string;
  /** Key inside the ConfigMap. */
  readonly key: string;
}

/** A certificate (or CA bundle) from a key of a Secret or of a ConfigMap. */
export type CertificateRef = { readonly secret: SecretKeyRef } | { readonly configMap: ConfigMapKeyRef };

/** TLS of a scrape over https; files are referenced, never inlined. */
export interface TargetTlsValues {
  /** The CA the target's certificate is checked against. @default the CAs of the Prometheus image */
  readonly ca?: CertificateRef;
  /** The client certificate, for mutual TLS (with `keySecret`). */
  readonly cert?: CertificateRef;
  /** The client certificate's private key (with `cert`). */
  readonly keySecret?: SecretKeyRef;
  /** The name the target's certificate must carry. @default the target's host */
  readonly serverName?: string;
  /** Accept any certificate: the connection is encrypted but anyone may pose as the target. @default false */
  readonly insecureSkipVerify?: boolean;
}

/** An `Authorization` header from a Secret. */
export interface ScrapeAuthorizationValues {
  /** @default "Bearer" */
  readonly type?: string;
  /** The token (or other credentials) of the header. */
  readonly credentials: SecretKeyRef;
}

/**
 * How one target is scraped. Secrets named here (`basicAuth`, `authorization`, `tlsConfig`) must be in the stack's
 * namespace (`common.namespace`): the monitor is written there, and the operator reads them from its namespace.
 */
export interface ScrapeSettings {
  /** @default "/metrics" */
  readonly path?: string;
  /** @default "http" */
  readonly scheme?: 'http' | 'https';
  /** @default the Prometheus scrape interval */
  readonly interval?: PromDuration;
  /** At most the interval. @default 10s, or the interval when shorter */
  readonly scrapeTimeout?: PromDuration;
  /** URL parameters of every scrape, e.g. `{ "module": ["http_2xx"] }`; never credentials (use `authorization`). */
  readonly params?: Record<string, string[]>;
  /** Keep the target's own labels where they clash with the labels Prometheus adds (`job`, `instance` ...). @default false */
  readonly honorLabels?: boolean;
  /** Rewrite the target's labels before the scrape (after the stack's own `job` rule). */
  readonly relabelings?: RelabelingValues[];
  /** Rewrite or drop scraped series before they are stored. */
  readonly metricRelabelings?: RelabelingValues[];
  /** Basic auth from a Secret; not with `authorization`. */
  readonly basicAuth?: BasicAuthRef;
  /** An `Authorization` header (a bearer token) from a Secret; not with `basicAuth`. */
  readonly authorization?: ScrapeAuthorizationValues;
  /** TLS of an https scrape. */
  readonly tlsConfig?: TargetTlsValues;
}

/** One endpoint of an application: a named port, and how it is scraped. */
export interface ScrapeEndpointValues extends ScrapeSettings {
  /** Name of the Service port; for a PodMonitor, of the container port. */
  readonly port: string;
}

/** Limits of a monitor or scrape config: a scrape over one fails (`up` 0) instead of flooding the TSDB. */
export interface ScrapeLimitValues {
  /** Most samples one scrape may return. @default no limit */
  readonly sampleLimit?: number;
  /** Most targets the monitor may discover. @default no limit */
  readonly targetLimit?: number;
  /** Most labels a sample may carry. @default no limit */
  readonly labelLimit?: number;
}

const key = (ref: SecretKeyRef | ConfigMapKeyRef) => ({ name: ref.name, key: ref.key });

function certificateSpec(ref: CertificateRef): SecretOrConfigMapKey {
  return 'secret' in ref ? { secret: key(ref.secret) } : { configMap: key(ref.configMap) };
}

/** The operator's RelabelConfig: only the fields set, in one order. */
export function relabelSpec(r: RelabelingValues): RelabelConfig {
  return {
    ...(r.sourceLabels ? { sourceLabels: [...r.sourceLabels] } : {}),
    ...(r.separator !== undefined ? { separator: r.separator } : {}),
    ...(r.targetLabel !== undefined ? { targetLabel: r.targetLabel } : {}),
    ...(r.regex !== undefined ? { regex: r.regex } : {}),
    ...(r.modulus !== undefined ? { modulus: r.modulus } : {}),
    ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
    ...(r.action !== undefined ? { action: r.action } : {}),
  };
}

/** Basic auth, the Authorization header and TLS, as Secret (and ConfigMap) references only. */
export function authSpec(s: ScrapeSettings): ScrapeAuth & { tlsConfig?: ScrapeTlsConfig } {
  const tls = s.tlsConfig;
  return {
    ...(s.basicAuth ? { basicAuth: { username: key(s.basicAuth.username), password: key(s.basicAuth.password) } } : {}),
    ...(s.authorization ? { authorization: { type: s.authorization.type ?? 'Bearer', credentials: key(s.authorization.credentials) } } : {}),
    ...(tls ? {
      tlsConfig: {
        ...(tls.ca ? { ca: certificateSpec(tls.ca) } : {}),
        ...(tls.cert ? { cert: certificateSpec(tls.cert) } : {}),
        ...(tls.keySecret ? { keySecret: key(tls.keySecret) } : {}),
        ...(tls.serverName !== undefined ? { serverName: tls.serverName } : {}),
        ...(tls.insecureSkipVerify !== undefined ? { insecureSkipVerify: tls.insecureSkipVerify } : {}),
      },
    } : {}),
  };
}

/** A ServiceMonitor (or PodMonitor) endpoint; `first` relabelings come before the user's (the stack's `job` rule). */
export function endpointSpec(e: ScrapeEndpointValues, first: readonly RelabelConfig[]): MonitorEndpoint {
  const relabelings = [...first, ...(e.relabelings ?? []).map(relabelSpec)];
  return {
    port: e.port,
    path: e.path ?? '/metrics',
    ...(e.scheme ? { scheme: e.scheme } : {}),
    ...(e.interval ? { interval: e.interval } : {}),
    ...(e.scrapeTimeout ? { scrapeTimeout: e.scrapeTimeout } : {}),
    ...(e.params ? { params: Object.fromEntries(Object.entries(e.params).map(([k, v]) => [k, [...v]])) } : {}),
    ...(e.honorLabels !== undefined ? { honorLabels: e.honorLabels } : {}),
    ...authSpec(e),
    ...(relabelings.length ? { relabelings } : {}),
    ...(e.metricRelabelings?.length ? { metricRelabelings: e.metricRelabelings.map(relabelSpec) } : {}),
  };
}

export function limitsSpec(l: ScrapeLimitValues): ScrapeLimits {
  return {
    ...(l.sampleLimit !== undefined ? { sampleLimit: l.sampleLimit } : {}),
    ...(l.targetLimit !== undefined ? { targetLimit: l.targetLimit } : {}),
    ...(l.labelLimit !== undefined ? { labelLimit: l.labelLimit } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Checks: what Prometheus or the operator would reject (or silently get wrong), named by field.

const ACTIONS: readonly RelabelAction[] = ['replace', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase'];
/** Actions Prometheus refuses without a `target_label`. */
const NEEDS_TARGET: ReadonlySet<RelabelAction> = new Set(['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Prometheus' relabelTarget: a label name that may hold `$1` / `${name}` references (replace only). */
const TEMPLATED_LABEL = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Why a regular expression is not one Prometheus (Go's RE2) takes, if it is not. RE2 has no lookaround and no
 * backreferences; its named groups `(?P<x>)` and flag groups `(?i)` are translated before JavaScript compiles the
 * rest, which the two syntaxes share.
 */
export function re2Problem(regex: string): string | undefined {
  if (/\(\?<?[=!]/.test(regex)) return 'uses a lookahead or lookbehind, which RE2 (Prometheus) does not support';
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(regex)) return 'uses a backreference (\\1 ...), which RE2 (Prometheus) does not support';
  const js = regex.replace(/\(\?P</g, '(?<').replace(/\(\?[imsU]+\)/g, '').replace(/\(\?[imsU]*(-[imsU]+)?:/g, '(?:');
  try {
    new RegExp(`^(?:${js})$`);
  } catch (error) {
    return `does not compile: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  return undefined;
}

/** The problems of a list of relabeling rules, each at `<field>[j]`. */
export function checkRelabelings(list: readonly RelabelingValues[] | undefined, field: string): StackProblem[] {
  const problems: StackProblem[] = [];
  (list ?? []).forEach((r, j) => {
    const at = `${field}[${j}]`;
    const action = r.action ?? 'replace';
    const add = (sub: string, message: string, fix: string) => problems.push({ field: `${at}${sub}`, message, fix });
    if (!ACTIONS.includes(action)) {
      add('.action', `${quoted(String(action))} is not a relabeling action`, `use one of ${ACTIONS.join(', ')} (lower-case)`);
      return;
    }
    if (r.regex !== undefined) {
      const problem = re2Problem(r.regex);
      if (problem) add('.regex', `${quoted(r.regex)} ${problem}`, 'write an RE2 regular expression (anchored at both ends, no lookaround or backreferences)');
    }
    (r.sourceLabels ?? []).forEach((l, k) => {
      if (!LABEL_NAME.test(l)) add(`.sourceLabels[${k}]`, `${quoted(l)} is not a label name`, 'use letters, digits and "_", not starting with a digit (e.g. __meta_kubernetes_pod_label_app)');
    });
    if (NEEDS_TARGET.has(action) && !r.targetLabel) {
      add('.targetLabel', `action ${action} needs a targetLabel`, `name the label the ${action} rule writes, e.g. targetLabel: 'team'`);
    } else if (r.targetLabel !== undefined && !(action === 'replace' ? TEMPLATED_LABEL : LABEL_NAME).test(r.targetLabel)) {
      add('.targetLabel', `${quoted(r.targetLabel)} is not a label name`, 'use letters, digits and "_", not starting with a digit');
    }
    if (action === 'hashmod' && !(Number.isInteger(r.modulus) && (r.modulus ?? 0) >= 1)) {
      add('.modulus', `action hashmod needs a modulus of at least 1${r.modulus === undefined ? '' : `, got ${r.modulus}`}`, 'set modulus to the number of shards, e.g. 4');
    }
    if ((action === 'labeldrop' || action === 'labelkeep') && (r.sourceLabels || r.targetLabel !== undefined || r.modulus !== undefined || r.separator !== undefined || r.replacement !== undefined)) {
      add('', `action ${action} takes only a regex (matched against label names)`, 'remove sourceLabels, targetLabel, separator, replacement and modulus from this rule');
    }
    if ((action === 'keepequal' || action === 'dropequal') && (r.regex !== undefined || r.modulus !== undefined || r.separator !== undefined || r.replacement !== undefined)) {
      add('', `action ${action} compares sourceLabels with targetLabel and takes no regex, separator, replacement or modulus`, 'remove those fields from this rule');
    }
  });
  return problems;
}

function checkKeyRef(ref: SecretKeyRef | ConfigMapKeyRef | undefined, field: string, what: string): StackProblem[] {
  if (!ref) return [];
  return [
    ...(DNS_SUBDOMAIN.test(ref.name) ? [] : [{ field: `${field}.name`, message: `${quoted(ref.name)} is not a ${what} name`, fix: `name the ${what} (lower-case letters, digits, "-" and ".")` }]),
    ...(CONFIG_KEY.test(ref.key) ? [] : [{ field: `${field}.key`, message: `${quoted(ref.key)} is not a key of a ${what}`, fix: 'use letters, digits, "-", "_" and "."' }]),
  ];
}

function checkCertificate(ref: CertificateRef | undefined, field: string): StackProblem[] {
  if (!ref) return [];
  return 'secret' in ref ? checkKeyRef(ref.secret, `${field}.secret`, 'Secret') : checkKeyRef(ref.configMap, `${field}.configMap`, 'ConfigMap');
}

/**
 * The problems of how a target is scraped. `defaultInterval` is the interval it gets when it names none (the
 * Prometheus scrape interval), against which the timeout is checked.
 */
export function checkScrapeSettings(s: ScrapeSettings, field: string, defaultInterval?: PromDuration, names: { path: string; interval: string } = { path: 'path', interval: 'interval' }): StackProblem[] {
  const problems: StackProblem[] = [];
  for (const [value, at] of [[s.interval, names.interval], [s.scrapeTimeout, 'scrapeTimeout']] as const) {
    const problem = checkPromDuration(value, `${field}.${at}`);
    if (problem) problems.push(problem);
  }
  const interval = s.interval ?? defaultInterval;
  if (s.scrapeTimeout && interval && durationSeconds(s.scrapeTimeout) > durationSeconds(interval)) {
    problems.push({ field: `${field}.scrapeTimeout`, message: `${s.scrapeTimeout} is longer than the scrape interval (${interval}): the operator rejects the monitor`, fix: `set scrapeTimeout to at most ${interval}, or raise the interval` });
  }
  if (s.path !== undefined && !s.path.startsWith('/')) {
    problems.push({ field: `${field}.${names.path}`, message: `${quoted(s.path)} does not start with "/"`, fix: 'write the HTTP path, e.g. /metrics' });
  }
  for (const [name, values] of Object.entries(s.params ?? {})) {
    const url = new URL('http://target/');
    values.forEach((v) => url.searchParams.append(name, v));
    const finding = urlFinding(url.toString());
    if (finding) {
      problems.push({ field: `${field}.params.${name}`, message: `looks like a credential (${finding.kind}): params are written into the Prometheus configuration and shown in its UI`, fix: 'pass the credential by Secret reference, with authorization or basicAuth' });
    }
  }
  if (s.basicAuth && s.authorization) {
    problems.push({ field: `${field}.authorization`, message: 'is set together with basicAuth: a scrape sends one Authorization header', fix: 'keep one of basicAuth and authorization' });
  }
  if (s.basicAuth) problems.push(...checkKeyRef(s.basicAuth.username, `${field}.basicAuth.username`, 'Secret'), ...checkKeyRef(s.basicAuth.password, `${field}.basicAuth.password`, 'Secret'));
  if (s.authorization) {
    if (s.authorization.type !== undefined && /^basic$/i.test(s.authorization.type)) {
      problems.push({ field: `${field}.authorization.type`, message: 'Basic is not allowed here (the operator refuses it)', fix: 'use basicAuth with the username and password Secrets' });
    }
    problems.push(...checkKeyRef(s.authorization.credentials, `${field}.authorization.credentials`, 'Secret'));
  }
  const tls = s.tlsConfig;
  if (tls) {
    if ((s.scheme ?? 'http') !== 'https') {
      problems.push({ field: `${field}.tlsConfig`, message: 'is set, but the target is scraped over http, so it would not be used', fix: "set scheme: 'https'" });
    }
    if (Boolean(tls.cert) !== Boolean(tls.keySecret)) {
      problems.push({ field: `${field}.tlsConfig.${tls.cert ? 'keySecret' : 'cert'}`, message: `is missing: a client certificate needs both cert and keySecret`, fix: 'name the certificate (cert) and its private key (keySecret), or neither' });
    }
    problems.push(...checkCertificate(tls.ca, `${field}.tlsConfig.ca`), ...checkCertificate(tls.cert, `${field}.tlsConfig.cert`), ...checkKeyRef(tls.keySecret, `${field}.tlsConfig.keySecret`, 'Secret'));
  }
  problems.push(...checkRelabelings(s.relabelings, `${field}.relabelings`), ...checkRelabelings(s.metricRelabelings, `${field}.metricRelabelings`));
  return problems;
}

export function checkLimits(l: ScrapeLimitValues, field: string): StackProblem[] {
  return (['sampleLimit', 'targetLimit', 'labelLimit'] as const).flatMap((k) => {
    const value = l[k];
    return value === undefined || (Number.isInteger(value) && value >= 0)
      ? []
      : [{ field: `${field}.${k}`, message: `${value} is not a whole number of at least 0`, fix: 'give a count, e.g. 10000 (0: no limit)' }];
  });
}
