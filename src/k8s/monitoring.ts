// Thin typed wrappers for the prometheus-operator custom resources the stack writes (monitoring.coreos.com).
// The spec types cover the fields we set; tests check every object against the upstream CRD schemas.
import { ApiObject, type ApiObjectMetadata } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Affinity, SchedulingFields, Toleration } from './scheduling';

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
}

/** A key of a Secret or of a ConfigMap, in the namespace of the object that names it. */
export type SecretOrConfigMapKey =
  | { readonly secret: { readonly name: string; readonly key: string } }
  | { readonly configMap: { readonly name: string; readonly key: string } };

export interface SafeTlsConfig {
  readonly caFile?: string;
  /** The CA, from a key of a Secret in the monitor's namespace. */
  readonly ca?: { readonly secret: { readonly name: string; readonly key: string } };
  readonly serverName?: string;
  readonly insecureSkipVerify?: boolean;
}

/** TLS of a user's scrape: the CA from a Secret or a ConfigMap, and a client certificate (mutual TLS). */
export interface ScrapeTlsConfig extends Omit<SafeTlsConfig, 'ca'> {
  readonly ca?: SecretOrConfigMapKey;
  readonly cert?: SecretOrConfigMapKey;
  /** The client certificate's key. */
  readonly keySecret?: { readonly name: string; readonly key: string };
}

/** Basic auth and the Authorization header of a scrape, from keys of Secrets in the monitor's namespace. */
export interface ScrapeAuth {
  readonly basicAuth?: { readonly username: { readonly name: string; readonly key: string }; readonly password: { readonly name: string; readonly key: string } };
  readonly authorization?: { readonly type: string; readonly credentials: { readonly name: string; readonly key: string } };
}

export interface RelabelConfig {
  readonly sourceLabels?: string[];
  readonly separator?: string;
  readonly targetLabel?: string;
  readonly regex?: string;
  readonly replacement?: string;
  readonly modulus?: number;
  readonly action?: 'replace' | 'keep' | 'drop' | 'keepequal' | 'dropequal' | 'hashmod' | 'labelmap' | 'labeldrop' | 'labelkeep' | 'lowercase' | 'uppercase';
}

export interface Endpoint extends ScrapeAuth {
  readonly port: string;
  readonly path?: string;
  readonly scheme?: 'http' | 'https';
  readonly interval?: string;
  readonly scrapeTimeout?: string;
  readonly params?: Record<string, string[]>;
  readonly honorLabels?: boolean;
  readonly honorTimestamps?: boolean;
  readonly bearerTokenFile?: string;
  readonly tlsConfig?: SafeTlsConfig;
  readonly relabelings?: RelabelConfig[];
  readonly metricRelabelings?: RelabelConfig[];
}

/** An endpoint as a ServiceMonitor takes it; the stack's own endpoints (`Endpoint`) are one kind of it. */
export interface MonitorEndpoint extends Omit<Endpoint, 'tlsConfig'> {
  readonly tlsConfig?: ScrapeTlsConfig;
}

/** Per-scrape limits: a target over one fails its scrape (`up` 0) instead of flooding the TSDB. */
export interface ScrapeLimits {
  readonly sampleLimit?: number;
  readonly targetLimit?: number;
  readonly labelLimit?: number;
}

export interface ServiceMonitorSpec extends ScrapeLimits {
  readonly jobLabel?: string;
  readonly selector: LabelSelector;
  readonly namespaceSelector?: { readonly matchNames?: string[]; readonly any?: boolean };
  readonly endpoints: MonitorEndpoint[];
}

/** Where a PodMonitor scrapes each selected pod: a named container port. */
export interface PodMetricsEndpoint extends ScrapeAuth {
  /** Name of the container port; without one, each pod is one target whose `__address__` relabeling sets. */
  readonly port?: string;
  readonly path?: string;
  readonly scheme?: 'http' | 'https';
  readonly interval?: string;
  readonly scrapeTimeout?: string;
  readonly params?: Record<string, string[]>;
  readonly honorLabels?: boolean;
  readonly honorTimestamps?: boolean;
  readonly tlsConfig?: ScrapeTlsConfig;
  readonly relabelings?: RelabelConfig[];
  readonly metricRelabelings?: RelabelConfig[];
}

export interface PodMonitorSpec extends ScrapeLimits {
  readonly jobLabel?: string;
  /** Labels of the pods to scrape. */
  readonly selector: LabelSelector;
  readonly namespaceSelector?: { readonly matchNames?: string[]; readonly any?: boolean };
  readonly podMetricsEndpoints: PodMetricsEndpoint[];
}

export interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: Rule[];
}

export interface PrometheusRuleSpec {
  readonly groups: RuleGroup[];
}

interface CustomResourceProps<Spec> {
  readonly metadata: ApiObjectMetadata;
  readonly spec: Spec;
}

const API_VERSION = 'monitoring.coreos.com/v1';

export class ServiceMonitor extends ApiObject {
  constructor(scope: Construct, id: string, props: CustomResourceProps<ServiceMonitorSpec>) {
    super(scope, id, { apiVersion: API_VERSION, kind: 'ServiceMonitor', ...props });
  }
}

/** Scrapes pods directly, without a Service: for workloads that have none (jobs, daemons, sidecars). */
export class PodMonitor extends ApiObject {
  constructor(scope: Construct, id: string, props: CustomResourceProps<PodMonitorSpec>) {
    super(scope, id, { apiVersion: API_VERSION, kind: 'PodMonitor', ...props });
  }
}

/** Targets outside Kubernetes service discovery (monitoring.coreos.com/v1alpha1): static `host:port` lists. */
export interface ScrapeConfigSpec extends ScrapeAuth, ScrapeLimits {
  readonly jobName?: string;
  readonly staticConfigs: { readonly targets: string[]; readonly labels?: Record<string, string> }[];
  readonly metricsPath?: string;
  readonly scheme?: 'http' | 'https';
  readonly scrapeInterval?: string;
  readonly scrapeTimeout?: string;
  readonly params?: Record<string, string[]>;
  readonly honorLabels?: boolean;
  readonly tlsConfig?: ScrapeTlsConfig;
  readonly relabelings?: RelabelConfig[];
  readonly metricRelabelings?: RelabelConfig[];
}

export class ScrapeConfig extends ApiObject {
  constructor(scope: Construct, id: string, props: CustomResourceProps<ScrapeConfigSpec>) {
    super(scope, id, { apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'ScrapeConfig', ...props });
  }
}

/** What a Probe probes: fixed targets, or the Ingresses Prometheus discovers. */
export interface ProbeTargets {
  readonly staticConfig?: { readonly static: string[]; readonly labels?: Record<string, string> };
  readonly ingress?: {
    readonly selector: LabelSelector;
    readonly namespaceSelector?: { readonly matchNames?: string[]; readonly any?: boolean };
    readonly relabelingConfigs?: RelabelConfig[];
  };
}

export interface ProbeSpec {
  /** @default `probe/<namespace>/<name>` */
  readonly jobName?: string;
  /** The exporter that runs the probes: `host:port` of its Service. */
  readonly prober: { readonly url: string; readonly scheme?: 'http' | 'https'; readonly path?: string };
  /** The exporter's module, e.g. `http_2xx`. */
  readonly module: string;
  readonly targets: ProbeTargets;
  readonly interval?: string;
  readonly scrapeTimeout?: string;
}

/** Probes targets through a prober (the blackbox exporter): Prometheus scrapes `<prober>/probe?module=..&target=..`. */
export class Probe extends ApiObject {
  constructor(scope: Construct, id: string, props: CustomResourceProps<ProbeSpec>) {
    super(scope, id, { apiVersion: API_VERSION, kind: 'Probe', ...props });
  }
}

export class PrometheusRule extends ApiObject {
  constructor(scope: Construct, id: string, props: CustomResourceProps<PrometheusRuleSpec>) {
    super(scope, id, { apiVersion: API_VERSION, kind: 'PrometheusRule', ...props });
  }
}

export interface SecretKeySelector {
  readonly name: string;
  readonly key: string;
}

export type StorageSpec =
  | {
      readonly volumeClaimTemplate: {
        readonly spec: {
          readonly storageClassName?: string;
          readonly accessModes: string[];
          readonly resources: { readonly requests: { readonly storage: string } };
        };
      };
    }
  | { readonly emptyDir: { readonly sizeLimit: string } };

export interface ResourceRequirements {
  readonly requests?: Record<string, string>;
  readonly limits?: Record<string, string>;
}

export interface PodSecurityContext {
  readonly runAsNonRoot: boolean;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

export interface RemoteWriteSpec {
  readonly url: string;
  readonly name?: string;
  readonly basicAuth?: { readonly username: SecretKeySelector; readonly password: SecretKeySelector };
  readonly authorization?: { readonly type: 'Bearer'; readonly credentials: SecretKeySelector };
  readonly writeRelabelConfigs?: RelabelConfig[];
}

/** The fields shared by the Prometheus and Alertmanager custom resources that this stack sets. */
interface CommonPodSpec {
  readonly image: string;
  readonly version: string;
  readonly replicas: number;
  readonly serviceAccountName: string;
  readonly podMetadata: { readonly labels: Record<string, string> };
  readonly securityContext: PodSecurityContext;
  readonly resources: ResourceRequirements;
  readonly storage?: StorageSpec;
  readonly externalUrl?: string;
  /** The path the server serves its UI and API under. @default "/" */
  readonly routePrefix?: string;
  readonly nodeSelector?: Record<string, string>;
  readonly affinity?: Affinity;
  readonly tolerations?: Toleration[];
  readonly topologySpreadConstraints?: SchedulingFields['topologySpreadConstraints'];
  readonly priorityClassName?: string;
}

/** What a Prometheus and a PrometheusAgent share: what they scrape, and where they write. */
export interface ScrapingSpec extends CommonPodSpec {
  readonly scrapeInterval: string;
  readonly externalLabels: Record<string, string>;
  readonly serviceMonitorSelector: LabelSelector;
  readonly serviceMonitorNamespaceSelector: LabelSelector;
  readonly podMonitorSelector: LabelSelector;
  readonly podMonitorNamespaceSelector: LabelSelector;
  readonly probeSelector: LabelSelector;
  readonly probeNamespaceSelector: LabelSelector;
  readonly scrapeConfigSelector: LabelSelector;
  readonly scrapeConfigNamespaceSelector: LabelSelector;
  readonly enableRemoteWriteReceiver?: boolean;
  readonly enableOTLPReceiver?: boolean;
  readonly remoteWrite?: RemoteWriteSpec[];
  readonly walCompression?: boolean;
  readonly enableFeatures?: string[];
}

export interface AlertmanagerEndpoint {
  readonly namespace: string;
  readonly name: string;
  readonly port: string | number;
  readonly apiVersion: 'v2';
  readonly scheme?: 'http' | 'https';
  readonly pathPrefix?: string;
}

export interface ThanosSpec {
  readonly image: string;
  readonly version: string;
  readonly objectStorageConfig?: SecretKeySelector;
}

export interface PrometheusSpec extends ScrapingSpec {
  readonly retention: string;
  readonly retentionSize?: string;
  readonly evaluationInterval: string;
  readonly ruleSelector: LabelSelector;
  readonly ruleNamespaceSelector: LabelSelector;
  readonly queryLogFile?: string;
  readonly alerting?: { readonly alertmanagers: AlertmanagerEndpoint[] };
  readonly thanos?: ThanosSpec;
}

export interface AlertmanagerSpec extends CommonPodSpec {
  readonly retention: string;
  readonly configSecret: string;
  readonly secrets?: string[];
  readonly alertmanagerConfigSelector?: LabelSelector;
  readonly alertmanagerConfigNamespaceSelector?: LabelSelector;
  readonly alertmanagerConfigMatcherStrategy?: { readonly type: string };
}

export class Prometheus extends ApiObject {
  constructor(scope: Construct, id: string, props: CustomResourceProps<PrometheusSpec>) {
    super(scope, id, { apiVersion: API_VERSION, kind: 'Prometheus', ...props });
  }
}

/** Scrapes and remote-writes only: no rules, no queries, no local TSDB beyond the WAL (monitoring.coreos.com/v1alpha1). */
export class PrometheusAgent extends ApiObject {
  constructor(scope: Construct, id: string, props: CustomResourceProps<ScrapingSpec>) {
    super(scope, id, { apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'PrometheusAgent', ...props });
  }
}

export class Alertmanager extends ApiObject {
  constructor(scope: Construct, id: string, props: CustomResourceProps<AlertmanagerSpec>) {
    super(scope, id, { apiVersion: API_VERSION, kind: 'Alertmanager', ...props });
  }
}
