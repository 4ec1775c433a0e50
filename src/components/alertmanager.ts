import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ApiObject, Lazy } from 'cdk8s';
import { alertmanagerConfig, teamConfigSpec, type RoutingValues } from '../alerting/config';
import { teamConfigName } from '../alerting/operator-routing';
import { checkReceivers, secretsOf } from '../alerting/receivers';
import type { InhibitRule, Receiver, Route, RoutingExpectation, TeamRouting, TimeInterval } from '../alerting/types';
import { Alertmanager as AlertmanagerResource, ServiceMonitor } from '../k8s/monitoring';
import { networkPolicy, podDisruptionBudget, service, serviceAccount } from '../k8s/objects';
import { dnsEgress, internetEgress, urlDestination, urlEgress, type PeerAllowance, type ResolvedNetwork } from '../k8s/network';
import { configDestinations, resourceDestinations } from '../alerting/destinations';
import { exposurePath, exposeService, exposureUrl, type ExposureValues } from '../k8s/exposure';
import { plainResources } from '../k8s/pod';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { labelSelector, OPERATOR_POD_SECURITY, spreadOverNodes, storageSpec, type Selection, type StorageValues } from './operator-managed';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { ALERTMANAGER_METRICS, DEFAULT_ALERTMANAGER_THRESHOLDS, alertmanagerRules, type AlertmanagerThresholds } from '../rules/catalogue/alertmanager';
import { alertmanagerOverview } from '../dashboards/catalogue/monitoring';
import { StackError } from '../core/problems';
import type { ResourceValues } from '../core/primitives';
import { toYaml } from '../core/yaml';
import type { SchedulingValues } from '../k8s/scheduling';

export interface AlertmanagerValues extends ExposureValues {
  /** Where its pods run: nodeSelector, tolerations, affinity, topology spread, priorityClassName. */
  readonly scheduling?: SchedulingValues;
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts. */
  readonly thresholds?: Partial<AlertmanagerThresholds>;
  /** @default 3 */
  readonly replicas?: number;
  /** @default "120h" */
  readonly retention?: string;
  readonly storage?: StorageValues;
  readonly resources?: ResourceValues;
  /**
   * The URL Alertmanager is reached at: what its notifications link to (silences, the alert list).
   * @default the URL of `ingress` or `httpRoute` when exposed (`https://<host><path>`, http for an Ingress without tls)
   */
  readonly externalUrl?: string;
  /**
   * Receivers of the global configuration; credentials are Secret references (in the stack namespace).
   * @default [{ "name": "null", "type": "null" }]
   */
  readonly receivers?: Receiver[];
  /**
   * The routing tree; its receiver takes what no child route takes.
   * @default everything to "null", grouped by namespace; Watchdog and InfoInhibitor to "null" explicitly
   */
  readonly route?: Route;
  /**
   * @default critical inhibits warning and info, warning inhibits info (same alert and namespace); InfoInhibitor inhibits info
   */
  readonly inhibitRules?: InhibitRule[];
  /** @default [] */
  readonly timeIntervals?: TimeInterval[];
  /**
   * Alerts that may reach only the null receiver on purpose.
   * @default ["Watchdog", "InfoInhibitor"]
   */
  readonly intentionallyUnrouted?: string[];
  /**
   * "An alert with these labels goes to these receivers": checked at every synth.
   * @default []
   */
  readonly expectations?: RoutingExpectation[];
  /**
   * Teams' own routing, delivered as AlertmanagerConfig resources in their namespaces.
   * @default []
   */
  readonly teams?: TeamRouting[];
  /**
   * How the operator scopes team routes: `OnNamespace` adds `namespace="<team namespace>"` to each team's route.
   * @default "OnNamespace"
   */
  readonly teamMatcherStrategy?: 'OnNamespace' | 'OnNamespaceExceptForAlertmanagerNamespace' | 'None';
  /**
   * Which AlertmanagerConfigs the operator merges, from every namespace (the stack's team routes and other teams'
   * own); with `OnNamespace` each gets only its namespace's alerts. A label selection must match `common.labels`.
   * @default "all"
   */
  readonly selectConfigs?: Selection;
  /**
   * Where receivers outside the cluster may be reached: ports, and the addresses (CIDRs) when known. A receiver at
   * an IP address or an in-cluster Service is let through by its URL; one at a DNS name needs its port here (a
   * NetworkPolicy cannot name hosts): an email smarthost on 587, say, is an error until 587 is listed.
   * @default [{ "ports": [443] }] (HTTPS to any address outside `common.network.clusterCidrs`)
   */
  readonly egress?: AlertmanagerEgress[];
}

export interface AlertmanagerEgress {
  readonly ports: number[];
  /** @default any address outside the cluster */
  readonly cidrs?: string[];
}

export const ALERTMANAGER_DEFAULTS = {
  enabled: true,
  replicas: 3,
  retention: '120h',
  resources: { requests: { cpu: '10m', memory: '50Mi' }, limits: { memory: '100Mi' } },
  thresholds: DEFAULT_ALERTMANAGER_THRESHOLDS,
  receivers: [{ name: 'null', type: 'null' }] as Receiver[],
  route: {
    receiver: 'null',
    groupBy: ['namespace'],
    groupWait: '30s',
    groupInterval: '5m',
    repeatInterval: '12h',
    routes: [
      { receiver: 'null', matchers: ['alertname="Watchdog"'] },
      { receiver: 'null', matchers: ['alertname="InfoInhibitor"'] },
    ],
  } as Route,
  inhibitRules: [
    { sourceMatchers: ['severity="critical"'], targetMatchers: ['severity=~"warning|info"'], equal: ['namespace', 'alertname'] },
    { sourceMatchers: ['severity="warning"'], targetMatchers: ['severity="info"'], equal: ['namespace', 'alertname'] },
    { sourceMatchers: ['alertname="InfoInhibitor"'], targetMatchers: ['severity="info"'], equal: ['namespace'] },
  ] as InhibitRule[],
  timeIntervals: [] as TimeInterval[],
  intentionallyUnrouted: ['Watchdog', 'InfoInhibitor'],
  expectations: [] as RoutingExpectation[],
  teams: [] as TeamRouting[],
  teamMatcherStrategy: 'OnNamespace' as 'OnNamespace' | 'OnNamespaceExceptForAlertmanagerNamespace' | 'None',
  selectConfigs: 'all' as Selection,
  egress: [{ ports: [443] }] as AlertmanagerEgress[],
} satisfies AlertmanagerValues;

/** AlertmanagerValues with every default filled in. */
export type ResolvedAlertmanagerValues = WithDefaults<AlertmanagerValues, typeof ALERTMANAGER_DEFAULTS>;

/** `expectations` are checked against the routing by the analyzers; the component does not read them. */
export interface AlertmanagerProps extends ComponentProps, Omit<ResolvedAlertmanagerValues, 'enabled' | 'expectations'> {
  readonly image: Image;
  /**
   * Pods of its namespace that query its API on 9093 (Grafana's Alertmanager datasource), besides Prometheus.
   * @default []
   */
  readonly queriedBy?: readonly Record<string, string>[];
}

/**
 * Receivers at an IP address or an in-cluster Service by their URL; the rest (DNS names outside the cluster)
 * through `egress`, which the flow analyzer checks them against.
 */
function receiverEgress(network: ResolvedNetwork, namespace: string, routing: RoutingValues, teams: readonly TeamRouting[], egress: readonly AlertmanagerEgress[]): PeerAllowance[] {
  // Read from the configuration as it is written, as the flow analyzer reads it.
  const config = alertmanagerConfig(routing);
  const addresses = [
    ...configDestinations(config),
    ...teams.flatMap((t) => resourceDestinations(t.namespace, teamConfigName(t), teamConfigSpec(t), config)),
  ].flatMap((d) => ('url' in d ? [d.proxy ?? d.url] : []));
  const byUrl = addresses.flatMap((a) => (urlDestination(a, namespace)?.kind === 'external' ? [] : urlEgress(network, a, namespace)));
  // `egress` opens the world only for receivers out there (none but the null receiver: no door).
  if (!addresses.some((a) => urlDestination(a, namespace)?.kind === 'external')) return byUrl;
  const outside = egress.map((e) => (e.cidrs ? { cidrs: e.cidrs, ports: e.ports.map((port) => ({ port })) } : internetEgress(network, e.ports.map((port) => ({ port })))));
  return [...new Map([...byUrl, ...outside].map((p) => [JSON.stringify(p), p])).values()];
}

/** Every receiver a route or its children name, depth first. */
function receiversOf(route: Route): string[] {
  return [route.receiver, ...(route.routes ?? []).flatMap(receiversOf)];
}

/**
 * The Alertmanager custom resource, its configuration Secret, Service, self-monitoring and policies.
 * The configuration is rendered at synth: receivers and routes added after the constructor reach it.
 */
export class Alertmanager extends Component {
  /** Name of its Service: where Prometheus sends alerts. */
  readonly serviceName: string = NAMES.alertmanager;
  /** Namespace of its Service. */
  readonly serviceNamespace: string;
  readonly replicas: number;
  /** The path its API is served under (`/` unless exposed under another path): Prometheus sends alerts there. */
  readonly routePrefix: string;
  /** Alerts that may reach only the null receiver on purpose. */
  readonly intentionallyUnrouted: readonly string[];
  private readonly receiverList: Receiver[];
  private readonly baseRoute: Route;
  private readonly addedRoutes: Route[] = [];
  private readonly inhibitRules: readonly InhibitRule[];
  private readonly timeIntervals: readonly TimeInterval[];

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id, props);
    this.serviceNamespace = this.namespace;
    this.replicas = props.replicas;
    const exposure: ExposureValues = { ingress: props.ingress, httpRoute: props.httpRoute };
    this.routePrefix = exposurePath(exposure);
    const prefix = this.routePrefix === '/' ? '' : this.routePrefix;
    const externalUrl = props.externalUrl ?? exposureUrl(exposure);
    this.intentionallyUnrouted = [...props.intentionallyUnrouted];
    this.receiverList = [...props.receivers];
    this.baseRoute = props.route;
    this.inhibitRules = props.inhibitRules;
    this.timeIntervals = props.timeIntervals;
    const image = props.image;
    const name = NAMES.alertmanager;
    const meta = { name, namespace: this.namespace, labels: this.labels('alertmanager', 'alert-router', image) };
    const selector = OPERATOR_POD_SELECTORS.alertmanager;
    this.declareMetrics(ALERTMANAGER_METRICS);
    this.addRules('alertmanager-main-rules', alertmanagerRules(props.thresholds, this.namespace));
    this.addDashboards('Monitoring', [alertmanagerOverview({ namespace: this.namespace, replicas: props.replicas })]);
    this.node.addValidation({ validate: () => this.unknownReceivers() });

    serviceAccount(this, meta, false);
    new k8s.KubeSecret(this, `Secret-${NAMES.alertmanagerConfigSecret}`, {
      metadata: { ...meta, name: NAMES.alertmanagerConfigSecret },
      type: 'Opaque',
      stringData: { 'alertmanager.yaml': Lazy.any({ produce: () => toYaml(alertmanagerConfig(this.routing)) }) },
    });

    new AlertmanagerResource(this, `Alertmanager-${NAMES.alertmanagerCr}`, {
      metadata: { ...meta, name: NAMES.alertmanagerCr },
      spec: {
        image: this.image(image),
        version: image.tag,
        replicas: props.replicas,
        serviceAccountName: name,
        configSecret: NAMES.alertmanagerConfigSecret,
        // Receivers read their credentials from these, mounted under /etc/alertmanager/secrets/<name>/.
        secrets: Lazy.any({ produce: () => (secretsOf(this.receiverList).length ? secretsOf(this.receiverList) : undefined) }),
        alertmanagerConfigSelector: labelSelector(props.selectConfigs),
        alertmanagerConfigNamespaceSelector: {},
        alertmanagerConfigMatcherStrategy: { type: props.teamMatcherStrategy },
        podMetadata: { labels: meta.labels },
        securityContext: OPERATOR_POD_SECURITY,
        resources: plainResources(props.resources),
        retention: props.retention,
        ...(props.storage ? { storage: storageSpec(props.storage) } : {}),
        ...(externalUrl ? { externalUrl } : {}),
        ...(prefix ? { routePrefix: prefix } : {}),
        ...this.schedulingOf(selector, { affinity: spreadOverNodes(selector) }),
      },
    });

    service(this, meta, selector, [{ name: 'web', port: 9093 }, { name: 'reloader-web', port: 8080 }], { sessionAffinity: 'ClientIP' });
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: {
        selector: { matchLabels: this.selectorLabels('alertmanager') },
        endpoints: [{ port: 'web', ...(prefix ? { path: `${prefix}/metrics` } : {}) }, { port: 'reloader-web' }],
      },
    });
    const exposed = exposeService(this, { meta, exposure, proxies: props.common, service: name, servicePort: 9093, podPort: 9093, field: 'alertmanager', instance: this.instance });
    for (const team of props.teams) {
      new ApiObject(this, `AlertmanagerConfig-${team.namespace}`, {
        apiVersion: 'monitoring.coreos.com/v1alpha1',
        kind: 'AlertmanagerConfig',
        metadata: { name: teamConfigName(team), namespace: team.namespace, labels: this.labels('alertmanager', 'alert-routing') },
        spec: teamConfigSpec(team),
      });
    }
    if (props.replicas > 1) podDisruptionBudget(this, meta, selector);
    const gossip = { pods: [selector], ports: [{ port: 9094 }, { port: 9094, protocol: 'UDP' as const }] };
    networkPolicy(this, meta, selector, {
      ingress: [
        // Prometheus sends alerts and scrapes it; Grafana reads alerts and silences when it is given: nothing else of
        // the stack talks to its API.
        { pods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: 9093 }] },
        ...(props.queriedBy?.length ? [{ pods: props.queriedBy, ports: [{ port: 9093 }] }] : []),
        { pods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: 8080 }] },
        gossip,
        ...exposed,
      ],
      // At synth: receivers added with addReceiver count too.
      egress: () => [dnsEgress(this.network), gossip, ...receiverEgress(this.network, this.namespace, this.routing, props.teams, props.egress)],
    });
  }

  /**
   * Adds a receiver to the global configuration. Its credentials are Secret references, like in the values; a
   * receiver whose name is taken, or with what looks like a credential in a plain field, is rejected.
   */
  addReceiver(receiver: Receiver): void {
    const field = `alertmanager.addReceiver('${receiver.name}')`;
    if (this.receiverList.some((r) => r.name === receiver.name)) {
      throw new StackError(this.instance, [{
        field,
        message: `a receiver named '${receiver.name}' already exists (receivers: ${this.receiverList.map((r) => r.name).join(', ')})`,
        fix: 'give every receiver its own name, or route to the existing one with addRoute',
      }]);
    }
    const problems = checkReceivers([receiver], field);
    if (problems.length) throw new StackError(this.instance, problems);
    this.receiverList.push(receiver);
  }

  /**
   * Adds a child route to the routing tree, after the routes already there. Every receiver it names must exist by
   * synth (from the values or `addReceiver`).
   */
  addRoute(route: Route): void {
    this.addedRoutes.push(route);
  }

  /** The receivers of the global configuration, those added included. */
  get receivers(): Receiver[] {
    return [...this.receiverList];
  }

  /** The routing tree, with the routes added by `addRoute` as its last children. */
  get route(): Route {
    return this.addedRoutes.length ? { ...this.baseRoute, routes: [...(this.baseRoute.routes ?? []), ...this.addedRoutes] } : this.baseRoute;
  }

  /** What the configuration Secret holds. */
  get routing(): RoutingValues {
    return { receivers: this.receivers, route: this.route, inhibitRules: this.inhibitRules, timeIntervals: this.timeIntervals };
  }

  private unknownReceivers(): string[] {
    const known = new Set(this.receiverList.map((r) => r.name));
    return this.addedRoutes.flatMap(receiversOf).filter((name, i, all) => !known.has(name) && all.indexOf(name) === i)
      .map((name) => `a route added with addRoute names receiver '${name}', which does not exist (receivers: ${[...known].join(', ')}); add it with addReceiver`);
  }
}
