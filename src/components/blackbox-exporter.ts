import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { Probe, ServiceMonitor } from '../k8s/monitoring';
import { networkPolicy, service, serviceAccount } from '../k8s/objects';
import { dnsEgress } from '../k8s/network';
import { httpProbe, NOBODY, podSecurityContext } from '../k8s/pod';
import { OPERATOR_POD_SELECTORS } from '../k8s/names';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { blackboxConfig, checkModules, DEFAULT_BLACKBOX_MODULES, moduleSecrets, SECRETS_DIR, usesIcmp, type BlackboxModule } from './blackbox-modules';
import { checkProbe, checkProbes, probesEgress, type ProbeValues } from './blackbox-probes';
import { BLACKBOX_METRICS, blackboxRules, DEFAULT_BLACKBOX_THRESHOLDS, type BlackboxThresholds } from '../rules/catalogue/blackbox';
import { probesDashboard } from '../dashboards/catalogue/probes';
import { StackError, type StackProblem } from '../core/problems';
import type { ResourceValues } from '../core/primitives';
import { toYaml } from '../core/yaml';
import type { SchedulingValues } from '../k8s/scheduling';

export type { BlackboxModule } from './blackbox-modules';
export type { IngressTargets, ProbeValues } from './blackbox-probes';

export interface BlackboxExporterValues {
  /** Where its pods run: nodeSelector, tolerations, affinity, topology spread, priorityClassName. */
  readonly scheduling?: SchedulingValues;
  /**
   * Runs the exporter. Probes (`probes`, `stack.probe()`) need it.
   * @default true exactly when `probes` lists any
   */
  readonly enabled?: boolean;
  /** @default 1 */
  readonly replicas?: number;
  /** The port it serves /probe and its own /metrics on, to Prometheus alone. @default 9115 */
  readonly port?: number;
  readonly resources?: ResourceValues;
  /**
   * The modules a Probe can name, merged by name over the defaults. A module with prober `icmp` makes the pod
   * allow unprivileged ICMP sockets to its own group (the safe sysctl `net.ipv4.ping_group_range`): no NET_RAW.
   * @default http_2xx, http_post_2xx, tcp_connect, pop3s_banner, ssh_banner, irc_banner, dns_kubernetes
   */
  readonly modules?: Record<string, BlackboxModule>;
  /** Thresholds of the probe alerts. */
  readonly thresholds?: Partial<BlackboxThresholds>;
}

export const BLACKBOX_EXPORTER_DEFAULTS = {
  replicas: 1,
  port: 9115,
  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
  modules: DEFAULT_BLACKBOX_MODULES,
  thresholds: DEFAULT_BLACKBOX_THRESHOLDS,
} satisfies BlackboxExporterValues;

/** BlackboxExporterValues with every default filled in (`enabled` stays optional: it follows the probes). */
export type ResolvedBlackboxExporterValues = WithDefaults<BlackboxExporterValues, typeof BLACKBOX_EXPORTER_DEFAULTS>;

export interface BlackboxExporterProps extends ComponentProps, Omit<ResolvedBlackboxExporterValues, 'enabled'> {
  readonly image: Image;
  /** @default [] */
  readonly probes?: readonly ProbeValues[];
}

export const BLACKBOX_EXPORTER_NAME = 'blackbox-exporter';
const CONFIG_DIR = '/etc/blackbox-exporter';
const CONFIG_FILE = 'blackbox.yml';

/** Whether the stack runs the exporter: as set, else exactly when it has probes. */
export function blackboxExporterEnabled(values: { readonly blackboxExporter: ResolvedBlackboxExporterValues; readonly probes: readonly ProbeValues[] }): boolean {
  return values.blackboxExporter.enabled ?? values.probes.length > 0;
}

/** The problems of the exporter's values and of the stack's probes. */
export function checkBlackboxExporter(v: ResolvedBlackboxExporterValues, probes: readonly ProbeValues[], stackNamespace: string): StackProblem[] {
  const problems: StackProblem[] = [];
  if (v.enabled === false && probes.length) {
    problems.push({ field: 'blackboxExporter.enabled', message: `is false, but ${probes.length} probe(s) need the exporter`, fix: 'remove `enabled: false`, or the probes' });
  }
  if (!Number.isInteger(v.replicas) || v.replicas < 1) problems.push({ field: 'blackboxExporter.replicas', message: `must be a whole number of at least 1, got ${v.replicas}`, fix: 'use 1 or more' });
  if (!Number.isInteger(v.port) || v.port < 1024 || v.port > 65535) problems.push({ field: 'blackboxExporter.port', message: `${v.port} is not a port it can listen on as non-root`, fix: 'use a port from 1024 to 65535, e.g. 9115' });
  return [...problems, ...checkModules(v.modules, 'blackboxExporter.modules'), ...checkProbes(probes, v.modules, stackNamespace)];
}

/**
 * The blackbox exporter: probes endpoints from inside the cluster for Prometheus (Probe objects), with the modules
 * of its values. Only Prometheus may reach it (its /probe would reach whatever a caller names); it may reach DNS
 * and exactly the targets of its probes.
 */
export class BlackboxExporter extends Component {
  /** `host:port` of its Service: a Probe's prober. */
  readonly proberUrl: string;
  private readonly modules: Record<string, BlackboxModule>;
  private readonly probeList: ProbeValues[] = [];

  constructor(scope: Construct, id: string, props: BlackboxExporterProps) {
    super(scope, id, props);
    const name = BLACKBOX_EXPORTER_NAME;
    const image = props.image;
    this.modules = props.modules;
    this.proberUrl = `${name}.${this.namespace}.svc:${props.port}`;
    const meta = { name, namespace: this.namespace, labels: this.labels(name, 'exporter', image) };
    const selector = this.selectorLabels(name);
    this.declareMetrics(BLACKBOX_METRICS);
    this.addRules('blackbox-exporter-rules', blackboxRules(props.thresholds, this.namespace, name));
    this.addDashboards('Probes', [probesDashboard()]);

    serviceAccount(this, meta, false);
    const configMap = `${name}-configuration`;
    new k8s.KubeConfigMap(this, `ConfigMap-${configMap}`, {
      metadata: { ...meta, name: configMap },
      data: { [CONFIG_FILE]: toYaml(blackboxConfig(props.modules)) },
    });

    const secrets = moduleSecrets(props.modules);
    // ICMP without NET_RAW: unprivileged ICMP sockets, for the pod's own group only (a namespaced, safe sysctl).
    const icmp = usesIcmp(props.modules);
    new k8s.KubeDeployment(this, `Deployment-${name}`, {
      metadata: meta,
      spec: {
        replicas: props.replicas,
        selector: { matchLabels: selector },
        template: this.podTemplate({
          labels: meta.labels,
          serviceAccountName: name,
          automountToken: false,
          containers: [
            this.container({
              name,
              image: this.image(image),
              args: [
                `--config.file=${CONFIG_DIR}/${CONFIG_FILE}`,
                `--web.listen-address=:${props.port}`,
                // The mounted ConfigMap changes in place; the exporter reloads it (blackbox_exporter >= 0.28).
                '--config.enable-auto-reload',
              ],
              ports: [{ name: 'http', containerPort: props.port }],
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                ...secrets.map((s) => ({ name: `secret-${s}`, mountPath: `${SECRETS_DIR}/${s}`, readOnly: true })),
              ],
              resources: props.resources,
              livenessProbe: httpProbe('/-/healthy', 'http'),
              readinessProbe: httpProbe('/-/healthy', 'http'),
            }),
          ],
          volumes: [
            { name: 'config', configMap: { name: configMap } },
            ...secrets.map((s) => ({ name: `secret-${s}`, secret: { secretName: s } })),
          ],
          ...(icmp ? { spec: { securityContext: { ...podSecurityContext(), sysctls: [{ name: 'net.ipv4.ping_group_range', value: `${NOBODY} ${NOBODY}` }] } } } : {}),
        }),
      },
    });

    service(this, meta, selector, [{ name: 'http', port: props.port }]);
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: { jobLabel: 'app.kubernetes.io/name', selector: { matchLabels: selector }, endpoints: [{ port: 'http' }] },
    });
    networkPolicy(this, meta, selector, {
      ingress: [{ pods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: props.port }] }],
      // Probes added by `stack.probe()` come after the constructor: the egress is built at synth.
      egress: () => [dnsEgress(this.network), ...probesEgress(this.network, this.probeList, this.modules, this.namespace)],
    });

    (props.probes ?? []).forEach((p, i) => this.addProbe(p, `probes[${i}]`));
  }

  /** The probes it runs, in the order they were added. */
  get probes(): readonly ProbeValues[] {
    return [...this.probeList];
  }

  /** The modules a probe can name. */
  get moduleNames(): string[] {
    return Object.keys(this.modules).sort();
  }

  /**
   * A Probe object: Prometheus probes `targets` through this exporter with `module`. A bad probe (unknown module,
   * unreadable target, a name already taken) is a StackError naming `field`.
   */
  addProbe(probe: ProbeValues, field = `probe(${probe.name})`): Probe {
    const namespace = probe.namespace ?? this.namespace;
    const problems = checkProbe(probe, this.modules, field);
    if (this.probeList.some((p) => p.name === probe.name && (p.namespace ?? this.namespace) === namespace)) {
      problems.push({ field: `${field}.name`, message: `Probe ${namespace}/${probe.name} exists already`, fix: 'give every probe its own name' });
    }
    if (problems.length) throw new StackError(this.instance, problems);
    this.probeList.push(probe);
    const labels = Object.entries(probe.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    const targets = Array.isArray(probe.targets)
      ? { staticConfig: { static: [...probe.targets], ...(labels.length ? { labels: Object.fromEntries(labels) } : {}) } }
      : {
          ingress: {
            selector: { matchLabels: { ...(probe.targets.ingress.selector ?? {}) } },
            namespaceSelector: { matchNames: [...(probe.targets.ingress.namespaces ?? [namespace])] },
            ...(labels.length ? { relabelingConfigs: labels.map(([targetLabel, replacement]) => ({ action: 'replace' as const, targetLabel, replacement })) } : {}),
          },
        };
    return new Probe(this, `Probe-${namespace}-${probe.name}`, {
      metadata: { name: probe.name, namespace, labels: this.labels(BLACKBOX_EXPORTER_NAME, 'probe') },
      spec: {
        prober: { url: this.proberUrl },
        module: probe.module,
        ...(probe.interval ? { interval: probe.interval } : {}),
        targets,
      },
    });
  }
}
