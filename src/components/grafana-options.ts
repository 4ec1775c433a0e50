// Grafana's optional parts the values describe: the datasources a user adds, its storage, plugins, grafana.ini
// settings and single sign-on. What each becomes in the provisioning file, grafana.ini, the pod and its egress, and
// the checks of the values. Credentials are only ever Secret references: the files hold env var names, the pod the
// secretKeyRefs.
import type { k8s } from 'cdk8s-plus-27';
import type { SecretKeyRef } from '../core/primitives';
import type { StackProblem } from '../core/problems';
import { urlFinding } from '../core/credentials';
import { quoted } from '../core/redact';
import { urlDestination, urlEgress, type PeerAllowance, type ResolvedNetwork } from '../k8s/network';

/** Username and password for a datasource; the password only by reference. */
export interface DatasourceBasicAuth {
  readonly user: string;
  /** The Secret key holding the password. */
  readonly passwordSecret: SecretKeyRef;
}

interface DatasourceCommon {
  /** Shown in Grafana; unique. */
  readonly name: string;
  /** e.g. `http://loki-gateway.logging.svc:80`: Grafana's pod may reach this host and port, nothing else for it. */
  readonly url: string;
  /**
   * What dashboards and other datasources refer to it by: letters, digits, `-` and `_`, up to 40; unique.
   * @default the name in lower case, other characters as `-`
   */
  readonly uid?: string;
  /**
   * The datasource panels use unless they name one; at most one. The stack's Prometheus is the default otherwise.
   * @default false
   */
  readonly isDefault?: boolean;
  readonly basicAuth?: DatasourceBasicAuth;
  /** A Secret key holding a token Grafana sends as `Authorization: Bearer <token>`. */
  readonly bearerTokenSecret?: SecretKeyRef;
  /**
   * Accepts any TLS certificate from the datasource: anyone on the path can then read and change what Grafana gets.
   * @default false
   */
  readonly tlsSkipVerify?: boolean;
}

/** A trace id in a Prometheus exemplar, linked to a traces datasource. */
export interface ExemplarTraceIdDestination {
  /** The exemplar label holding the trace id, e.g. `trace_id`. */
  readonly name: string;
  readonly datasourceUid: string;
}

export interface PrometheusJsonData {
  /** Prometheus' scrape interval, e.g. `30s`: the smallest step of queries. */
  readonly timeInterval?: string;
  readonly httpMethod?: 'GET' | 'POST';
  readonly prometheusType?: 'Prometheus' | 'Thanos' | 'Mimir' | 'Cortex';
  /** e.g. `60s` */
  readonly queryTimeout?: string;
  readonly exemplarTraceIdDestinations?: ExemplarTraceIdDestination[];
}

export interface AlertmanagerJsonData {
  /** @default "prometheus" */
  readonly implementation?: 'prometheus' | 'mimir' | 'cortex';
  /** Sends Grafana-managed alerts to this Alertmanager too. @default false */
  readonly handleGrafanaManagedAlerts?: boolean;
}

/** A link from a log line to a trace or a URL, found by a regex (or a label) in the line. */
export interface LokiDerivedField {
  readonly name: string;
  /** e.g. `traceID=(\\w+)`; with matcherType `label`, the label name. */
  readonly matcherRegex: string;
  /** @default "regex" */
  readonly matcherType?: 'regex' | 'label';
  /** e.g. `${__value.raw}` for a trace datasource, or a URL with it (written as Grafana's UI takes it: the stack escapes `$`). */
  readonly url?: string;
  /** The traces datasource the link opens. */
  readonly datasourceUid?: string;
}

export interface LokiJsonData {
  readonly maxLines?: number;
  readonly derivedFields?: LokiDerivedField[];
}

/** From a span to its logs. */
export interface TracesToLogs {
  /** The logs datasource (e.g. Loki). */
  readonly datasourceUid: string;
  /** Span attributes searched for in the logs, e.g. `[{ key: 'service.name', value: 'service_name' }]`. */
  readonly tags?: Array<{ readonly key: string; readonly value?: string }>;
  readonly filterByTraceID?: boolean;
  readonly filterBySpanID?: boolean;
  /** e.g. `-5m` */
  readonly spanStartTimeShift?: string;
  /** e.g. `5m` */
  readonly spanEndTimeShift?: string;
}

export interface TempoJsonData {
  readonly tracesToLogsV2?: TracesToLogs;
  /** The Prometheus holding Tempo's service graph metrics. */
  readonly serviceMap?: { readonly datasourceUid: string };
  readonly nodeGraph?: { readonly enabled: boolean };
  readonly search?: { readonly hide?: boolean };
}

export interface JaegerJsonData {
  readonly tracesToLogsV2?: TracesToLogs;
  readonly nodeGraph?: { readonly enabled: boolean };
}

/** A Prometheus, or a Thanos Query (a Prometheus-type datasource with `prometheusType: Thanos`). */
export interface PrometheusDatasourceValues extends DatasourceCommon {
  readonly type: 'prometheus' | 'thanos';
  readonly jsonData?: PrometheusJsonData;
}
export interface AlertmanagerDatasourceValues extends DatasourceCommon {
  readonly type: 'alertmanager';
  readonly jsonData?: AlertmanagerJsonData;
}
export interface LokiDatasourceValues extends DatasourceCommon {
  readonly type: 'loki';
  readonly jsonData?: LokiJsonData;
}
export interface TempoDatasourceValues extends DatasourceCommon {
  readonly type: 'tempo';
  readonly jsonData?: TempoJsonData;
}
export interface JaegerDatasourceValues extends DatasourceCommon {
  readonly type: 'jaeger';
  readonly jsonData?: JaegerJsonData;
}

/** A datasource Grafana is provisioned with, read-only in its UI. */
export type GrafanaDatasourceValues = PrometheusDatasourceValues | AlertmanagerDatasourceValues | LokiDatasourceValues | TempoDatasourceValues | JaegerDatasourceValues;

export interface GrafanaPersistence {
  /** @default false: an emptyDir, lost with the pod (users, preferences, plugins) */
  readonly enabled?: boolean;
  /** @default "10Gi" */
  readonly size?: string;
  /** @default the cluster's default StorageClass */
  readonly storageClassName?: string;
  /**
   * With ReadWriteOnce (or ReadWriteOncePod) the Deployment replaces its pod with `Recreate`: the new pod could not
   * mount the volume while the old one holds it.
   * @default ["ReadWriteOnce"]
   */
  readonly accessModes?: Array<'ReadWriteOnce' | 'ReadWriteOncePod' | 'ReadWriteMany'>;
}

/** A plugin from grafana.com, at a fixed version. */
export interface GrafanaPlugin {
  /** e.g. `grafana-piechart-panel` */
  readonly id: string;
  /** e.g. `1.6.4`: pinned, so that a restart cannot bring another version. */
  readonly version: string;
}

export type OrgRole = 'Viewer' | 'Editor' | 'Admin';

/** The common keys of grafana.ini; merged over the stack's hardened configuration. */
export interface GrafanaSettings {
  readonly server?: {
    /** `[server] root_url`, e.g. `https://grafana.example.com/`. Same as grafana.rootUrl. */
    readonly rootUrl?: string;
    /** `[server] domain`, e.g. `grafana.example.com` */
    readonly domain?: string;
  };
  readonly auth?: {
    /** `[auth] disable_login_form`: only SSO logs in (needs grafana.sso). */
    readonly disableLoginForm?: boolean;
    /** Sends users to the SSO provider at once (the provider's `auto_login`; needs grafana.sso). */
    readonly oauthAutoLogin?: boolean;
  };
  readonly users?: {
    /** `[users] allow_sign_up`: lets anyone who reaches Grafana create an account. @default false */
    readonly allowSignUp?: boolean;
    /** `[users] auto_assign_org_role` of new users. @default "Viewer" */
    readonly autoAssignOrgRole?: OrgRole;
  };
  readonly security?: {
    /** Same as grafana.cookieSecure; `false` sends the session cookie over plain http. */
    readonly cookieSecure?: boolean;
    /** `none` sends the session cookie with cross-site requests. @default "strict" */
    readonly cookieSamesite?: 'strict' | 'lax' | 'none';
    /** `[security] allow_embedding`: lets other sites frame Grafana (clickjacking). @default false */
    readonly allowEmbedding?: boolean;
    /** `[security] strict_transport_security`: browsers then use HTTPS only (serve Grafana over HTTPS first). */
    readonly strictTransportSecurity?: boolean;
    /** `[security] content_security_policy` */
    readonly contentSecurityPolicy?: boolean;
  };
  readonly analytics?: {
    /** Usage reports to stats.grafana.org (opens egress to the internet on 443). @default false */
    readonly reportingEnabled?: boolean;
    /** Update checks at grafana.com (opens egress to the internet on 443). @default false */
    readonly checkForUpdates?: boolean;
  };
  readonly log?: {
    /** @default "info" */
    readonly level?: 'debug' | 'info' | 'warn' | 'error' | 'critical';
  };
}

export type SsoProvider = 'generic_oauth' | 'github' | 'google' | 'azuread' | 'okta' | 'gitlab';

/** Login through an OAuth2 / OpenID Connect provider. The client secret only by reference. */
export interface GrafanaSso {
  readonly provider: SsoProvider;
  readonly clientId: string;
  /** The Secret key holding the client secret: Grafana gets it as GF_AUTH_<PROVIDER>_CLIENT_SECRET. */
  readonly clientSecret: SecretKeyRef;
  /** The login button's label. @default the provider's name */
  readonly name?: string;
  /** Where browsers log in. Required for generic_oauth and okta. @default the provider's (github, google, gitlab.com; azuread from tenantId) */
  readonly authUrl?: string;
  /** Where Grafana exchanges the code: its pod may reach it. Required for generic_oauth and okta. @default the provider's */
  readonly tokenUrl?: string;
  /** Where Grafana reads the user: its pod may reach it. Required for generic_oauth and okta. @default the provider's */
  readonly apiUrl?: string;
  /** Azure AD tenant, for the default authUrl and tokenUrl of azuread. */
  readonly tenantId?: string;
  /** @default ["openid", "email", "profile"] (github: ["user:email", "read:org"]; gitlab: ["openid", "email", "profile"]) */
  readonly scopes?: string[];
  /** Email domains allowed to log in. @default [] (any) */
  readonly allowedDomains?: string[];
  /** JMESPath to the Grafana role, e.g. `contains(groups[*], 'admins') && 'Admin' || 'Viewer'`. */
  readonly roleAttributePath?: string;
  /** Groups allowed to log in (not github: use allowedOrganizations). @default [] (any) */
  readonly allowedGroups?: string[];
  /** GitHub organizations allowed to log in (github only). @default [] (any) */
  readonly allowedOrganizations?: string[];
}

// --- datasources ---------------------------------------------------------------------------------------------

/** Names and uids of the datasources the stack provisions itself. */
export const STACK_DATASOURCES: ReadonlyArray<{ name: string; uid: string }> = [
  { name: 'Prometheus', uid: 'prometheus' },
  { name: 'Alertmanager', uid: 'alertmanager' },
  { name: 'Traces', uid: 'traces' },
  { name: 'Kelemetry', uid: 'kelemetry' },
];

export function datasourceUid(d: Pick<GrafanaDatasourceValues, 'name' | 'uid'>): string {
  return d.uid ?? d.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
}

/** The env var of one secret of a datasource: from its uid, which is unique up to case and `-`/`_` (checked). */
const datasourceEnv = (uid: string, what: string) => `GRAFANA_DATASOURCE_${uid.toUpperCase().replace(/-/g, '_')}_${what}`;
/** Grafana's provisioning expands `${NAME}` from its environment when it reads the file. */
const fromEnv = (name: string) => `\${${name}}`;

export interface ProvisionedDatasource {
  /** The entry of datasources.yaml. */
  readonly entry: Record<string, unknown>;
  /** The env vars its secrets come through, from secretKeyRefs. */
  readonly env: k8s.EnvVar[];
}

/**
 * What the values say, as the provisioning file must spell it: Grafana expands `$NAME` and `${NAME}` from its
 * environment there and reads `$$` as `$`, so `${__value.raw}` in a derived field stays what the user wrote.
 */
function literal<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$') as T;
  if (Array.isArray(value)) return value.map(literal) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)])) as T;
  return value;
}

/** A datasource of the values as Grafana provisions it: secure fields are env references, never values. */
export function provisionedDatasource(d: GrafanaDatasourceValues): ProvisionedDatasource {
  const uid = datasourceUid(d);
  const env: k8s.EnvVar[] = [];
  const secret = (what: string, ref: SecretKeyRef) => {
    const name = datasourceEnv(uid, what);
    env.push({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
    return fromEnv(name);
  };
  const jsonData: Record<string, unknown> = {
    ...(d.type === 'thanos' ? { prometheusType: 'Thanos' } : {}),
    ...(d.type === 'alertmanager' ? { implementation: 'prometheus' } : {}),
    ...literal(d.jsonData ?? {}),
    ...(d.tlsSkipVerify ? { tlsSkipVerify: true } : {}),
  };
  const secureJsonData: Record<string, string> = {};
  if (d.basicAuth) secureJsonData.basicAuthPassword = secret('PASSWORD', d.basicAuth.passwordSecret);
  if (d.bearerTokenSecret) {
    jsonData.httpHeaderName1 = 'Authorization';
    secureJsonData.httpHeaderValue1 = `Bearer ${secret('TOKEN', d.bearerTokenSecret)}`;
  }
  const entry = {
    name: literal(d.name),
    uid,
    type: d.type === 'thanos' ? 'prometheus' : d.type,
    access: 'proxy',
    url: literal(d.url),
    isDefault: d.isDefault ?? false,
    editable: false,
    ...(d.basicAuth ? { basicAuth: true, basicAuthUser: literal(d.basicAuth.user) } : {}),
    ...(Object.keys(jsonData).length ? { jsonData } : {}),
    ...(Object.keys(secureJsonData).length ? { secureJsonData } : {}),
  };
  return { entry, env };
}

// --- persistence and plugins ---------------------------------------------------------------------------------

/** Whether a volume of these access modes is held by one node (or pod) at a time. */
export function singleWriter(accessModes: readonly string[]): boolean {
  return accessModes.some((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod');
}

/** Where Grafana downloads plugins from: the catalog API; archives may redirect to its CDN, also on 443. */
export const PLUGIN_SOURCE = 'https://grafana.com';

/** `GF_PLUGINS_PREINSTALL_SYNC`: Grafana installs these before it serves, and fails to start when one fails. */
export function pluginsEnv(plugins: readonly GrafanaPlugin[]): k8s.EnvVar[] {
  return plugins.length ? [{ name: 'GF_PLUGINS_PREINSTALL_SYNC', value: plugins.map((p) => `${p.id}@${p.version}`).join(',') }] : [];
}

// --- grafana.ini ---------------------------------------------------------------------------------------------

export type IniSections = Record<string, Record<string, string | boolean>>;

/** `overlay` merged key by key over `base`; sections in name order (deterministic, and Grafana reads any order). */
export function mergeIni(base: IniSections, overlay: IniSections): IniSections {
  const merged: IniSections = { ...base };
  for (const [section, keys] of Object.entries(overlay)) merged[section] = { ...(merged[section] ?? {}), ...keys };
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const defined = (keys: Record<string, string | boolean | undefined>): Record<string, string | boolean> =>
  Object.fromEntries(Object.entries(keys).filter((e): e is [string, string | boolean] => e[1] !== undefined));

/** The settings as grafana.ini sections (only what is set). */
export function settingsIni(s: GrafanaSettings): IniSections {
  const sections: IniSections = {
    server: defined({ root_url: s.server?.rootUrl, domain: s.server?.domain }),
    auth: defined({ disable_login_form: s.auth?.disableLoginForm }),
    users: defined({ allow_sign_up: s.users?.allowSignUp, auto_assign_org_role: s.users?.autoAssignOrgRole }),
    security: defined({
      cookie_secure: s.security?.cookieSecure, cookie_samesite: s.security?.cookieSamesite, allow_embedding: s.security?.allowEmbedding,
      strict_transport_security: s.security?.strictTransportSecurity, content_security_policy: s.security?.contentSecurityPolicy,
    }),
    analytics: defined({ reporting_enabled: s.analytics?.reportingEnabled, check_for_updates: s.analytics?.checkForUpdates }),
    log: defined({ level: s.log?.level }),
  };
  return Object.fromEntries(Object.entries(sections).filter(([, keys]) => Object.keys(keys).length));
}

/** What Grafana's analytics settings make it call: usage reports and update checks. */
export function analyticsUrls(s: GrafanaSettings): string[] {
  return [...(s.analytics?.reportingEnabled ? ['https://stats.grafana.org'] : []), ...(s.analytics?.checkForUpdates ? ['https://grafana.com'] : [])];
}

const PROVIDER_NAMES: Record<SsoProvider, string> = { generic_oauth: 'OAuth', github: 'GitHub', google: 'Google', azuread: 'Microsoft', okta: 'Okta', gitlab: 'GitLab' };

/** The providers' own endpoints, as Grafana's defaults.ini has them; written out so that the egress follows them. */
function providerUrls(sso: GrafanaSso): { authUrl?: string; tokenUrl?: string; apiUrl?: string } {
  const known: Partial<Record<SsoProvider, { authUrl: string; tokenUrl: string; apiUrl?: string }>> = {
    github: { authUrl: 'https://github.com/login/oauth/authorize', tokenUrl: 'https://github.com/login/oauth/access_token', apiUrl: 'https://api.github.com/user' },
    google: { authUrl: 'https://accounts.google.com/o/oauth2/v2/auth', tokenUrl: 'https://oauth2.googleapis.com/token', apiUrl: 'https://openidconnect.googleapis.com/v1/userinfo' },
    gitlab: { authUrl: 'https://gitlab.com/oauth/authorize', tokenUrl: 'https://gitlab.com/oauth/token', apiUrl: 'https://gitlab.com/api/v4' },
    ...(sso.tenantId ? { azuread: {
      authUrl: `https://login.microsoftonline.com/${sso.tenantId}/oauth2/v2.0/authorize`, tokenUrl: `https://login.microsoftonline.com/${sso.tenantId}/oauth2/v2.0/token`,
    } } : {}),
  };
  const base = known[sso.provider];
  return { authUrl: sso.authUrl ?? base?.authUrl, tokenUrl: sso.tokenUrl ?? base?.tokenUrl, apiUrl: sso.apiUrl ?? base?.apiUrl };
}

const DEFAULT_SCOPES: Record<SsoProvider, string[]> = {
  generic_oauth: ['openid', 'email', 'profile'], github: ['user:email', 'read:org'], google: ['openid', 'email', 'profile'],
  azuread: ['openid', 'email', 'profile'], okta: ['openid', 'email', 'profile', 'groups'], gitlab: ['openid', 'email', 'profile'],
};

/** The env var Grafana reads `[auth.<provider>] client_secret` from (`GF_<SECTION>_<KEY>`). */
export const ssoSecretEnv = (provider: SsoProvider) => `GF_AUTH_${provider.toUpperCase()}_CLIENT_SECRET`;

/** `[auth.<provider>]`; the client secret is not in it, but in the env var ssoSecretEnv names. */
export function ssoIni(sso: GrafanaSso, autoLogin: boolean | undefined): IniSections {
  const urls = providerUrls(sso);
  return {
    [`auth.${sso.provider}`]: defined({
      enabled: true,
      name: sso.name ?? PROVIDER_NAMES[sso.provider],
      client_id: sso.clientId,
      scopes: (sso.scopes ?? DEFAULT_SCOPES[sso.provider]).join(' '),
      auth_url: urls.authUrl,
      token_url: urls.tokenUrl,
      api_url: urls.apiUrl,
      allowed_domains: sso.allowedDomains?.length ? sso.allowedDomains.join(' ') : undefined,
      allowed_groups: sso.allowedGroups?.length ? sso.allowedGroups.join(' ') : undefined,
      allowed_organizations: sso.allowedOrganizations?.length ? sso.allowedOrganizations.join(' ') : undefined,
      role_attribute_path: sso.roleAttributePath,
      // PKCE: a stolen authorization code is worth nothing without the verifier only this Grafana holds.
      use_pkce: true,
      auto_login: autoLogin,
    }),
  };
}

export function ssoEnv(sso: GrafanaSso): k8s.EnvVar[] {
  return [{ name: ssoSecretEnv(sso.provider), valueFrom: { secretKeyRef: { name: sso.clientSecret.name, key: sso.clientSecret.key } } }];
}

/** What Grafana's pod calls for SSO: the token and user endpoints (the browser alone visits authUrl). */
export function ssoEgress(network: ResolvedNetwork, sso: GrafanaSso, namespace: string): PeerAllowance[] {
  const urls = providerUrls(sso);
  return [urls.tokenUrl, urls.apiUrl].flatMap((u) => (u ? urlEgress(network, u, namespace) : []));
}

// --- checks --------------------------------------------------------------------------------------------------

export interface GrafanaOptionValues {
  readonly replicas: number;
  readonly rootUrl?: string;
  readonly cookieSecure: boolean;
  readonly datasources: readonly GrafanaDatasourceValues[];
  readonly persistence: GrafanaPersistence;
  readonly plugins: readonly GrafanaPlugin[];
  readonly settings: GrafanaSettings;
  readonly sso?: GrafanaSso;
}

const UID = /^[A-Za-z0-9_-]{1,40}$/;
const HTTP_URL = /^https?:\/\/[^\s]+$/;
const PLUGIN_ID = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
const PINNED_VERSION = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** The problems of grafana.datasources, persistence, plugins, settings and sso. */
export function checkGrafanaOptions(v: GrafanaOptionValues, field = 'grafana'): StackProblem[] {
  const problems: StackProblem[] = [];
  const check = (ok: boolean, at: string, message: string | (() => string), fix?: string) => {
    if (!ok) problems.push({ field: at, message: typeof message === 'function' ? message() : message, fix });
  };
  const url = (value: string, at: string, example: string) => {
    const readable = HTTP_URL.test(value) && urlDestination(value, 'stack') !== undefined;
    check(readable, at, () => `${quoted(value)} is not an http(s) URL`, `write it like ${example}`);
    const found = readable ? urlFinding(value) : undefined;
    if (found) problems.push({ field: at, message: `holds a credential: ${found.what}`, fix: 'give the URL without credentials, and the credential as a Secret reference' });
  };
  const secretRef = (ref: SecretKeyRef | undefined, at: string) => {
    if (!ref) return;
    check(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(ref.name), `${at}.name`, () => `${quoted(ref.name)} is not a Secret name`);
    check(/^[-._A-Za-z0-9]+$/.test(ref.key), `${at}.key`, () => `${quoted(ref.key)} is not a Secret key`);
  };

  // Datasources: unique names and uids (the stack's own included), URLs Grafana's egress can follow.
  const names = new Map<string, string>(STACK_DATASOURCES.map((d) => [d.name, "the stack's own datasource"]));
  const uids = new Map<string, string>(STACK_DATASOURCES.map((d) => [d.uid.toUpperCase().replace(/-/g, '_'), "the stack's own datasource"]));
  const knownUids = new Set([...STACK_DATASOURCES.map((d) => d.uid), ...v.datasources.map(datasourceUid)]);
  v.datasources.forEach((d, i) => {
    const at = `${field}.datasources[${i}]`;
    const uid = datasourceUid(d);
    check(d.name.trim() !== '', `${at}.name`, 'must not be empty');
    check(!names.has(d.name), `${at}.name`, () => `${quoted(d.name)} is taken by ${names.get(d.name)}`, 'give every datasource its own name');
    names.set(d.name, `${field}.datasources[${i}]`);
    check(UID.test(uid), `${at}.uid`, () => `${quoted(uid)} is not a datasource uid`, 'use up to 40 letters, digits, "-" and "_"');
    // Env var names are built from the uid, so uids must differ in more than case and -/_.
    const envKey = uid.toUpperCase().replace(/-/g, '_');
    check(!uids.has(envKey), `${at}.uid`, () => `${quoted(uid)} is taken by ${uids.get(envKey)} (uids are compared ignoring case, "-" and "_")`, 'give every datasource its own uid');
    uids.set(envKey, `${field}.datasources[${i}]`);
    url(d.url, `${at}.url`, 'http://loki-gateway.logging.svc:80 or https://thanos.example.com');
    check(!(d.basicAuth && d.bearerTokenSecret), at, 'has both basicAuth and bearerTokenSecret: Grafana sends one Authorization header', 'keep one of them');
    if (d.basicAuth) {
      check(d.basicAuth.user.trim() !== '', `${at}.basicAuth.user`, 'must not be empty');
      secretRef(d.basicAuth.passwordSecret, `${at}.basicAuth.passwordSecret`);
    }
    secretRef(d.bearerTokenSecret, `${at}.bearerTokenSecret`);
    const linked: Array<[string | undefined, string]> = [];
    if (d.type === 'prometheus' || d.type === 'thanos') (d.jsonData?.exemplarTraceIdDestinations ?? []).forEach((e, j) => linked.push([e.datasourceUid, `jsonData.exemplarTraceIdDestinations[${j}].datasourceUid`]));
    if (d.type === 'loki') (d.jsonData?.derivedFields ?? []).forEach((f, j) => linked.push([f.datasourceUid, `jsonData.derivedFields[${j}].datasourceUid`]));
    if (d.type === 'tempo') linked.push([d.jsonData?.tracesToLogsV2?.datasourceUid, 'jsonData.tracesToLogsV2.datasourceUid'], [d.jsonData?.serviceMap?.datasourceUid, 'jsonData.serviceMap.datasourceUid']);
    if (d.type === 'jaeger') linked.push([d.jsonData?.tracesToLogsV2?.datasourceUid, 'jsonData.tracesToLogsV2.datasourceUid']);
    for (const [target, path] of linked) {
      if (target !== undefined) check(knownUids.has(target), `${at}.${path}`, () => `${quoted(target)} is the uid of no datasource of the stack (${[...knownUids].join(', ')})`, 'name the uid of a datasource in grafana.datasources, or one of the stack\'s own');
    }
  });
  const defaults = v.datasources.map((d, i) => [d, i] as const).filter(([d]) => d.isDefault);
  check(defaults.length <= 1, `${field}.datasources[${defaults[1]?.[1]}].isDefault`, () => `datasources[${defaults.map(([, i]) => i).join('], [')}] are all the default: Grafana takes one`, 'mark one datasource isDefault');

  const p = v.persistence;
  if (p.enabled) {
    check(QUANTITY.test(p.size ?? ''), `${field}.persistence.size`, () => `${quoted(p.size ?? '')} is not a quantity`, 'write it like 10Gi');
    if (p.storageClassName !== undefined) check(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(p.storageClassName), `${field}.persistence.storageClassName`, () => `${quoted(p.storageClassName!)} is not a StorageClass name`);
    check((p.accessModes ?? []).length > 0, `${field}.persistence.accessModes`, 'is empty', "list the volume's access modes, e.g. ['ReadWriteOnce']");
    // One SQLite database on the volume: a second Grafana would corrupt it (ReadWriteMany) or never start (the others).
    check(v.replicas === 1, `${field}.replicas`, () => `${v.replicas} replicas would share the SQLite database on one persistent volume`, 'keep grafana.replicas at 1 with persistence');
  }

  const pluginIds = new Set<string>();
  v.plugins.forEach((plugin, i) => {
    const at = `${field}.plugins[${i}]`;
    check(PLUGIN_ID.test(plugin.id), `${at}.id`, () => `${quoted(plugin.id)} is not a plugin id`, 'write the id grafana.com shows, e.g. grafana-piechart-panel');
    check(!pluginIds.has(plugin.id), `${at}.id`, () => `${quoted(plugin.id)} is listed twice`);
    pluginIds.add(plugin.id);
    check(PINNED_VERSION.test(plugin.version ?? ''), `${at}.version`, () => `${quoted(plugin.version ?? '')} is not a pinned version: a restart could install another one`, 'give the exact version, e.g. 1.6.4 (grafana.com lists them under the plugin\'s Version history)');
  });

  const s = v.settings;
  if (s.server?.rootUrl !== undefined) {
    url(s.server.rootUrl, `${field}.settings.server.rootUrl`, 'https://grafana.example.com/');
    check(v.rootUrl === undefined || v.rootUrl === s.server.rootUrl, `${field}.settings.server.rootUrl`, () => `differs from grafana.rootUrl (${quoted(v.rootUrl!)})`, 'set one of them');
  }
  if (s.server?.domain !== undefined) check(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s.server.domain), `${field}.settings.server.domain`, () => `${quoted(s.server!.domain!)} is not a host name`);
  check(!(s.auth?.disableLoginForm && !v.sso), `${field}.settings.auth.disableLoginForm`, 'without grafana.sso nobody could log in', 'configure grafana.sso, or leave the login form on');
  check(!(s.auth?.oauthAutoLogin && !v.sso), `${field}.settings.auth.oauthAutoLogin`, 'there is no SSO provider to log in with', 'configure grafana.sso');
  check(!(s.security?.cookieSamesite === 'none' && (s.security?.cookieSecure ?? v.cookieSecure) === false), `${field}.settings.security.cookieSamesite`, "'none' needs a secure cookie: browsers drop SameSite=None cookies without it", 'keep cookieSecure on');

  const sso = v.sso;
  if (sso) {
    const at = `${field}.sso`;
    check(sso.clientId.trim() !== '', `${at}.clientId`, 'must not be empty');
    secretRef(sso.clientSecret, `${at}.clientSecret`);
    const urls = providerUrls(sso);
    if (sso.provider === 'generic_oauth' || sso.provider === 'okta' || sso.provider === 'azuread') {
      const needed = sso.provider === 'azuread' ? (['authUrl', 'tokenUrl'] as const) : (['authUrl', 'tokenUrl', 'apiUrl'] as const);
      for (const key of needed) {
        check(urls[key] !== undefined, `${at}.${key}`, `is required for ${sso.provider}`, sso.provider === 'azuread' ? 'set tenantId, or authUrl and tokenUrl' : `give your provider's ${key.replace('Url', '')} endpoint, e.g. https://idp.example.com/oauth2/${key.replace('Url', '')}`);
      }
    }
    for (const key of ['authUrl', 'tokenUrl', 'apiUrl'] as const) if (sso[key] !== undefined) url(sso[key]!, `${at}.${key}`, 'https://idp.example.com/oauth2/token');
    if (sso.tenantId !== undefined) {
      check(sso.provider === 'azuread', `${at}.tenantId`, 'is for azuread only');
      check(/^[A-Za-z0-9.-]+$/.test(sso.tenantId), `${at}.tenantId`, () => `${quoted(sso.tenantId!)} is not a tenant id or domain`);
    }
    check(!(sso.provider === 'github' && sso.allowedGroups?.length), `${at}.allowedGroups`, 'GitHub has organizations, not groups', 'use allowedOrganizations');
    check(!(sso.provider !== 'github' && sso.allowedOrganizations?.length), `${at}.allowedOrganizations`, 'is for github only', 'use allowedGroups');
  }
  return problems;
}
