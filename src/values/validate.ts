import { checkNetwork, checkPorts, cidrProblem } from '../k8s/network';
import type { Selection } from '../components/operator-managed';
import { prometheusSizeBytes, prometheusSizing, quantityBytes, retentionSizeFor } from '../components/prometheus-sizing';
import * as fs from 'fs';
import * as path from 'path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ResolvedValues } from './defaults';
import type { StackProblem } from '../core/problems';
import { quoted, shown } from '../core/redact';
import { closestNames } from '../core/suggest';
import { checkReceivers } from '../alerting/receivers';
import { checkSchedules } from '../chaos/safety';
import { checkSlos } from '../rules/slo-check';
import { checkDrillScenarios } from '../scenarios/check';
import { checkCustomResources, checkMonitors, monitorResource, type ResourceEntry } from '../ksm/config';
import { checkRouting } from '../alerting/checks';
import { checkRuleGroups } from '../rules/rule-set';
import { checkByteSize, checkPromDuration, DNS_LABEL } from '../core/checks';
import { urlFinding } from '../core/credentials';
import schema from './stack-values.schema.json';
import { VALUES_AJV_OPTIONS, VALUES_ID, VALUES_VALIDATOR_FILE } from './validator-options';
import type { ResourceValues } from '../core/primitives';
import { checkControlPlaneTracing } from '../components/control-plane-tracing';
import { checkPlacement, checkPrometheusOptions } from './check-prometheus';
import { blackboxExporterEnabled, checkBlackboxExporter } from '../components/blackbox-exporter';
import { checkApplicationScrape } from '../components/applications';
import { checkScrapeConfig } from '../components/scrape-configs';
import { checkGrafanaOptions } from '../components/grafana-options';
import { checkExposure, checkProxies, exposureUrl } from '../k8s/exposure';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const PROM_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const ALERT_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

let ajv: Ajv | undefined;
let compiled: ValidateFunction | undefined;
const branchValidators = new Map<string, ValidateFunction>();

export interface ShapeCheck {
  readonly problems: StackProblem[];
  /** True when the only problems are unknown options: the known fields can still be checked further. */
  readonly wellTyped: boolean;
}

/** Ajv with the values schema registered: for the union branches, and for the whole schema when running from source. */
function schemaAjv(): Ajv {
  if (!ajv) {
    // Unoptimized code compiles in half the time, and what it compiles here is validated once or twice per run.
    // Loaded only when needed: a synth of valid values with the build-time validator never loads Ajv.
    const { default: AjvClass } = require('ajv') as typeof import('ajv');
    ajv = new AjvClass({ ...VALUES_AJV_OPTIONS, code: { optimize: false } });
    ajv.addSchema(schema, VALUES_ID);
  }
  return ajv;
}

/** The validator compiled at build time (compile-validator.ts); from source (jest, ts-node) there is none yet. */
function buildTimeValidator(): ValidateFunction | undefined {
  const file = path.join(__dirname, VALUES_VALIDATOR_FILE);
  return fs.existsSync(file) ? (require(file) as ValidateFunction) : undefined;
}

/** Checks the shape of raw stack values against the schema generated from stack-values.ts. */
export function checkShape(values: unknown): ShapeCheck {
  compiled ??= buildTimeValidator() ?? schemaAjv().getSchema(VALUES_ID)!;
  if (compiled(values)) return { problems: [], wellTyped: true };
  const errors = collapseUnions(compiled.errors ?? []);
  return { problems: dedupe(errors.map(describeSchemaError)), wellTyped: errors.every((e) => e.keyword === 'additionalProperties') };
}

// ---------------------------------------------------------------------------------------------------------------
// Unions (Receiver, ChaosExperiment, CrMetric ...): ajv reports every branch's errors, a dozen for one mistake. Only
// the branch the user meant counts: the one whose discriminator (type, kind, op, action, mode) matches the value,
// else the one with the fewest errors.

const DISCRIMINATORS = ['type', 'kind', 'op', 'action', 'mode'];
type SchemaObject = { $ref?: string; anyOf?: SchemaObject[]; oneOf?: SchemaObject[]; properties?: Record<string, { const?: unknown; enum?: unknown[] }> };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(branch: SchemaObject): SchemaObject {
  const name = branch.$ref?.startsWith('#/definitions/') ? branch.$ref.slice('#/definitions/'.length) : undefined;
  return name ? ((schema.definitions as unknown as Record<string, SchemaObject>)[name] ?? branch) : branch;
}

/** The values a branch allows for a discriminator key (through nested unions); undefined: it does not constrain it. */
function discriminatorValues(branch: SchemaObject, key: string, depth = 0): unknown[] | undefined {
  const resolved = resolveRef(branch);
  const union = resolved.anyOf ?? resolved.oneOf;
  if (union && depth < 4) {
    const all = union.map((b) => discriminatorValues(b, key, depth + 1));
    return all.every((v) => v === undefined) ? undefined : all.flatMap((v) => v ?? []);
  }
  const property = resolved.properties?.[key];
  if (property?.const !== undefined) return [property.const];
  return Array.isArray(property?.enum) ? property.enum : undefined;
}

/** A validator for one branch of a union, its references resolved against the values schema. */
function branchValidator(branch: SchemaObject): ValidateFunction {
  const key = JSON.stringify(branch);
  let validate = branchValidators.get(key);
  if (!validate) {
    const rebased = JSON.parse(key.replace(/"\$ref":"#\//g, () => `"$ref":"${VALUES_ID}#/`)) as object;
    validate = schemaAjv().compile(rebased);
    branchValidators.set(key, validate);
  }
  return validate;
}

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

function isUnionError(e: ErrorObject): boolean {
  return e.keyword === 'anyOf' || (e.keyword === 'oneOf' && !e.params.passingSchemas);
}

/** The errors with each failed union (the outermost at a value) replaced by the errors of the branch meant. */
function collapseUnions(errors: readonly ErrorObject[], depth = 0): ErrorObject[] {
  const unions = errors.map((e, i) => [e, i] as const).filter(([e]) => isUnionError(e));
  if (!unions.length || depth > 6) return [...errors];
  // ajv reports a union after its branches: among unions at one value, the last is the outermost.
  const roots = unions.filter(([u, i]) => !unions.some(([v, j]) => j !== i && under(u.instancePath, v.instancePath) && (v.instancePath !== u.instancePath || j > i)));
  const result: ErrorObject[] = [];
  errors.forEach((e) => {
    const root = roots.find(([u]) => under(e.instancePath, u.instancePath));
    if (!root) result.push(e);
    else if (root[0] === e) result.push(...branchErrors(e, depth));
  });
  return result;
}

function branchErrors(union: ErrorObject, depth: number): ErrorObject[] {
  const branches = (Array.isArray(union.schema) ? union.schema : []) as SchemaObject[];
  const data: unknown = union.data;
  if (!branches.length) return [union];
  let candidates = branches;
  if (isPlainObject(data)) {
    for (const key of DISCRIMINATORS) {
      const allowed = candidates.map((b) => discriminatorValues(b, key));
      if (allowed.every((v) => v === undefined) || data[key] === undefined) continue;
      const matching = candidates.filter((_, k) => allowed[k]?.includes(data[key]));
      if (!matching.length) {
        // An unknown discriminator: that is the one mistake, whatever else the object holds.
        const values = [...new Set(allowed.flatMap((v) => v ?? []))];
        return [{ keyword: 'enum', instancePath: `${union.instancePath}/${key}`, schemaPath: union.schemaPath, params: { allowedValues: values }, data: data[key] }];
      }
      candidates = matching;
    }
  }
  let best: ErrorObject[] | undefined;
  for (const branch of candidates) {
    const validate = branchValidator(branch);
    if (validate(data)) return [];
    const errors = collapseUnions(validate.errors ?? [], depth + 1);
    if (!best || errors.length < best.length) best = errors;
  }
  if (!best?.length) return [union];
  return best.map((e) => ({ ...e, instancePath: `${union.instancePath}${e.instancePath}` }));
}

function fieldOf(instancePath: string): string {
  if (instancePath === '') return '(stack values)';
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^[0-9]+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

/** The last property name of a JSON pointer (`/alertmanager/receivers/0/apiUrl` -> `apiUrl`), if any. */
function keyOf(instancePath: string): string | undefined {
  return instancePath.split('/').reverse().find((part) => part !== '' && !/^[0-9]+$/.test(part));
}

function isSecretRefSchema(s: unknown): boolean {
  const properties = (s as { properties?: object } | undefined)?.properties;
  return properties !== undefined && Object.keys(properties).sort().join() === 'key,name';
}

function describeSchemaError(error: ErrorObject): StackProblem {
  const field = fieldOf(error.instancePath);
  const key = keyOf(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = String(error.params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties ?? {}) as object);
      const [near] = closestNames(unknown, known);
      const at = field === '(stack values)' ? unknown : `${field}.${unknown}`;
      return {
        field: at,
        message: `unknown option ${quoted(unknown)}`,
        fix: `${near ? `did you mean '${near}'? ` : ''}known options here: ${known.join(', ')}`,
      };
    }
    case 'required':
      return { field, message: `missing required field '${String(error.params.missingProperty)}'` };
    case 'enum': {
      const allowed = error.params.allowedValues as unknown[];
      const [near] = typeof error.data === 'string' ? closestNames(error.data, allowed.filter((v): v is string => typeof v === 'string')) : [];
      return {
        field,
        message: `${shown(error.data, key)} is not allowed`,
        fix: `${near ? `did you mean ${JSON.stringify(near)}? ` : ''}use one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    }
    case 'type':
      // A credential pasted where a Secret reference belongs: say where it goes, never what it is.
      if (isSecretRefSchema(error.parentSchema) && typeof error.data === 'string') {
        return {
          field,
          message: `must be a Secret reference { name, key }, not the credential itself (got ${shown(error.data, 'secret')})`,
          fix: `put it in a Secret (kubectl create secret generic <name> --from-literal=<key>=…) and reference it as ${key ?? 'the field'}: { name: '<name>', key: '<key>' }`,
        };
      }
      return { field, message: `must be ${String(error.params.type)}, got ${describeValue(error.data, key)}` };
    default:
      return { field, message: `${error.message ?? 'is invalid'} (got ${describeValue(error.data, key)})` };
  }
}

function describeValue(value: unknown, key?: string): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${shown(value, key)}`;
}

function dedupe(problems: StackProblem[]): StackProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Checks what the schema cannot: names, durations, quantities, counts, uniqueness. */
export function checkSemantics(v: ResolvedValues): StackProblem[] {
  const problems: StackProblem[] = [];
  // The message may be a function: it quotes the value (redacted, cut when long) only when the check fails.
  const check = (ok: boolean, field: string, message: string | (() => string), fix?: string) => {
    if (!ok) problems.push({ field, message: typeof message === 'function' ? message() : message, fix });
  };
  const dnsLabel = (value: string, field: string, what: string) =>
    check(
      DNS_LABEL.test(value) && value.length <= 63,
      field,
      () => `${quoted(value)} is not a valid ${what}`,
      'use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit (RFC 1123)',
    );
  const push = (problem: StackProblem | undefined) => problem && problems.push(problem);
  const duration = (value: string | undefined, field: string) => push(checkPromDuration(value, field));
  const thresholds = (values: object | undefined, field: string) => {
    // Thresholds named ...For and ...Window are durations (the `for` of an alert, a range of its query).
    for (const [key, value] of Object.entries(values ?? {})) if (/(For|Window)$/.test(key)) duration(value as string, `${field}.${key}`);
  };
  /** A URL the stack writes into objects: it must not carry a credential (user:password@, ?token=...). */
  const noCredential = (url: string | undefined, field: string, fix: string) => {
    const found = url === undefined ? undefined : urlFinding(url.trim());
    if (found) problems.push({ field, message: `holds a credential: ${found.what}`, fix });
  };
  const count = (value: number, field: string, min: number) =>
    check(Number.isInteger(value) && value >= min, field, `must be a whole number of at least ${min}, got ${value}`);
  const labels = (map: Record<string, string> | undefined, field: string) => {
    for (const [key, value] of Object.entries(map ?? {})) {
      check(LABEL_NAME.test(key) && key.length <= 316, `${field}.${key}`, () => `${quoted(key)} is not a valid Kubernetes label key`, 'use a name of letters, digits, "-", "_" and ".", optionally prefixed by a DNS subdomain and "/" (e.g. example.com/team)');
      check(LABEL_VALUE.test(value) && value.length <= 63, `${field}.${key}`, () => `${quoted(value, key)} is not a valid Kubernetes label value`, 'use at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
    }
  };
  const quantity = (value: string | undefined, field: string) =>
    value === undefined || check(QUANTITY.test(value), field, () => `${quoted(value)} is not a Kubernetes quantity`, 'write it like 100m, 0.5, 256Mi or 2Gi');
  const resources = (r: ResourceValues, field: string) => {
    for (const kind of ['requests', 'limits'] as const) {
      quantity(r[kind]?.cpu, `${field}.${kind}.cpu`);
      quantity(r[kind]?.memory, `${field}.${kind}.memory`);
    }
  };

  dnsLabel(v.name, 'name', 'stack name');
  dnsLabel(v.common.namespace, 'common.namespace', 'namespace name');
  labels(v.common.labels, 'common.labels');
  labels(v.common.ruleLabels, 'common.ruleLabels');
  check(v.common.clusterName !== '' && LABEL_VALUE.test(v.common.clusterName), 'common.clusterName', () => `${quoted(v.common.clusterName)} is not a valid label value`);

  count(v.prometheus.replicas, 'prometheus.replicas', 1);
  duration(v.prometheus.retention, 'prometheus.retention');
  duration(v.prometheus.scrapeInterval, 'prometheus.scrapeInterval');
  duration(v.prometheus.evaluationInterval, 'prometheus.evaluationInterval');
  push(checkByteSize(v.prometheus.retentionSize, 'prometheus.retentionSize'));
  thresholds(v.prometheus.thresholds, 'prometheus.thresholds');
  noCredential(v.prometheus.externalUrl, 'prometheus.externalUrl', 'give the URL users open, without credentials');
  if (v.prometheus.resources) resources(v.prometheus.resources, 'prometheus.resources');
  quantity(v.prometheus.storage?.size, 'prometheus.storage.size');
  // A label selection that the stack's own objects do not match would silently drop them.
  const selects = (selection: Selection, own: Record<string, string>, field: string, ownField: string) => {
    if (selection === 'all') return;
    labels(selection.matchLabels, `${field}.matchLabels`);
    const missing = Object.entries(selection.matchLabels).filter(([k, value]) => own[k] !== value).map(([k, value]) => `${k}=${value}`);
    check(missing.length === 0, field, () => `selects by ${missing.join(', ')}, which the stack's own objects do not carry: they would be ignored`, `add ${missing.join(', ')} to ${ownField}, or select 'all'`);
  };
  selects(v.prometheus.select.rules, v.common.ruleLabels, 'prometheus.select.rules', 'common.ruleLabels');
  for (const kind of ['serviceMonitors', 'podMonitors', 'probes', 'scrapeConfigs'] as const) {
    selects(v.prometheus.select[kind], v.common.labels, `prometheus.select.${kind}`, 'common.labels');
  }
  selects(v.alertmanager.selectConfigs, v.common.labels, 'alertmanager.selectConfigs', 'common.labels');
  {
    const c = v.otelCollector;
    if (c.enabled) {
      check(v.prometheus.enabled, 'otelCollector.enabled', 'the Collector sends its metrics to the stack\'s Prometheus, which is disabled', 'enable prometheus, or disable otelCollector');
      count(c.replicas, 'otelCollector.replicas', 1);
      check(!(c.scrapeExporters && c.replicas > 1), 'otelCollector.replicas', () => `${c.replicas} replicas would each scrape every exporter: every series twice or more`, 'keep 1 replica while scrapeExporters is on');
      check(Boolean(c.otlp.grpc ?? true) || Boolean(c.otlp.http ?? true) || c.scrapeExporters, 'otelCollector', 'receives nothing: OTLP is off and it scrapes no exporter', 'enable otlp.grpc or otlp.http, or scrapeExporters');
      if (c.traces) {
        check(/^[a-z0-9.-]+:\d{1,5}$/.test(c.traces.endpoint), 'otelCollector.traces.endpoint', () => `${quoted(c.traces!.endpoint)} is not host:port`, 'write the OTLP gRPC address without a scheme, e.g. jaeger-collector.tracing.svc:4317');
        check(Boolean(c.otlp.grpc ?? true) || Boolean(c.otlp.http ?? true), 'otelCollector.traces', 'traces need the OTLP receiver, which is off', 'enable otlp.grpc or otlp.http');
        if (c.traces.query) {
          check(/^https?:\/\/[^\s]+$/.test(c.traces.query.url), 'otelCollector.traces.query.url', () => `${quoted(c.traces!.query!.url)} is not an http(s) URL`, 'write the URL Grafana queries, e.g. http://jaeger-query.tracing.svc:16686');
          noCredential(c.traces.query.url, 'otelCollector.traces.query.url', 'give the URL without credentials');
        }
      }
      (c.otlpFromNamespaces ?? []).forEach((ns, i) => dnsLabel(ns, `otelCollector.otlpFromNamespaces[${i}]`, 'namespace name'));
      resources(c.resources, 'otelCollector.resources');
      thresholds(c.thresholds, 'otelCollector.thresholds');
    }
  }
  if (blackboxExporterEnabled(v) || v.probes.length) {
    problems.push(...checkBlackboxExporter(v.blackboxExporter, v.probes, v.common.namespace));
    resources(v.blackboxExporter.resources, 'blackboxExporter.resources');
    thresholds(v.blackboxExporter.thresholds, 'blackboxExporter.thresholds');
  }
  if (v.controlPlaneTracing.enabled) {
    const t = v.controlPlaneTracing;
    problems.push(...checkControlPlaneTracing(t, v.common.clusterName));
    for (const [key, r] of Object.entries(t.resources)) resources(r, `controlPlaneTracing.resources.${key}`);
    quantity(t.storage.size, 'controlPlaneTracing.storage.size');
    [...t.otlpFromNamespaces, ...t.uiNamespaces].forEach((ns, i) =>
      dnsLabel(ns, i < t.otlpFromNamespaces.length ? `controlPlaneTracing.otlpFromNamespaces[${i}]` : `controlPlaneTracing.uiNamespaces[${i - t.otlpFromNamespaces.length}]`, 'namespace name'));
    noCredential(t.webhook.url, 'controlPlaneTracing.webhook.url', 'give the address without credentials (the kube-apiserver authenticates by TLS, not by URL)');
  }
  count(v.prometheus.sizing.nodes, 'prometheus.sizing.nodes', 1);
  count(v.prometheus.sizing.pods, 'prometheus.sizing.pods', 0);
  check(!(v.prometheus.storage?.emptyDir && v.prometheus.storage.storageClassName), 'prometheus.storage',
    'emptyDir and storageClassName exclude each other', 'keep storageClassName for a volume, or emptyDir for node-local storage');
  {
    // The TSDB must stop growing before its volume is full: Prometheus crashes on a full disk and loses the WAL.
    const volume = quantityBytes(v.prometheus.storage?.size ?? prometheusSizing(v.prometheus.sizing, v.prometheus.scrapeInterval, v.prometheus.retention).volume);
    const size = v.prometheus.retentionSize === undefined ? undefined : prometheusSizeBytes(v.prometheus.retentionSize);
    if (volume !== undefined && size !== undefined) {
      check(size <= volume * 0.95, 'prometheus.retentionSize', () => `${quoted(v.prometheus.retentionSize!)} does not fit the ${v.prometheus.storage?.size ?? 'default'} volume with room for the WAL`,
        `lower it to ${retentionSizeFor(volume)} or less, or raise prometheus.storage.size`);
    }
  }
  (v.prometheus.remoteWrite ?? []).forEach((rw, i) => {
    const found = urlFinding(rw.url.trim());
    if (found) {
      problems.push({
        field: `prometheus.remoteWrite[${i}].url`,
        message: `holds a credential: ${found.what}; credentials are never written into the stack`,
        fix: `remove it from the URL, put it in a Secret (kubectl create secret generic <name> --from-literal=<key>=…) and reference it as ${found.kind === 'url-password' ? 'basicAuth: { username: { name, key }, password: { name, key } }' : 'bearerToken: { name, key }'}`,
      });
    } else {
      check(/^https?:\/\/[^\s]+$/.test(rw.url), `prometheus.remoteWrite[${i}].url`, () => `${quoted(rw.url)} is not an http(s) URL`);
    }
    check(!(rw.basicAuth && rw.bearerToken), `prometheus.remoteWrite[${i}]`, 'basicAuth and bearerToken are mutually exclusive', 'keep one of them');
  });
  for (const [key] of Object.entries(v.prometheus.externalLabels)) {
    check(PROM_NAME.test(key) && !key.includes(':'), `prometheus.externalLabels.${key}`, () => `${quoted(key)} is not a valid Prometheus label name`);
    check(key !== 'cluster', 'prometheus.externalLabels.cluster', 'the cluster label comes from common.clusterName', 'set common.clusterName instead');
  }

  problems.push(...checkPrometheusOptions(v), ...checkPlacement(v));

  count(v.alertmanager.replicas, 'alertmanager.replicas', 1);
  duration(v.alertmanager.retention, 'alertmanager.retention');
  thresholds(v.alertmanager.thresholds, 'alertmanager.thresholds');
  noCredential(v.alertmanager.externalUrl, 'alertmanager.externalUrl', 'give the URL users open, without credentials');
  problems.push(...checkRouting(v.alertmanager, 'alertmanager', v.alertmanager.enabled));
  resources(v.alertmanager.resources, 'alertmanager.resources');
  quantity(v.alertmanager.storage?.size, 'alertmanager.storage.size');

  problems.push(...checkNetwork(v.common.network, 'common.network'));
  v.alertmanager.egress.forEach((e, i) => {
    problems.push(...checkPorts(e.ports, `alertmanager.egress[${i}].ports`));
    (e.cidrs ?? []).forEach((c, j) => {
      const problem = cidrProblem(c);
      if (problem) problems.push({ field: `alertmanager.egress[${i}].cidrs[${j}]`, message: problem, fix: 'write a CIDR like 192.0.2.0/24' });
    });
  });
  for (const [key, image] of Object.entries(v.common.images)) {
    if (image.digest !== undefined) check(/^sha256:[0-9a-f]{64}$/.test(image.digest), `common.images.${key}.digest`, () => `${quoted(image.digest!)} is not a sha256 digest`, 'write it as sha256: and 64 hex digits, as `crane digest` or `docker buildx imagetools inspect` print it');
  }
  if (v.nodeExporter.namespace !== undefined) {
    dnsLabel(v.nodeExporter.namespace, 'nodeExporter.namespace', 'namespace name');
    check(v.nodeExporter.namespace !== v.common.namespace, 'nodeExporter.namespace', 'is the stack namespace, which enforces Pod Security restricted: node-exporter\'s host access would be refused',
      'leave it unset (it is then <common.namespace>-node), or name another namespace');
  }
  count(v.nodeExporter.port, 'nodeExporter.port', 1);
  check(v.nodeExporter.port <= 65535, 'nodeExporter.port', `must be a port number up to 65535, got ${v.nodeExporter.port}`);
  resources(v.nodeExporter.resources, 'nodeExporter.resources');
  thresholds(v.nodeExporter.thresholds, 'nodeExporter.thresholds');
  thresholds(v.kubeStateMetrics.thresholds, 'kubeStateMetrics.thresholds');
  thresholds(v.prometheusOperator.thresholds, 'prometheusOperator.thresholds');
  thresholds(v.grafana.thresholds, 'grafana.thresholds');
  thresholds(v.controlPlane.thresholds, 'controlPlane.thresholds');
  noCredential(v.grafana.rootUrl, 'grafana.rootUrl', 'give the URL users open, without credentials');
  noCredential(v.rules.runbookBaseUrl, 'rules.runbookBaseUrl', 'give a URL without credentials: runbook links are shown to everyone who gets an alert');
  resources(v.kubeStateMetrics.resources, 'kubeStateMetrics.resources');
  resources(v.prometheusOperator.resources, 'prometheusOperator.resources');
  v.prometheusOperator.watchNamespaces.forEach((ns, i) => dnsLabel(ns, `prometheusOperator.watchNamespaces[${i}]`, 'namespace name'));

  count(v.grafana.replicas, 'grafana.replicas', 1);
  if (v.grafana.enabled) problems.push(...checkGrafanaOptions(v.grafana));
  resources(v.grafana.resources, 'grafana.resources');
  labels(v.grafana.dashboardLabel, 'grafana.dashboardLabel');
  check(Object.keys(v.grafana.dashboardLabel).length === 1, 'grafana.dashboardLabel', 'must hold exactly one label: the sidecar watches one label key and value');
  // Names only: the sidecar reads `ALL` in its comma-separated list as every namespace, which needs the opt-in below.
  if (Array.isArray(v.grafana.dashboardNamespaces)) v.grafana.dashboardNamespaces.forEach((ns, i) => dnsLabel(ns, `grafana.dashboardNamespaces[${i}]`, 'namespace name'));
  check(v.grafana.dashboardNamespaces !== 'all' || v.grafana.allowDashboardsFromAllNamespaces, 'grafana.dashboardNamespaces',
    "'all' lets anyone who may create a ConfigMap in any namespace add dashboards to Grafana, and make its pod fetch any URL (a ConfigMap key ending .url)",
    "name the namespaces dashboards come from (dashboardNamespaces: ['team-a', 'team-b']), or set grafana.allowDashboardsFromAllNamespaces: true");

  // Exposure: an Ingress or HTTPRoute needs its proxy named, or the component's NetworkPolicy would block it.
  problems.push(...checkProxies(v.common));
  for (const exposed of ['prometheus', 'alertmanager', 'grafana'] as const) {
    if (v[exposed].enabled) problems.push(...checkExposure(v[exposed], exposed, v.common));
  }
  const grafanaUrl = v.grafana.rootUrl ?? exposureUrl(v.grafana);
  check(!(v.grafana.enabled && v.grafana.cookieSecure && grafanaUrl?.startsWith('http:')), 'grafana.cookieSecure',
    () => `is true, but Grafana is served over plain http (${grafanaUrl}): browsers drop the session cookie and nobody can log in`,
    'give grafana.ingress a tls Secret (or httpRoute scheme https behind a TLS listener), or set grafana.cookieSecure: false');

  dnsLabel(v.controlPlane.coreDns.namespace, 'controlPlane.coreDns.namespace', 'namespace name');
  labels(v.controlPlane.coreDns.selector, 'controlPlane.coreDns.selector');

  const scrapeConfigNames = new Map<string, number>();
  v.scrapeConfigs.forEach((sc, i) => {
    problems.push(...checkScrapeConfig(sc, `scrapeConfigs[${i}]`, v.prometheus.scrapeInterval));
    const first = scrapeConfigNames.get(sc.name);
    check(first === undefined, `scrapeConfigs[${i}].name`, () => `${quoted(sc.name)} is already used by scrapeConfigs[${first}]`, 'give every scrape config a unique name');
    scrapeConfigNames.set(sc.name, i);
  });

  const appNames = new Map<string, number>();
  v.applications.forEach((app, i) => {
    const at = `applications[${i}]`;
    dnsLabel(app.name, `${at}.name`, 'application name');
    dnsLabel(app.namespace, `${at}.namespace`, 'namespace name');
    labels(app.selector, `${at}.selector`);
    check(Object.keys(app.selector).length > 0, `${at}.selector`, 'must not be empty: an empty selector scrapes every Service in the namespace', 'name the labels of the application\'s Service');
    problems.push(...checkApplicationScrape(app, at, v.prometheus.scrapeInterval));
    const first = appNames.get(app.name);
    check(first === undefined, `${at}.name`, () => `${quoted(app.name)} is already used by applications[${first}]`, 'give every application a unique name');
    appNames.set(app.name, i);
    const ruleNames = new Set<string>();
    (app.alerts ?? []).forEach((alert, j) => {
      check(ALERT_NAME.test(alert.alert), `${at}.alerts[${j}].alert`, () => `${quoted(alert.alert)} is not a valid alert name`, 'use letters, digits and "_", not starting with a digit');
      check(alert.expr.trim() !== '', `${at}.alerts[${j}].expr`, 'must not be empty');
      duration(alert.for, `${at}.alerts[${j}].for`);
      check(!ruleNames.has(alert.alert), `${at}.alerts[${j}].alert`, () => `${quoted(alert.alert)} is defined twice in this application`);
      ruleNames.add(alert.alert);
    });
    (app.records ?? []).forEach((record, j) => {
      check(PROM_NAME.test(record.record), `${at}.records[${j}].record`, () => `${quoted(record.record)} is not a valid metric name`, 'use letters, digits, "_" and ":" (level:metric:operations)');
      check(record.expr.trim() !== '', `${at}.records[${j}].expr`, 'must not be empty');
    });
  });

  // One config for both lists (names and kinds unique across them), each problem at the entry it comes from.
  const ksmResources: ResourceEntry[] = [
    ...v.kubeStateMetrics.customResources.map((resource, i) => ({ resource, at: `kubeStateMetrics.customResources[${i}]` })),
    ...v.kubeStateMetrics.crStatusMonitors.map((m, i) => ({ resource: monitorResource(m), at: `kubeStateMetrics.crStatusMonitors[${i}]`, derived: true })),
  ];
  problems.push(...checkCustomResources(ksmResources, 'kubeStateMetrics', v.kubeStateMetrics.allowWildcardResources));
  problems.push(...checkMonitors(v.kubeStateMetrics.crStatusMonitors, 'kubeStateMetrics.crStatusMonitors'));

  problems.push(...checkSchedules(v.chaos.schedules, v.common.namespace));
  problems.push(...checkSlos(v.slos));
  problems.push(...checkDrillScenarios(v.drill.scenarios, v.chaos.schedules, v.alertmanager.receivers.map((r) => r.name)));

  // Credentials only by Secret reference: a value that looks like one in any other field is an error.
  problems.push(...checkReceivers(v.alertmanager.receivers, 'alertmanager.receivers'));
  v.alertmanager.teams.forEach((team, i) => {
    dnsLabel(team.namespace, `alertmanager.teams[${i}].namespace`, 'namespace name');
    problems.push(...checkReceivers(team.receivers, `alertmanager.teams[${i}].receivers`));
  });

  // Rules: overrides, the groups written in the values, unit tests.
  for (const [alert, override] of Object.entries(v.rules.overrides)) duration(override.for, `rules.overrides.${alert}.for`);
  problems.push(...checkRuleGroups(v.rules.groups, (at) => `rules.groups${at}`));
  v.rules.tests.forEach((test, i) => {
    duration(test.interval, `rules.tests[${i}].interval`);
    (test.expect ?? []).forEach((e, j) => duration(e.at, `rules.tests[${i}].expect[${j}].at`));
  });

  v.patches.forEach((patch, i) => {
    patch.ops.forEach((op, j) => check(op.path.startsWith('/'), `patches[${i}].ops[${j}].path`, () => `${quoted(op.path)} is not a JSON pointer`, 'start it with "/", e.g. /spec/replicas'));
  });
  for (const field of ['extraObjects', 'replacementObjects'] as const) {
    v[field].forEach((object, i) => {
      check(DNS_SUBDOMAIN.test(object.metadata.name), `${field}[${i}].metadata.name`, () => `${quoted(object.metadata.name)} is not a valid object name`);
    });
  }
  return problems;
}
