// Thin typed wrappers for the prometheus-operator custom resources the stack writes (monitoring.coreos.com).
// The spec types cover the fields we set; tests check every object against the upstream CRD schemas.
import { ApiObject, type ApiObjectMetadata } from 'cdk8s';
import type { Construct } from 'constructs';

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
}

export interface SafeTlsConfig {
  readonly caFile?: string;
  /** The CA, from a key of a Secret in the monitor's namespace. */
  readonly ca?: { readonly secret: { readonly name: string; readonly key: string } };
  readonly serverName?: string;
  readonly insecureSkipVerify?: boolean;
}

export interface RelabelConfig {
  readonly sourceLabels?: string[];
  readonly separator?: string;
  readonly targetLabel?: string;
  readonly regex?: string;
  readonly replacement?: string;
  readonly action?: 'replace' | 'keep' | 'drop' | 'labeldrop' | 'labelkeep' | 'labelmap' | 'hashmod';
}

export interface Endpoint {
  readonly port: string;
  readonly path?: string;
  readonly scheme?: 'http' | 'https';
  readonly interval?: string;
  readonly honorLabels?: boolean;
  readonly honorTimestamps?: boolean;
  readonly bearerTokenFile?: string;
  readonly tlsConfig?: SafeTlsConfig;
  readonly relabelings?: RelabelConfig[];
  readonly metricRelabelings?: RelabelConfig[];
}

export interface ServiceMonitorSpec {
  readonly jobLabel?: string;
  readonly selector: LabelSelector;
  readonly namespaceSelector?: { readonly matchNames?: string[]; readonly any?: boolean };
  readonly endpoints: Endpoint[];
}

/** Where a PodMonitor scrapes each selected pod: a named container port. */
export interface PodMetricsEndpoint {
  /** Name of the container port. */
  readonly port: string;
  readonly path?: string;
  readonly scheme?: 'http' | 'https';
  readonly interval?: string;
  readonly honorLabels?: boolean;
  readonly honorTimestamps?: boolean;
  readonly tlsConfig?: SafeTlsConfig;
  readonly relabelings?: RelabelConfig[];
  readonly metricRelabelings?: RelabelConfig[];
}

export interface PodMonitorSpec {
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
  readonly retention: string;
  readonly storage?: StorageSpec;
  readonly externalUrl?: string;
  readonly nodeSelector?: Record<string, string>;
  readonly affinity?: Record<string, unknown>;
}

export interface PrometheusSpec extends CommonPodSpec {
  readonly retentionSize?: string;
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  readonly externalLabels: Record<string, string>;
  readonly ruleSelector: LabelSelector;
  readonly ruleNamespaceSelector: LabelSelector;
  readonly serviceMonitorSelector: LabelSelector;
  readonly serviceMonitorNamespaceSelector: LabelSelector;
  readonly podMonitorSelector: LabelSelector;
  readonly podMonitorNamespaceSelector: LabelSelector;
  readonly probeSelector: LabelSelector;
  readonly probeNamespaceSelector: LabelSelector;
  readonly scrapeConfigSelector: LabelSelector;
  readonly enableRemoteWriteReceiver?: boolean;
  readonly enableOTLPReceiver?: boolean;
  readonly scrapeConfigNamespaceSelector: LabelSelector;
  readonly alerting?: {
    readonly alertmanagers: { readonly namespace: string; readonly name: string; readonly port: string; readonly apiVersion: 'v2' }[];
  };
  readonly remoteWrite?: RemoteWriteSpec[];
}

export interface AlertmanagerSpec extends CommonPodSpec {
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

export class Alertmanager extends ApiObject {
  constructor(scope: Construct, id: string, props: CustomResourceProps<AlertmanagerSpec>) {
    super(scope, id, { apiVersion: API_VERSION, kind: 'Alertmanager', ...props });
  }
}
