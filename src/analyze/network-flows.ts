// The network flows a stack needs, read from its final objects, and the ones its NetworkPolicies block.
//
// Needed: every scrape (ServiceMonitors, PodMonitors and ScrapeConfigs' static targets the Prometheus resources
// select, Probes through their prober and the prober to their URL targets, the Collector's own scrape configs), Prometheus to its Alertmanagers, Alertmanager gossip, Grafana to its datasources, Alertmanager to every
// receiver, remote write and the Collector's exporters, DNS for every pod whose egress is restricted (unless it only
// answers: no flow of its own and `egress: []`), and the API server for every pod that mounts a token its
// ServiceAccount's role bindings give a use. Monitors of what the cluster runs itself (kubelet, the API server,
// CoreDNS, scheduler, controller manager) lead to a node, the API server or the DNS pods; other monitors whose
// Services are not among the objects (applications) are left out: their pods are not known. Each flow is evaluated as a CNI would (network-policy-eval.ts) against the
// written NetworkPolicies: a patch, an extra object or a component that narrowed a policy too far is an error here,
// before anything reaches a cluster.
//
// Addresses: a node, the API server and "outside the cluster" are representative addresses picked from
// `common.network` (inside nodeCidrs / apiServer.cidrs, outside clusterCidrs; outside: 203.0.113.10).
import { parse } from 'yaml';
import type { Diagnostic } from '../core/diagnostic';
import type { KubernetesObject } from '../core/primitives';
import { urlDestination, type ResolvedNetwork } from '../k8s/network';
import type { TrafficSource } from '../k8s/exposure';
import type { ModelObject, StackModel } from '../model/stack-model';
import { selects, type LabelSelector, type Labels } from './label-selector';
import { addressInside, evaluateFlow, policySet, type ContainerPort, type DirectionVerdict, type Flow, type FlowEndpoint, type FlowVerdict, type PodEndpoint, type PolicySet, type Protocol } from './network-policy-eval';
import { podSources, type PodSource } from './policy';
import { configDestinations, resourceDestinations } from '../alerting/destinations';

/** What a flow is for: the fix depends on it. */
export type FlowNeed = 'scrape' | 'alerts' | 'gossip' | 'datasource' | 'receiver' | 'remote-write' | 'export' | 'dns' | 'api-server' | 'exposure' | 'aggregated-api' | 'query';

export interface NeededFlow extends Flow {
  /** e.g. `Prometheus scrapes ServiceMonitor monitoring/kube-state-metrics endpoint https-main`. */
  readonly why: string;
  readonly need: FlowNeed;
}

export interface CheckedFlow extends NeededFlow {
  readonly verdict: FlowVerdict;
}

export interface NetworkFlowAnalysis {
  readonly diagnostics: Diagnostic[];
  readonly flows: CheckedFlow[];
}

/** A flow the stack needs whose destination or port the objects do not tell: a warning, never a guess. */
interface UncheckedFlow {
  readonly where: string;
  readonly why: string;
  readonly reason: string;
}

type Raw = Record<string, unknown>;
const record = (value: unknown): Raw => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const nsOf = (m: KubernetesObject) => m.metadata.namespace ?? 'default';

/** Representative addresses: documentation ranges and private ones, inside the CIDRs the values give. */
const NODE_PREFERRED = ['10.0.0.5', '172.16.0.5', '192.168.0.5'];
const API_SERVER_PREFERRED = ['10.0.0.1', '172.16.0.1', '192.168.0.1'];
const OUTSIDE_PREFERRED = ['203.0.113.10', '198.51.100.10', '192.0.2.10'];

/** The container ports prometheus-operator gives the pods of its custom resources (besides `spec.containers`). */
function operatorPorts(manifest: KubernetesObject): ContainerPort[] {
  const spec = record(manifest.spec);
  const web = str(spec.portName) ?? 'web';
  const reloader = { name: 'reloader-web', containerPort: 8080 };
  if (manifest.kind === 'Prometheus' || manifest.kind === 'PrometheusAgent') {
    return [{ name: web, containerPort: 9090 }, reloader, ...(spec.thanos ? [{ name: 'http', containerPort: 10902 }, { name: 'grpc', containerPort: 10901 }] : [])];
  }
  if (manifest.kind === 'Alertmanager') {
    return [{ name: web, containerPort: 9093 }, { name: 'mesh-tcp', containerPort: 9094 }, { name: 'mesh-udp', containerPort: 9094, protocol: 'UDP' }, reloader];
  }
  return [];
}

/** A pod source with what the flows need: its endpoint, raw pod spec, ServiceAccount and mounted ConfigMaps. */
interface Workload {
  readonly source: PodSource;
  readonly endpoint: PodEndpoint;
  readonly spec: Raw;
  readonly serviceAccount: string;
  readonly configMaps: ReadonlySet<string>;
}

function workloads(objects: readonly ModelObject[], nodeIp: string | undefined): Workload[] {
  return podSources(objects).map((source) => {
    const spec = record(source.specPath.split('/').slice(1).reduce<unknown>((v, k) => record(v)[k], source.manifest));
    const isCr = source.operatorContainers.size > 0;
    const containerPorts = list(spec.containers).flatMap((c) => list(record(c).ports).map((p): ContainerPort => {
      const port = record(p);
      return { name: str(port.name), containerPort: Number(port.containerPort), protocol: (str(port.protocol) ?? 'TCP') as Protocol };
    }));
    const hostNetwork = spec.hostNetwork === true;
    const endpoint: PodEndpoint = {
      kind: 'pod',
      namespace: source.namespace ?? 'default',
      labels: source.labels,
      ports: [...(isCr ? operatorPorts(source.manifest) : []), ...containerPorts],
      name: source.where,
      ...(hostNetwork ? { hostNetwork, ...(nodeIp ? { ip: nodeIp } : {}) } : {}),
    };
    const configMaps = new Set(list(spec.volumes).flatMap((v) => {
      const volume = record(v);
      return [str(record(volume.configMap).name), ...list(record(volume.projected).sources).map((s) => str(record(record(s).configMap).name))].filter((n): n is string => n !== undefined);
    }));
    return { source, endpoint, spec, serviceAccount: str(spec.serviceAccountName) ?? str(spec.serviceAccount) ?? 'default', configMaps };
  });
}

interface ServiceFacts {
  readonly manifest: KubernetesObject;
  readonly namespace: string;
  readonly selector: Labels | undefined;
  readonly ports: ReadonlyArray<{ readonly name?: string; readonly port: number; readonly targetPort?: number | string; readonly protocol: Protocol }>;
}

function servicesOf(manifests: readonly KubernetesObject[]): ServiceFacts[] {
  return manifests.filter((m) => m.kind === 'Service' && m.apiVersion === 'v1').map((m) => {
    const spec = record(m.spec);
    const selector = spec.selector && Object.keys(record(spec.selector)).length ? (record(spec.selector) as Labels) : undefined;
    return {
      manifest: m,
      namespace: nsOf(m),
      selector,
      ports: list(spec.ports).map((p) => {
        const port = record(p);
        return { name: str(port.name), port: Number(port.port), targetPort: port.targetPort as number | string | undefined, protocol: (str(port.protocol) ?? 'TCP') as Protocol };
      }),
    };
  });
}

/** The port of a pod a Service port leads to: targetPort by number or by container port name; the port itself when unset. */
function targetPortOn(pod: PodEndpoint, port: ServiceFacts['ports'][number]): number | undefined {
  const target = port.targetPort;
  if (target === undefined) return port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  return (pod.ports ?? []).find((cp) => cp.name === target && (cp.protocol ?? 'TCP') === port.protocol)?.containerPort;
}

/** A Prometheus relabel regex: anchored, as Prometheus anchors it. */
function fullMatch(regex: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${regex})$`).test(value);
  } catch {
    return false;
  }
}

/** `app.kubernetes.io/name` -> `app_kubernetes_io_name`, as Kubernetes service discovery names label meta labels. */
const sanitize = (label: string) => label.replace(/[^a-zA-Z0-9_]/g, '_');

/** Whether a target passes the keep and drop rules of a scrape config (the other actions do not filter). */
function keptByRelabeling(relabelings: unknown, meta: Record<string, string>): boolean {
  return list(relabelings).every((r) => {
    const rule = record(r);
    const action = str(rule.action) ?? 'replace';
    if (action !== 'keep' && action !== 'drop') return true;
    const value = list(rule.source_labels).map((l) => meta[String(l)] ?? '').join(str(rule.separator) ?? ';');
    const matched = fullMatch(str(rule.regex) ?? '(.*)', value);
    return action === 'keep' ? matched : !matched;
  });
}

/** Everything the derivation needs, read once. */
class FlowContext {
  readonly manifests: KubernetesObject[];
  readonly network: ResolvedNetwork;
  readonly policies: PolicySet;
  readonly workloads: Workload[];
  readonly services: ServiceFacts[];
  readonly nodeIp: string | undefined;
  readonly apiServerIp: string | undefined;
  readonly outsideIp: string | undefined;
  readonly flows = new Map<string, NeededFlow>();
  readonly unchecked: UncheckedFlow[] = [];

  constructor(readonly model: StackModel) {
    this.manifests = model.objects.map((o) => o.manifest);
    this.network = model.values.common.network;
    this.policies = policySet(this.manifests);
    const cluster = this.network.clusterCidrs;
    this.nodeIp = addressInside(this.network.nodeCidrs, cluster, NODE_PREFERRED);
    this.apiServerIp = addressInside(this.network.apiServer.cidrs, cluster, API_SERVER_PREFERRED);
    this.outsideIp = addressInside(['0.0.0.0/0', '::/0'], cluster, OUTSIDE_PREFERRED);
    this.workloads = workloads(model.objects, this.nodeIp);
    this.services = servicesOf(this.manifests);
  }

  ofKind(kind: string, group = 'monitoring.coreos.com/'): KubernetesObject[] {
    return this.manifests.filter((m) => m.kind === kind && m.apiVersion.startsWith(group));
  }

  /** Every scraper the operator runs: Prometheus servers and agents. */
  prometheuses(): KubernetesObject[] {
    return [...this.ofKind('Prometheus'), ...this.ofKind('PrometheusAgent')];
  }

  /** The workload of a manifest (a CR, a Deployment...). */
  workloadOf(manifest: KubernetesObject): Workload | undefined {
    return this.workloads.find((w) => w.source.manifest === manifest);
  }

  namespaceLabels(namespace: string): Labels {
    return this.policies.namespaceLabels(namespace);
  }

  podsOfService(service: ServiceFacts): Workload[] {
    const selector = service.selector;
    return selector ? this.workloads.filter((w) => w.endpoint.namespace === service.namespace && selects({ matchLabels: selector }, w.endpoint.labels)) : [];
  }

  service(namespace: string, name: string): ServiceFacts | undefined {
    return this.services.find((s) => s.namespace === namespace && s.manifest.metadata.name === name);
  }

  node(): FlowEndpoint | undefined {
    return this.nodeIp ? { kind: 'address', ip: this.nodeIp, name: `a node (${this.nodeIp})` } : undefined;
  }

  apiServer(): FlowEndpoint | undefined {
    return this.apiServerIp ? { kind: 'address', ip: this.apiServerIp, name: `the API server (${this.apiServerIp})` } : undefined;
  }

  dnsPods(): PodEndpoint {
    const dns = this.network.dns;
    return {
      kind: 'pod', namespace: dns.namespace, labels: dns.pods, name: `the cluster DNS pods (${dns.namespace}, ${Object.entries(dns.pods).map(([k, v]) => `${k}=${v}`).join(',')})`,
      ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53 }, { name: 'metrics', containerPort: 9153 }],
    };
  }

  add(flow: NeededFlow): void {
    const key = `${flow.need} ${endpointKey(flow.from)}>${endpointKey(flow.to)}:${flow.port}/${flow.protocol}`;
    if (!this.flows.has(key)) this.flows.set(key, flow);
  }

  /** Flows from `from` to every pod of a Service port (by name or number), at the port each pod listens on. */
  addToService(from: Workload, service: ServiceFacts, port: string | number, need: FlowNeed, why: string): boolean {
    const servicePort = service.ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port || String(p.port) === port));
    if (!servicePort) return false;
    let added = false;
    for (const pod of this.podsOfService(service)) {
      const target = targetPortOn(pod.endpoint, servicePort);
      if (target === undefined) continue;
      this.add({ from: from.endpoint, to: pod.endpoint, port: target, protocol: servicePort.protocol, why, need });
      added = true;
    }
    return added;
  }

  /**
   * Flows from `from` to what a URL (or `host:port`) names: a Service of the objects, an IP literal, or a host outside
   * the cluster (the representative outside address). A Service the objects do not hold cannot be checked.
   */
  addToUrl(from: Workload, url: string, need: FlowNeed, why: string): void {
    const destination = urlDestination(url, from.endpoint.namespace);
    if (!destination) {
      this.unchecked.push({ where: from.source.where, why, reason: `cannot read the address of ${url}` });
      return;
    }
    if (destination.kind === 'service') {
      const service = this.service(destination.namespace, destination.service);
      if (!service) {
        this.unchecked.push({ where: from.source.where, why, reason: `Service ${destination.namespace}/${destination.service} is not part of the stack, so neither its pods nor their policies are known: make sure the egress of ${from.source.where} admits them` });
      } else if (!this.addToService(from, service, destination.port, need, why)) {
        this.unchecked.push({ where: from.source.where, why, reason: `Service ${destination.namespace}/${destination.service} has no port ${destination.port} leading to a pod of the stack` });
      }
      return;
    }
    if (destination.kind === 'address') {
      this.add({ from: from.endpoint, to: { kind: 'address', ip: destination.ip, name: destination.ip }, port: destination.port, protocol: 'TCP', why, need });
      return;
    }
    if (!this.outsideIp) {
      this.unchecked.push({ where: from.source.where, why, reason: 'common.network.clusterCidrs leave no address outside the cluster to check with' });
      return;
    }
    this.add({ from: from.endpoint, to: { kind: 'address', ip: this.outsideIp, name: `${destination.host} (outside the cluster, checked as ${this.outsideIp})` }, port: destination.port, protocol: 'TCP', why, need });
  }
}

function endpointKey(e: FlowEndpoint): string {
  // By name too: two receivers on two hosts outside the cluster are two flows, though checked at one address.
  if (e.kind === 'address') return `address:${e.ip}:${e.name ?? ''}`;
  return `pod:${e.namespace}:${JSON.stringify(Object.entries(e.labels).sort())}:${e.hostNetwork ? 'host' : ''}`;
}

/** The operator's selection of monitors: a missing selector selects none; a missing namespace selector, its own namespace. */
function selectedBy(ctx: FlowContext, cr: KubernetesObject, selectorKey: string, namespaceKey: string, monitor: KubernetesObject): boolean {
  const spec = record(cr.spec);
  const selector = spec[selectorKey] as LabelSelector | undefined;
  const namespaceSelector = spec[namespaceKey] as LabelSelector | undefined;
  if (!selector || !selects(selector, monitor.metadata.labels ?? {})) return false;
  return namespaceSelector ? selects(namespaceSelector, ctx.namespaceLabels(nsOf(monitor))) : nsOf(monitor) === nsOf(cr);
}

/** The namespaces a monitor's `namespaceSelector` names: `any`, its `matchNames`, or the monitor's own. */
function monitorNamespaces(monitor: KubernetesObject): (namespace: string) => boolean {
  const selector = record(record(monitor.spec).namespaceSelector);
  if (selector.any === true) return () => true;
  const names = list(selector.matchNames).map(String);
  return names.length ? (ns) => names.includes(ns) : (ns) => ns === nsOf(monitor);
}

/** What the cluster runs itself and the stack only monitors: where those targets are, by the monitor's selector. */
function clusterTarget(ctx: FlowContext, monitor: KubernetesObject, endpointPort: string): Array<{ to: FlowEndpoint; port: number }> {
  const selector = record(record(monitor.spec).selector) as LabelSelector;
  const labels = selector.matchLabels ?? {};
  const inNamespace = monitorNamespaces(monitor);
  const node = ctx.node();
  const onNode = (ports: Record<string, number>) => (node && ports[endpointPort] ? [{ to: node, port: ports[endpointPort] }] : []);
  if (labels['app.kubernetes.io/name'] === 'kubelet' && inNamespace('kube-system')) return onNode({ 'https-metrics': 10250, 'http-metrics': 10255, cadvisor: 4194 });
  if (labels['app.kubernetes.io/name'] === 'kube-scheduler' && inNamespace('kube-system')) return onNode({ 'https-metrics': 10259 });
  if (labels['app.kubernetes.io/name'] === 'kube-controller-manager' && inNamespace('kube-system')) return onNode({ 'https-metrics': 10257 });
  if (labels.component === 'apiserver' && labels.provider === 'kubernetes' && inNamespace('default')) {
    const api = ctx.apiServer();
    return api ? ctx.network.apiServer.ports.map((port) => ({ to: api, port })) : [];
  }
  const coreDns = ctx.model.values.controlPlane.coreDns;
  if (inNamespace(coreDns.namespace) && Object.entries(coreDns.selector).every(([k, v]) => labels[k] === v) && endpointPort === coreDns.port) {
    return [{ to: ctx.dnsPods(), port: 9153 }];
  }
  return [];
}

function addMonitorScrapes(ctx: FlowContext): void {
  for (const prometheus of ctx.prometheuses()) {
    const scraper = ctx.workloadOf(prometheus);
    if (!scraper) continue;
    for (const monitor of ctx.ofKind('ServiceMonitor')) {
      if (!selectedBy(ctx, prometheus, 'serviceMonitorSelector', 'serviceMonitorNamespaceSelector', monitor)) continue;
      const spec = record(monitor.spec);
      const inNamespace = monitorNamespaces(monitor);
      const services = ctx.services.filter((s) => inNamespace(s.namespace) && selects(spec.selector as LabelSelector | undefined, s.manifest.metadata.labels ?? {}));
      for (const e of list(spec.endpoints)) {
        const endpoint = record(e);
        const port = str(endpoint.port) ?? (endpoint.targetPort as string | number | undefined);
        if (port === undefined) continue;
        const path = str(endpoint.path);
        const why = `Prometheus scrapes ServiceMonitor ${nsOf(monitor)}/${monitor.metadata.name} endpoint ${port}${path ? ` (${path})` : ''}`;
        if (services.length) {
          for (const service of services) ctx.addToService(scraper, service, port, 'scrape', why);
        } else {
          for (const target of clusterTarget(ctx, monitor, String(port))) ctx.add({ from: scraper.endpoint, to: target.to, port: target.port, protocol: 'TCP', why, need: 'scrape' });
        }
      }
    }
    for (const monitor of ctx.ofKind('PodMonitor')) {
      if (!selectedBy(ctx, prometheus, 'podMonitorSelector', 'podMonitorNamespaceSelector', monitor)) continue;
      const spec = record(monitor.spec);
      const inNamespace = monitorNamespaces(monitor);
      const pods = ctx.workloads.filter((w) => inNamespace(w.endpoint.namespace) && selects(spec.selector as LabelSelector | undefined, w.endpoint.labels));
      // kube-proxy is the cluster's own: host-network pods on every node, at the port the monitor's relabeling sets.
      const node = ctx.node();
      if (!pods.length && node && inNamespace('kube-system') && (spec.selector as LabelSelector | undefined)?.matchLabels?.['k8s-app'] === 'kube-proxy') {
        ctx.add({ from: scraper.endpoint, to: node, port: 10249, protocol: 'TCP', why: `Prometheus scrapes PodMonitor ${nsOf(monitor)}/${monitor.metadata.name} (kube-proxy on every node)`, need: 'scrape' });
      }
      for (const e of list(spec.podMetricsEndpoints)) {
        const port = str(record(e).port);
        if (!port) continue;
        for (const pod of pods) {
          const cp = (pod.endpoint.ports ?? []).find((p) => p.name === port);
          if (cp) ctx.add({ from: scraper.endpoint, to: pod.endpoint, port: cp.containerPort, protocol: cp.protocol ?? 'TCP', why: `Prometheus scrapes PodMonitor ${nsOf(monitor)}/${monitor.metadata.name} port ${port}`, need: 'scrape' });
        }
      }
    }
    // Static targets are addresses (or names) and ports: checked like any URL Prometheus reaches.
    for (const scrapeConfig of ctx.ofKind('ScrapeConfig')) {
      if (!selectedBy(ctx, prometheus, 'scrapeConfigSelector', 'scrapeConfigNamespaceSelector', scrapeConfig)) continue;
      const spec = record(scrapeConfig.spec);
      const scheme = (str(spec.scheme) ?? 'http').toLowerCase();
      for (const target of list(spec.staticConfigs).flatMap((g) => list(record(g).targets)).map(str)) {
        if (target) ctx.addToUrl(scraper, `${scheme}://${target}`, 'scrape', `Prometheus scrapes ScrapeConfig ${nsOf(scrapeConfig)}/${scrapeConfig.metadata.name} target ${target}`);
      }
    }
    for (const probe of ctx.ofKind('Probe')) {
      if (!selectedBy(ctx, prometheus, 'probeSelector', 'probeNamespaceSelector', probe)) continue;
      addProbeFlows(ctx, scraper, probe);
    }
  }
}

/**
 * A Probe: Prometheus scrapes its prober, and the prober (a Service of the stack) reaches each static target. Only
 * URL targets are followed: what a `host:port` target needs (TCP, UDP, ICMP) depends on the prober's module.
 */
function addProbeFlows(ctx: FlowContext, scraper: Workload, probe: KubernetesObject): void {
  const spec = record(probe.spec);
  const prober = str(record(spec.prober).url);
  if (!prober) return;
  const scheme = (str(record(spec.prober).scheme) ?? 'http').toLowerCase();
  const name = `Probe ${nsOf(probe)}/${probe.metadata.name}`;
  ctx.addToUrl(scraper, `${scheme}://${prober}`, 'scrape', `Prometheus scrapes ${name} through its prober ${prober}`);
  const to = urlDestination(`${scheme}://${prober}`, nsOf(probe));
  const service = to?.kind === 'service' ? ctx.service(to.namespace, to.service) : undefined;
  for (const exporter of service ? ctx.podsOfService(service) : []) {
    for (const target of list(record(record(spec.targets).staticConfig).static).map(str)) {
      if (target && /^https?:\/\//i.test(target)) ctx.addToUrl(exporter, target, 'scrape', `${prober} probes ${target} for ${name}`);
    }
  }
}

/** Collector configurations (a ConfigMap key `config.yaml` with receivers, exporters and service) and the pods mounting them. */
function collectors(ctx: FlowContext): Array<{ pods: Workload[]; config: Raw }> {
  const found: Array<{ pods: Workload[]; config: Raw }> = [];
  for (const cm of ctx.manifests.filter((m) => m.kind === 'ConfigMap' && m.apiVersion === 'v1')) {
    const text = record(cm.data)['config.yaml'];
    if (typeof text !== 'string') continue;
    let config: Raw;
    try {
      config = record(parse(text));
    } catch {
      continue; // The model reports unreadable configurations.
    }
    if (!config.receivers || !config.exporters || !config.service) continue;
    const pods = ctx.workloads.filter((w) => w.endpoint.namespace === nsOf(cm) && w.configMaps.has(cm.metadata.name));
    if (pods.length) found.push({ pods, config });
  }
  return found;
}

/** The Collector's own scrape configs: Kubernetes discovery (endpoints, endpointslice, pod) filtered by keep/drop, and static targets. */
function addCollectorScrapes(ctx: FlowContext, pods: readonly Workload[], config: Raw): void {
  for (const [receiver, value] of Object.entries(record(config.receivers))) {
    if (receiver.split('/')[0] !== 'prometheus') continue;
    for (const sc of list(record(record(value).config).scrape_configs)) {
      const scrape = record(sc);
      const why = `the Collector scrapes job ${str(scrape.job_name) ?? '(unnamed)'}`;
      for (const sd of list(scrape.kubernetes_sd_configs)) {
        const discovery = record(sd);
        const names = list(record(discovery.namespaces).names).map(String);
        const inNamespace = (ns: string) => names.length === 0 || names.includes(ns);
        const role = str(discovery.role);
        const targets: Array<{ to: PodEndpoint; port: number; protocol: Protocol }> = [];
        if (role === 'endpoints' || role === 'endpointslice') {
          for (const service of ctx.services.filter((s) => inNamespace(s.namespace))) {
            for (const port of service.ports) {
              for (const pod of ctx.podsOfService(service)) {
                const target = targetPortOn(pod.endpoint, port);
                if (target === undefined) continue;
                const meta: Record<string, string> = {
                  __meta_kubernetes_namespace: service.namespace,
                  __meta_kubernetes_service_name: service.manifest.metadata.name,
                  [`__meta_kubernetes_${role === 'endpoints' ? 'endpoint' : 'endpointslice'}_port_name`]: port.name ?? '',
                  [`__meta_kubernetes_${role === 'endpoints' ? 'endpoint' : 'endpointslice'}_port_protocol`]: port.protocol,
                  ...Object.fromEntries(Object.entries(service.manifest.metadata.labels ?? {}).map(([k, v]) => [`__meta_kubernetes_service_label_${sanitize(k)}`, v])),
                  ...Object.fromEntries(Object.entries(pod.endpoint.labels).map(([k, v]) => [`__meta_kubernetes_pod_label_${sanitize(k)}`, v])),
                };
                if (keptByRelabeling(scrape.relabel_configs, meta)) targets.push({ to: pod.endpoint, port: target, protocol: port.protocol });
              }
            }
          }
        } else if (role === 'pod') {
          for (const pod of ctx.workloads.filter((w) => inNamespace(w.endpoint.namespace))) {
            for (const cp of pod.endpoint.ports ?? []) {
              const meta: Record<string, string> = {
                __meta_kubernetes_namespace: pod.endpoint.namespace,
                __meta_kubernetes_pod_container_port_name: cp.name ?? '',
                __meta_kubernetes_pod_container_port_number: String(cp.containerPort),
                __meta_kubernetes_pod_container_port_protocol: cp.protocol ?? 'TCP',
                ...Object.fromEntries(Object.entries(pod.endpoint.labels).map(([k, v]) => [`__meta_kubernetes_pod_label_${sanitize(k)}`, v])),
              };
              if (keptByRelabeling(scrape.relabel_configs, meta)) targets.push({ to: pod.endpoint, port: cp.containerPort, protocol: cp.protocol ?? 'TCP' });
            }
          }
        }
        for (const from of pods) for (const t of targets) ctx.add({ from: from.endpoint, to: t.to, port: t.port, protocol: t.protocol, why, need: 'scrape' });
      }
      for (const sc2 of list(scrape.static_configs)) {
        for (const target of list(record(sc2).targets).map(String)) for (const from of pods) ctx.addToUrl(from, target, 'scrape', `${why} (static target ${target})`);
      }
    }
  }
}

/** Exporters the pipelines use, at each endpoint they name. */
function addCollectorExports(ctx: FlowContext, pods: readonly Workload[], config: Raw): void {
  const used = new Set(Object.values(record(record(config.service).pipelines)).flatMap((p) => list(record(p).exporters).map(String)));
  for (const [name, value] of Object.entries(record(config.exporters))) {
    if (!used.has(name)) continue;
    const exporter = record(value);
    for (const key of ['endpoint', 'metrics_endpoint', 'traces_endpoint', 'logs_endpoint']) {
      const url = str(exporter[key]);
      if (url) for (const from of pods) ctx.addToUrl(from, url, 'export', `the Collector exports with ${name} to ${url}`);
    }
  }
}

function addAlerting(ctx: FlowContext): void {
  for (const prometheus of ctx.prometheuses()) {
    const from = ctx.workloadOf(prometheus);
    if (!from) continue;
    for (const a of list(record(record(prometheus.spec).alerting).alertmanagers)) {
      const am = record(a);
      const name = str(am.name);
      const service = name && ctx.service(str(am.namespace) ?? nsOf(prometheus), name);
      const port = am.port as string | number | undefined;
      if (service && port !== undefined) ctx.addToService(from, service, port, 'alerts', `Prometheus sends alerts to Alertmanager Service ${service.namespace}/${name} port ${port}`);
    }
    for (const rw of list(record(prometheus.spec).remoteWrite)) {
      const w = record(rw);
      const url = str(w.url);
      if (!url) continue;
      const proxy = str(w.proxyUrl);
      ctx.addToUrl(from, proxy ?? url, 'remote-write', `Prometheus remote-writes to ${url}${proxy ? ` through the proxy ${proxy}` : ''}`);
    }
  }
  for (const alertmanager of ctx.ofKind('Alertmanager')) {
    const pods = ctx.workloadOf(alertmanager);
    const replicas = Number(record(alertmanager.spec).replicas ?? 1);
    if (!pods || replicas < 2) continue;
    for (const protocol of ['TCP', 'UDP'] as const) {
      ctx.add({ from: pods.endpoint, to: pods.endpoint, port: 9094, protocol, why: `Alertmanager ${nsOf(alertmanager)}/${alertmanager.metadata.name}'s replicas gossip (cluster mesh, ${protocol})`, need: 'gossip' });
    }
  }
}

function addDatasources(ctx: FlowContext): void {
  for (const cm of ctx.manifests.filter((m) => m.kind === 'ConfigMap' && m.apiVersion === 'v1')) {
    const text = record(cm.data)['datasources.yaml'];
    if (typeof text !== 'string') continue;
    const pods = ctx.workloads.filter((w) => w.endpoint.namespace === nsOf(cm) && w.configMaps.has(cm.metadata.name));
    let provisioning: Raw;
    try {
      provisioning = record(parse(text));
    } catch {
      continue;
    }
    for (const d of list(provisioning.datasources)) {
      const datasource = record(d);
      const url = str(datasource.url);
      if (!url) continue;
      for (const from of pods) ctx.addToUrl(from, url, 'datasource', `Grafana queries datasource ${str(datasource.name) ?? '(unnamed)'} at ${url}`);
    }
  }
}

/** prometheus-adapter (or any pod run with `--prometheus-url=`) queries that Prometheus. */
function addPrometheusQueries(ctx: FlowContext): void {
  for (const w of ctx.workloads) {
    for (const c of list(w.spec.containers)) {
      for (const arg of list(record(c).args)) {
        const url = typeof arg === 'string' && arg.startsWith('--prometheus-url=') ? arg.slice('--prometheus-url='.length) : undefined;
        if (url) ctx.addToUrl(w, url, 'query', `${w.source.where} queries Prometheus at ${url}`);
      }
    }
  }
}

/** The API server proxies each aggregated API (an APIService with a Service) to that Service's pods. */
function addAggregatedApis(ctx: FlowContext): void {
  const api = ctx.apiServer();
  for (const apiService of ctx.ofKind('APIService', 'apiregistration.k8s.io/')) {
    const target = record(record(apiService.spec).service);
    const name = str(target.name);
    if (!name) continue;
    const why = `the API server serves APIService ${apiService.metadata.name} from Service ${str(target.namespace) ?? 'default'}/${name}`;
    const service = ctx.service(str(target.namespace) ?? 'default', name);
    const port = typeof target.port === 'number' ? target.port : 443;
    const servicePort = service?.ports.find((p) => p.port === port);
    if (!api || !service || !servicePort) {
      ctx.unchecked.push({ where: `APIService ${apiService.metadata.name}`, why, reason: !api ? 'common.network.apiServer.cidrs leave no address outside clusterCidrs to check with' : `Service ${name} with port ${port} is not part of the stack` });
      continue;
    }
    for (const pod of ctx.podsOfService(service)) {
      const podPort = targetPortOn(pod.endpoint, servicePort);
      if (podPort !== undefined) ctx.add({ from: api, to: pod.endpoint, port: podPort, protocol: servicePort.protocol, why, need: 'aggregated-api' });
    }
  }
}

// --- Receivers -----------------------------------------------------------------------------------------------------

function addReceivers(ctx: FlowContext): void {
  for (const alertmanager of ctx.ofKind('Alertmanager')) {
    const from = ctx.workloadOf(alertmanager);
    if (!from) continue;
    const namespace = nsOf(alertmanager);
    const spec = record(alertmanager.spec);
    const secretName = str(spec.configSecret) ?? `alertmanager-${alertmanager.metadata.name}`;
    const secret = ctx.manifests.find((m) => m.kind === 'Secret' && m.apiVersion === 'v1' && m.metadata.name === secretName && nsOf(m) === namespace);
    const encoded = str(record(secret?.data)['alertmanager.yaml']);
    const text = str(record(secret?.stringData)['alertmanager.yaml']) ?? (encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined);
    let config: Raw = {};
    try {
      config = text ? record(parse(text)) : {};
    } catch {
      // The model reports an unreadable configuration.
    }
    const destinations = configDestinations(config);
    // The teams' AlertmanagerConfigs this Alertmanager merges (a missing namespace selector: its own namespace only).
    const selector = spec.alertmanagerConfigSelector as LabelSelector | undefined;
    const namespaceSelector = spec.alertmanagerConfigNamespaceSelector as LabelSelector | undefined;
    for (const amc of ctx.ofKind('AlertmanagerConfig')) {
      if (!selector || !selects(selector, amc.metadata.labels ?? {})) continue;
      if (namespaceSelector ? !selects(namespaceSelector, ctx.namespaceLabels(nsOf(amc))) : nsOf(amc) !== namespace) continue;
      destinations.push(...resourceDestinations(nsOf(amc), amc.metadata.name, amc.spec, config));
    }
    for (const d of destinations) {
      const why = `Alertmanager notifies receiver ${d.receiver} (${d.type})`;
      if ('unknown' in d) ctx.unchecked.push({ where: from.source.where, why, reason: d.unknown });
      else ctx.addToUrl(from, d.proxy ?? d.url, 'receiver', `${why} at ${d.url}${d.proxy ? ` through the proxy ${d.proxy}` : ''}`);
    }
  }
}

// --- Exposure: proxies outside the stack ------------------------------------------------------------------------------

/** A proxy's pods (`common.ingressController`, `common.gatewayController`): every pod of its namespace without labels. */
function proxyPods(proxy: TrafficSource, what: string): PodEndpoint {
  const labels = Object.entries(proxy.podLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return { kind: 'pod', namespace: proxy.namespace, labels: { ...proxy.podLabels }, name: `${what} (${proxy.namespace}${labels ? `, ${labels}` : ''})` };
}

/** From the proxy to every pod of a Service port of the stack (Services the objects do not hold are not ours to check). */
function addProxyFlow(ctx: FlowContext, from: PodEndpoint, namespace: string, serviceName: string, port: string | number, why: string): void {
  const service = ctx.service(namespace, serviceName);
  const servicePort = service?.ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
  if (!service || !servicePort) return;
  for (const pod of ctx.podsOfService(service)) {
    const target = targetPortOn(pod.endpoint, servicePort);
    if (target !== undefined) ctx.add({ from, to: pod.endpoint, port: target, protocol: servicePort.protocol, why, need: 'exposure' });
  }
}

/** The ingress controller forwards each Ingress to its backends; the Gateway's proxy each HTTPRoute to its backendRefs. */
function addExposure(ctx: FlowContext): void {
  const { ingressController, gatewayController } = ctx.model.values.common;
  for (const ingress of ctx.ofKind('Ingress', 'networking.k8s.io/')) {
    const spec = record(ingress.spec);
    const backends = [spec.defaultBackend, ...list(spec.rules).flatMap((r) => list(record(record(r).http).paths).map((p) => record(p).backend))]
      .map((b) => record(record(b).service)).filter((b) => str(b.name));
    const where = `Ingress ${nsOf(ingress)}/${ingress.metadata.name}`;
    for (const backend of backends) {
      const port = record(backend.port);
      const servicePort = typeof port.number === 'number' ? port.number : str(port.name);
      if (servicePort === undefined) continue;
      const why = `the ingress controller forwards ${where} to Service ${str(backend.name)} port ${servicePort}`;
      if (!ingressController) ctx.unchecked.push({ where, why, reason: 'common.ingressController is not set, so the controller\'s pods are not known' });
      else addProxyFlow(ctx, proxyPods(ingressController, 'the ingress controller'), nsOf(ingress), str(backend.name)!, servicePort, why);
    }
  }
  for (const route of ctx.ofKind('HTTPRoute', 'gateway.networking.k8s.io/')) {
    const where = `HTTPRoute ${nsOf(route)}/${route.metadata.name}`;
    for (const ref of list(record(route.spec).rules).flatMap((r) => list(record(r).backendRefs)).map(record)) {
      const name = str(ref.name);
      if (!name || typeof ref.port !== 'number' || (ref.kind !== undefined && ref.kind !== 'Service') || (ref.group !== undefined && ref.group !== '')) continue;
      const why = `the Gateway's proxy forwards ${where} to Service ${name} port ${ref.port}`;
      if (!gatewayController) ctx.unchecked.push({ where, why, reason: 'common.gatewayController is not set, so the Gateway\'s proxy pods are not known' });
      else addProxyFlow(ctx, proxyPods(gatewayController, "the Gateway's proxy"), str(ref.namespace) ?? nsOf(route), name, ref.port, why);
    }
  }
}

// --- DNS and the API server ------------------------------------------------------------------------------------------

/** The policies that restrict a pod's egress (none for host-network pods, which policies do not apply to). */
function egressPolicies(ctx: FlowContext, pod: PodEndpoint) {
  return pod.hostNetwork ? [] : ctx.policies.policies.filter((p) => p.egress !== undefined && p.namespace === pod.namespace && selects(p.podSelector, pod.labels));
}

/**
 * Name resolution for every pod whose egress is restricted and that reaches anything: a needed flow of its own, or
 * a policy rule letting it out. A pod that only answers (`egress: []`, no flow) resolves no names.
 */
function addDns(ctx: FlowContext): void {
  const dns = ctx.dnsPods();
  const sources = new Set([...ctx.flows.values()].map((f) => endpointKey(f.from)));
  for (const w of ctx.workloads) {
    const restricting = egressPolicies(ctx, w.endpoint);
    if (!restricting.length) continue;
    if (!sources.has(endpointKey(w.endpoint)) && !restricting.some((p) => p.egress!.length > 0)) continue;
    for (const protocol of ['UDP', 'TCP'] as const) {
      ctx.add({ from: w.endpoint, to: dns, port: 53, protocol, why: `${w.source.where} resolves names (DNS, ${protocol})`, need: 'dns' });
    }
  }
}

/** Pods that mount a ServiceAccount token whose account a (Cluster)RoleBinding of the stack grants something. */
function addApiServer(ctx: FlowContext): void {
  const api = ctx.apiServer();
  const bindings = ctx.manifests.filter((m) => (m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding') && m.apiVersion.startsWith('rbac.authorization.k8s.io/'));
  for (const w of ctx.workloads) {
    const namespace = w.endpoint.namespace;
    const account = ctx.manifests.find((m) => m.kind === 'ServiceAccount' && m.apiVersion === 'v1' && m.metadata.name === w.serviceAccount && nsOf(m) === namespace);
    const automount = w.spec.automountServiceAccountToken ?? account?.automountServiceAccountToken;
    if (automount === false) continue;
    const binding = bindings.find((b) => list(b.subjects).some((s) => {
      const subject = record(s);
      return subject.kind === 'ServiceAccount' && subject.name === w.serviceAccount && (str(subject.namespace) ?? nsOf(b)) === namespace;
    }));
    if (!binding) continue;
    const role = record(binding.roleRef);
    const why = `${w.source.where} calls the API server (ServiceAccount ${w.serviceAccount}, bound to ${String(role.kind)} ${String(role.name)})`;
    if (!api) {
      ctx.unchecked.push({ where: w.source.where, why, reason: 'common.network.apiServer.cidrs leave no address outside clusterCidrs to check with' });
      continue;
    }
    for (const port of ctx.network.apiServer.ports) ctx.add({ from: w.endpoint, to: api, port, protocol: 'TCP', why, need: 'api-server' });
  }
}

function derive(model: StackModel): FlowContext {
  const ctx = new FlowContext(model);
  addMonitorScrapes(ctx);
  for (const { pods, config } of collectors(ctx)) {
    addCollectorScrapes(ctx, pods, config);
    addCollectorExports(ctx, pods, config);
  }
  addAlerting(ctx);
  addDatasources(ctx);
  addPrometheusQueries(ctx);
  addAggregatedApis(ctx);
  addReceivers(ctx);
  addExposure(ctx);
  addApiServer(ctx);
  // Last: whether a pod resolves names depends on the flows above.
  addDns(ctx);
  return ctx;
}

/** Every flow the stack needs, once per need (the first reason it is needed for is kept: kubelet's three paths are one flow). */
export function neededFlows(model: StackModel): NeededFlow[] {
  return [...derive(model).flows.values()];
}

const endpointName = (e: FlowEndpoint) => e.name ?? (e.kind === 'address' ? e.ip : `pods ${e.namespace}/${JSON.stringify(e.labels)}`);

/** Where a policy came from, for the fix: the values' patches, extra or replacement objects that name it. */
function originsOf(model: StackModel, policy: string): string[] {
  const [namespace, name] = policy.split('/');
  const same = (o: KubernetesObject) => o.kind === 'NetworkPolicy' && o.metadata?.name === name && (o.metadata.namespace ?? namespace) === namespace;
  return [
    ...model.values.patches.flatMap((p, i) => (p.kind === 'NetworkPolicy' && p.name === name ? [`patches[${i}]`] : [])),
    ...model.values.extraObjects.flatMap((o, i) => (same(o) ? [`extraObjects[${i}]`] : [])),
    ...model.values.replacementObjects.flatMap((o, i) => (same(o) ? [`replacementObjects[${i}]`] : [])),
  ];
}

function blockedDiagnostic(model: StackModel, flow: CheckedFlow): Diagnostic {
  const { egress, ingress } = flow.verdict;
  const side = (which: string, end: FlowEndpoint, v: DirectionVerdict) => `the ${which} of ${endpointName(end)}: no rule of NetworkPolicy ${v.decidedBy.join(', ')} admits it`;
  const sides = [...(egress.allowed ? [] : [side('egress', flow.from, egress)]), ...(ingress.allowed ? [] : [side('ingress', flow.to, ingress)])];
  const deciding = [...(egress.allowed ? [] : egress.decidedBy), ...(ingress.allowed ? [] : ingress.decidedBy)];
  const origins = [...new Set(deciding.flatMap((p) => originsOf(model, p)))];
  const portText = `${flow.port}/${flow.protocol}`;
  const narrowed = origins.length
    ? `fix or remove ${origins.join(', ')}, which narrowed the policy, so that it admits ${portText} to ${endpointName(flow.to)}`
    : `fix or remove the patch, customize code or extra object that narrowed NetworkPolicy ${deciding.join(', ')}, so that it admits ${portText} to ${endpointName(flow.to)}`;
  const fix = flow.need === 'receiver' && !egress.allowed ? `add the port to alertmanager.egress (${portText}); or ${narrowed}` : narrowed;
  return {
    severity: 'error',
    code: 'policy/flow-blocked',
    where: `NetworkPolicy ${deciding[0]}`,
    message: `blocks a flow the stack needs: ${flow.why}: ${endpointName(flow.from)} -> ${endpointName(flow.to)} on ${portText}, denied by ${sides.join(' and by ')}`,
    fix,
  };
}

/** The flows the stack needs, each evaluated against its NetworkPolicies; blocked ones are errors. */
export function analyzeNetworkFlows(model: StackModel): NetworkFlowAnalysis {
  const ctx = derive(model);
  const flows = [...ctx.flows.values()].map((flow): CheckedFlow => ({ ...flow, verdict: evaluateFlow(flow, ctx.policies) }));
  const diagnostics: Diagnostic[] = [
    ...flows.filter((f) => !f.verdict.allowed).map((f) => blockedDiagnostic(model, f)),
    ...ctx.unchecked.map((u): Diagnostic => ({
      severity: 'warning',
      code: 'policy/flow-unchecked',
      where: u.where,
      message: `${u.why}, but the policy cannot be checked: ${u.reason}`,
      fix: 'make sure its NetworkPolicy admits that destination and port, or give the address in the configuration',
    })),
  ];
  return { diagnostics, flows };
}
