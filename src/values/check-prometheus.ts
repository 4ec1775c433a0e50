// The checks of Prometheus' modes and options, and of every component's scheduling and images: what needs more
// than one component's values to judge.
import type { StackProblem } from '../core/problems';
import { urlFinding } from '../core/credentials';
import { checkScheduling, type SchedulingValues } from '../k8s/scheduling';
import type { ResolvedValues } from './defaults';
import { DNS_LABEL } from '../core/checks';

const FEATURE = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
// A registry host with an optional port and path, as an image reference starts: no scheme, no trailing slash.
const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$/;

function url(value: string | undefined, field: string, problems: StackProblem[]): void {
  if (value === undefined) return;
  const found = urlFinding(value.trim());
  if (found) problems.push({ field, message: `holds a credential: ${found.what}`, fix: 'give the URL without credentials' });
  else if (!/^https?:\/\/[^\s/]+/.test(value)) problems.push({ field, message: `'${value}' is not an http(s) URL`, fix: 'write it like https://s3.eu-west-1.amazonaws.com' });
}

/** Agent mode, the Thanos sidecar, feature flags and additional Alertmanagers. */
export function checkPrometheusOptions(v: ResolvedValues): StackProblem[] {
  const p = v.prometheus;
  const problems: StackProblem[] = [];
  if (!p.enabled) return problems;
  if (p.mode === 'agent') {
    const agentCannot = (on: boolean, field: string, message: string, fix: string) => on && problems.push({ field, message: `${message}: an agent (prometheus.mode 'agent') ${fix}` , fix: 'run it beside the Prometheus the agent writes to, or set prometheus.mode: \'server\'' });
    if (!p.remoteWrite?.length) problems.push({ field: 'prometheus.remoteWrite', message: "is empty: an agent (prometheus.mode 'agent') keeps no samples of its own, so they would be lost", fix: 'add the remote-write endpoint the samples go to, e.g. [{ url: "https://receive.example.com/api/v1/receive" }]' });
    agentCannot(v.alertmanager.enabled, 'alertmanager.enabled', 'Alertmanager would get no alerts', 'evaluates no rules');
    agentCannot(v.grafana.enabled, 'grafana.enabled', 'Grafana would have no Prometheus to query', 'answers no queries');
    agentCannot(v.prometheusAdapter.enabled && v.prometheusAdapter.prometheusUrl === undefined, 'prometheusAdapter.enabled', 'the adapter queries the stack\'s Prometheus', 'answers no queries');
    agentCannot(v.otelCollector.enabled, 'otelCollector.enabled', 'the Collector writes its metrics to the stack\'s Prometheus', 'stores nothing it is sent');
    agentCannot(v.rules.groups.length > 0 || v.rules.files.length > 0, 'rules', 'your rules would never be evaluated', 'evaluates no rules');
    agentCannot(p.thanos !== undefined, 'prometheus.thanos', 'a Thanos sidecar needs a TSDB', 'has none');
    agentCannot(p.queryLog, 'prometheus.queryLog', 'there are no queries to log', 'answers none');
    agentCannot(p.additionalAlertmanagers.length > 0, 'prometheus.additionalAlertmanagers', 'no alerts would be sent', 'evaluates no rules');
  }
  p.enableFeatures.forEach((f, i) => {
    if (!FEATURE.test(f)) problems.push({ field: `prometheus.enableFeatures[${i}]`, message: `'${f}' is not a feature flag name`, fix: 'write one flag per entry, as `--enable-feature` takes it, e.g. exemplar-storage' });
  });
  p.additionalAlertmanagers.forEach((a, i) => {
    const at = `prometheus.additionalAlertmanagers[${i}]`;
    if (!DNS_LABEL.test(a.namespace)) problems.push({ field: `${at}.namespace`, message: `'${a.namespace}' is not a namespace name`, fix: 'name the namespace of the Alertmanager Service' });
    if (!DNS_LABEL.test(a.name)) problems.push({ field: `${at}.name`, message: `'${a.name}' is not a Service name`, fix: 'name the Alertmanager Service' });
    if (a.pathPrefix !== undefined && !a.pathPrefix.startsWith('/')) problems.push({ field: `${at}.pathPrefix`, message: `'${a.pathPrefix}' does not start with /`, fix: 'write it like /alertmanager' });
    if (a.namespace === v.common.namespace && a.name === 'alertmanager-main' && v.alertmanager.enabled) problems.push({ field: at, message: "is the stack's own Alertmanager, which gets every alert already", fix: 'remove it' });
  });
  const t = p.thanos;
  if (t) {
    url(t.objectStorageUrl, 'prometheus.thanos.objectStorageUrl', problems);
    url(t.queryUrl, 'prometheus.thanos.queryUrl', problems);
    if (t.objectStorageUrl && !t.objectStorageConfig) problems.push({ field: 'prometheus.thanos.objectStorageUrl', message: 'names a bucket, but no objectStorageConfig says how to write to it', fix: 'add objectStorageConfig: { name: <Secret>, key: <key of the objstore YAML> }' });
    if (t.queriedFrom && !DNS_LABEL.test(t.queriedFrom.namespace)) problems.push({ field: 'prometheus.thanos.queriedFrom.namespace', message: `'${t.queriedFrom.namespace}' is not a namespace name`, fix: 'name the namespace Thanos Query runs in' });
    if (t.queryUrl && !v.grafana.enabled) problems.push({ field: 'prometheus.thanos.queryUrl', message: 'is a Grafana datasource, but Grafana is disabled', fix: 'enable grafana, or drop queryUrl' });
  }
  return problems;
}

/** Every component's `scheduling`, and the image registry every image comes from. */
export function checkPlacement(v: ResolvedValues): StackProblem[] {
  const problems: StackProblem[] = [];
  const registry = v.common.imageRegistry;
  if (registry !== undefined && !REGISTRY.test(registry)) {
    problems.push({ field: 'common.imageRegistry', message: `'${registry}' is not a registry host (and path)`, fix: 'write it as an image reference starts, without a scheme or a trailing slash, e.g. registry.example.com or registry.example.com:5000/mirror' });
  }
  for (const [key, values] of Object.entries(v) as Array<[string, unknown]>) {
    const scheduling = (values as { scheduling?: SchedulingValues } | undefined)?.scheduling;
    if (scheduling && typeof values === 'object') problems.push(...checkScheduling(scheduling, `${key}.scheduling`));
  }
  return problems;
}
