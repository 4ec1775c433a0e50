// The flows a stack needs, read from its final objects, and the NetworkPolicies that block them:
// GIVEN stack values (patches, extra objects) WHEN modelled THEN the needed flows, and policy/flow-blocked for each
// one the written policies deny.
import { defineStack, type StackValues } from '../../src';
import { analyzeNetworkFlows, neededFlows, type NeededFlow } from '../../src/analyze/network-flows';
import { cidrContains, evaluateFlow, policySet, type FlowEndpoint, type PodEndpoint } from '../../src/analyze/network-policy-eval';
import type { StackModel } from '../../src/model/stack-model';
import { buildStack, modelOf } from '../../src/synth/pipeline';
import { render, renderError } from '../helpers';

/** The model of a stack, not analyzed: a stack whose policies block a flow does not render. */
function modelFor(values: StackValues): StackModel {
  const input = { definition: defineStack({ name: 'flows', ...values }), name: 'flows', source: 'stacks/flows.ts' };
  return modelOf(buildStack(input), input);
}

const stack = render({ name: 'flows' });
const model = stack.model;
const flows = neededFlows(model);
const network = model.values.common.network;

const named = (pattern: RegExp) => (e: FlowEndpoint) => e.name !== undefined && pattern.test(e.name);
const flowsWhere = (test: (f: NeededFlow) => boolean, all: readonly NeededFlow[] = flows) => all.filter(test);
const ports = (list: readonly NeededFlow[]) => [...new Set(list.map((f) => `${f.port}/${f.protocol}`))].sort();
const isPrometheus = named(/^Prometheus \S+\/k8s$/);
const isAlertmanager = named(/^Alertmanager \S+\/main$/);
const errors = (m: StackModel) => analyzeNetworkFlows(m).diagnostics.filter((d) => d.severity === 'error');

describe('the flows the default stack needs', () => {
  test('Prometheus scrapes node-exporter on its node address (a host-network pod), kube-state-metrics, the operator and Grafana', () => {
    const scrapes = flowsWhere((f) => f.need === 'scrape' && isPrometheus(f.from));
    const nodeExporter = scrapes.filter((f) => named(/^DaemonSet \S+\/node-exporter$/)(f.to));
    expect(nodeExporter).toHaveLength(1);
    expect(nodeExporter[0].why).toMatch(/^Prometheus scrapes ServiceMonitor \S+\/node-exporter endpoint \S+$/);
    expect(nodeExporter[0].to).toMatchObject({ kind: 'pod', hostNetwork: true });
    expect(network.nodeCidrs.some((c) => cidrContains(c, (nodeExporter[0].to as PodEndpoint).ip!))).toBe(true);
    for (const target of [/^Deployment \S+\/kube-state-metrics$/, /^Deployment \S+\/prometheus-operator$/, /^Deployment \S+\/grafana$/]) {
      expect(scrapes.filter((f) => named(target)(f.to)).map((f) => f.why)).toEqual(expect.arrayContaining([expect.stringMatching(/^Prometheus scrapes ServiceMonitor /)]));
    }
    // Both kube-state-metrics endpoints: the objects' metrics and its own.
    expect(scrapes.filter((f) => named(/kube-state-metrics$/)(f.to))).toHaveLength(2);
  });

  test('what the cluster runs itself: kubelet on a node address, the API server on its ports, CoreDNS pods on 9153', () => {
    const scrapes = flowsWhere((f) => f.need === 'scrape' && isPrometheus(f.from));
    const kubelet = scrapes.filter((f) => /ServiceMonitor \S+\/kubelet /.test(f.why));
    expect(kubelet.map((f) => [f.to.kind, f.port])).toEqual([['address', 10250]]);
    expect(network.nodeCidrs.some((c) => cidrContains(c, kubelet[0].to.ip!))).toBe(true);
    const apiserver = scrapes.filter((f) => /ServiceMonitor \S+\/kube-apiserver /.test(f.why));
    expect(apiserver.map((f) => f.port)).toEqual([...network.apiServer.ports]);
    expect(apiserver.every((f) => f.to.kind === 'address' && network.apiServer.cidrs.some((c) => cidrContains(c, f.to.ip!)))).toBe(true);
    const coredns = scrapes.filter((f) => /ServiceMonitor \S+\/coredns /.test(f.why));
    expect(coredns.map((f) => [f.to.kind === 'pod' && f.to.namespace, f.to.kind === 'pod' && f.to.labels, f.port])).toEqual([['kube-system', { 'k8s-app': 'kube-dns' }, 9153]]);
  });

  test('Grafana queries Prometheus and Alertmanager, Prometheus sends alerts to Alertmanager, whose replicas gossip over TCP and UDP', () => {
    expect(flowsWhere((f) => f.need === 'datasource')).toEqual([expect.objectContaining({
      why: expect.stringMatching(/^Grafana queries datasource Prometheus at http:\/\/prometheus-k8s\.\S+\.svc:9090$/),
      from: expect.objectContaining({ name: expect.stringMatching(/^Deployment \S+\/grafana$/) }),
      to: expect.objectContaining({ name: expect.stringMatching(/^Prometheus \S+\/k8s$/) }),
      port: 9090, protocol: 'TCP',
    }), expect.objectContaining({
      why: expect.stringMatching(/^Grafana queries datasource Alertmanager at http:\/\/alertmanager-main\.\S+\.svc:9093$/),
      from: expect.objectContaining({ name: expect.stringMatching(/^Deployment \S+\/grafana$/) }),
      to: expect.objectContaining({ name: expect.stringMatching(/^Alertmanager \S+\/main$/) }),
      port: 9093, protocol: 'TCP',
    })]);
    const alerts = flowsWhere((f) => f.need === 'alerts');
    expect(alerts.map((f) => [isPrometheus(f.from), isAlertmanager(f.to), f.port, f.protocol])).toEqual([[true, true, 9093, 'TCP']]);
    expect(alerts[0].why).toMatch(/^Prometheus sends alerts to Alertmanager Service \S+\/alertmanager-main port web$/);
    const gossip = flowsWhere((f) => f.need === 'gossip');
    expect(gossip.every((f) => isAlertmanager(f.from) && isAlertmanager(f.to))).toBe(true);
    expect(ports(gossip)).toEqual(['9094/TCP', '9094/UDP']);
  });

  test('DNS for every pod whose egress a policy restricts; the API server for every pod whose ServiceAccount is bound to a role', () => {
    const dns = flowsWhere((f) => f.need === 'dns');
    const dnsFrom = (pattern: RegExp) => ports(dns.filter((f) => named(pattern)(f.from)));
    for (const pod of [/^Prometheus /, /^Alertmanager /, /grafana$/, /kube-state-metrics$/, /prometheus-operator$/]) expect(dnsFrom(pod)).toEqual(['53/TCP', '53/UDP']);
    expect(new Set(dns.map((f) => JSON.stringify([f.to.kind === 'pod' && f.to.namespace, f.to.kind === 'pod' && f.to.labels])))).toEqual(new Set([JSON.stringify([network.dns.namespace, network.dns.pods])]));
    // node-exporter runs on the host network: no policy restricts it, and it resolves through the node.
    expect(dnsFrom(/node-exporter$/)).toEqual([]);

    const api = flowsWhere((f) => f.need === 'api-server');
    const apiFrom = (pattern: RegExp) => api.filter((f) => named(pattern)(f.from)).map((f) => f.port);
    for (const pod of [/^Prometheus /, /prometheus-operator$/, /kube-state-metrics$/, /grafana$/]) expect(apiFrom(pod)).toEqual([...network.apiServer.ports]);
    // Its ServiceAccount token is not mounted.
    expect(apiFrom(/^Alertmanager /)).toEqual([]);
    expect(api.every((f) => f.to.kind === 'address' && network.apiServer.cidrs.some((c) => cidrContains(c, f.to.ip!)))).toBe(true);
  });

  test('every needed flow is allowed by the policies the stack writes', () => {
    expect(analyzeNetworkFlows(model).diagnostics).toEqual([]);
    expect(analyzeNetworkFlows(model).flows.filter((f) => !f.verdict.allowed)).toEqual([]);
  });

  test('the representative addresses follow common.network: a node inside nodeCidrs, the API server outside clusterCidrs', () => {
    const custom = modelFor({ common: { network: { nodeCidrs: ['192.168.0.0/16'], clusterCidrs: ['10.0.0.0/8'], apiServer: { cidrs: ['0.0.0.0/0'], ports: [6443] } } } });
    const needed = neededFlows(custom);
    const kubelet = needed.find((f) => /\/kubelet /.test(f.why))!;
    expect(kubelet.to.ip).toBe('192.168.0.5');
    const api = needed.filter((f) => f.need === 'api-server');
    expect(api.length).toBeGreaterThan(0);
    expect(api.every((f) => f.port === 6443 && !cidrContains('10.0.0.0/8', f.to.ip!))).toBe(true);
  });
});

describe('with an OpenTelemetry Collector scraping the exporters', () => {
  const otel = render({ name: 'flows', otelCollector: { enabled: true } }).model;
  const needed = neededFlows(otel);
  const isCollector = named(/^Deployment \S+\/otel-collector$/);

  test('the Collector scrapes node-exporter and kube-state-metrics, from its own scrape configs, and Prometheus does not', () => {
    const exporters = (from: (e: FlowEndpoint) => boolean) => needed.filter((f) => f.need === 'scrape' && from(f.from) && named(/(node-exporter|kube-state-metrics)$/)(f.to));
    expect(exporters(isCollector).map((f) => f.why)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^the Collector scrapes job node-exporter\//),
      expect.stringMatching(/^the Collector scrapes job kube-state-metrics\//),
    ]));
    expect(exporters(isPrometheus)).toEqual([]);
  });

  test('the Collector sends to Prometheus through its exporter, and the policies allow all of it', () => {
    expect(needed.filter((f) => f.need === 'export' && isCollector(f.from)).map((f) => [f.to.name, f.port])).toEqual([[expect.stringMatching(/^Prometheus \S+\/k8s$/), 9090]]);
    expect(errors(otel)).toEqual([]);
  });
});

describe('receivers, remote write', () => {
  const receivers: StackValues = {
    prometheus: { remoteWrite: [{ url: 'https://metrics.example.com/api/v1/push' }, { url: 'http://10.1.2.3:9009/push' }] },
    alertmanager: {
      receivers: [
        { name: 'null', type: 'null' },
        { name: 'chat', type: 'slack', apiUrl: { name: 'slack', key: 'url' }, channel: '#alerts' },
        { name: 'pager', type: 'pagerduty', routingKey: { name: 'pd', key: 'key' } },
        { name: 'mail', type: 'email', to: 'ops@example.com', from: 'am@example.com', smarthost: 'smtp.example.com:2525' },
        { name: 'relay', type: 'webhook', url: 'http://relay.ops.svc:8080/hook' },
      ],
      route: { receiver: 'null', routes: [{ receiver: 'chat' }, { receiver: 'pager' }, { receiver: 'mail' }, { receiver: 'relay' }] },
      teams: [{ namespace: 'team-a', receivers: [{ name: 'hook', type: 'webhook', url: 'https://hooks.example.com/alerts' }], route: { receiver: 'hook' } }],
    },
  };
  const m = modelFor(receivers);
  const needed = neededFlows(m);

  test('each receiver integration leads to its URL, its default host when the URL is a Secret, or its smarthost', () => {
    expect(needed.filter((f) => f.need === 'receiver').map((f) => [f.why, f.to.name, f.port])).toEqual([
      ['Alertmanager notifies receiver chat (slack) at https://slack.com/api/chat.postMessage', 'slack.com (outside the cluster, checked as 203.0.113.10)', 443],
      ['Alertmanager notifies receiver pager (pagerduty) at https://events.pagerduty.com/v2/enqueue', 'events.pagerduty.com (outside the cluster, checked as 203.0.113.10)', 443],
      ['Alertmanager notifies receiver mail (email) at smtp.example.com:2525', 'smtp.example.com (outside the cluster, checked as 203.0.113.10)', 2525],
      ['Alertmanager notifies receiver team-a/team-a-routing/hook (webhook) at https://hooks.example.com/alerts', 'hooks.example.com (outside the cluster, checked as 203.0.113.10)', 443],
    ]);
    expect(needed.filter((f) => f.need === 'receiver').every((f) => isAlertmanager(f.from))).toBe(true);
  });

  test('remote write: a host outside the cluster, or an IP literal as it is', () => {
    expect(needed.filter((f) => f.need === 'remote-write').map((f) => [isPrometheus(f.from), f.to.kind, f.to.ip, f.port])).toEqual([
      [true, 'address', '203.0.113.10', 443],
      [true, 'address', '10.1.2.3', 9009],
    ]);
  });

  test('a receiver at a Service the stack does not write cannot be checked: a warning, not a guess', () => {
    expect(analyzeNetworkFlows(m).diagnostics.filter((d) => d.severity === 'warning')).toEqual([expect.objectContaining({
      code: 'policy/flow-unchecked',
      where: expect.stringMatching(/^Alertmanager \S+\/main$/),
      message: expect.stringContaining('receiver relay (webhook) at http://relay.ops.svc:8080/hook, but the policy cannot be checked: Service ops/relay is not part of the stack'),
    })]);
  });

  test('a webhook whose URL is in a Secret has no known port: a warning', () => {
    const config = {
      apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'AlertmanagerConfig',
      metadata: { name: 'secret-hook', namespace: 'team-b' },
      spec: { route: { receiver: 'hook' }, receivers: [{ name: 'hook', webhookConfigs: [{ urlSecret: { name: 'hook', key: 'url' } }] }] },
    };
    const withConfig = modelFor({ extraObjects: [config] });
    expect(analyzeNetworkFlows(withConfig).diagnostics).toEqual([expect.objectContaining({
      severity: 'warning', code: 'policy/flow-unchecked',
      message: expect.stringContaining('receiver team-b/secret-hook/hook (webhook), but the policy cannot be checked: its webhook URL is read from a file (or Secret) at runtime, so its port is unknown'),
    })]);
  });

  test('a receiver its egress blocks is an error whose fix is alertmanager.egress', () => {
    const narrowed = modelFor({ ...receivers, patches: [{ kind: 'NetworkPolicy', name: 'alertmanager-main', ops: [{ op: 'replace', path: '/spec/egress', value: [] }] }] });
    const blocked = errors(narrowed).filter((d) => d.message.includes('receiver chat (slack)'));
    expect(blocked).toEqual([{
      severity: 'error',
      code: 'policy/flow-blocked',
      where: expect.stringMatching(/^NetworkPolicy \S+\/alertmanager-main$/),
      message: expect.stringMatching(/^blocks a flow the stack needs: Alertmanager notifies receiver chat \(slack\) at https:\/\/slack\.com\/api\/chat\.postMessage: Alertmanager \S+\/main -> slack\.com \(outside the cluster, checked as 203\.0\.113\.10\) on 443\/TCP, denied by the egress of Alertmanager \S+\/main: no rule of NetworkPolicy \S+\/alertmanager-main admits it$/),
      fix: expect.stringMatching(/^add the port to alertmanager\.egress \(443\/TCP\); or fix or remove patches\[0\], which narrowed the policy/),
    }]);
  });
});

describe('a narrowed policy blocks what the stack needs', () => {
  test("a patch removing Prometheus' egress rules blocks every scrape, its alerts, DNS and the API server, naming the patch", () => {
    const narrowed = modelFor({ patches: [{ kind: 'NetworkPolicy', name: 'prometheus-k8s', ops: [{ op: 'replace', path: '/spec/egress', value: [] }] }] });
    const blocked = errors(narrowed);
    expect(blocked.length).toBeGreaterThan(10);
    expect(blocked.every((d) => d.code === 'policy/flow-blocked' && /^NetworkPolicy \S+\/prometheus-k8s$/.test(d.where) && d.fix!.startsWith('fix or remove patches[0], which narrowed the policy'))).toBe(true);
    const about = (pattern: RegExp) => blocked.filter((d) => pattern.test(d.message));
    expect(about(/Prometheus scrapes ServiceMonitor \S+\/kube-state-metrics endpoint/)).toHaveLength(2);
    expect(about(/Prometheus sends alerts to Alertmanager/)).toHaveLength(1);
    expect(about(/^blocks a flow the stack needs: Prometheus \S+ resolves names/)).toHaveLength(2);
    expect(about(/^blocks a flow the stack needs: Prometheus \S+ calls the API server/)).toHaveLength(network.apiServer.ports.length);
    // The flows it receives are its ingress: still allowed.
    expect(about(/Grafana queries datasource Prometheus/)).toEqual([]);
  });

  test('analyzeModel reports it: the stack does not render', () => {
    const message = renderError({ patches: [{ kind: 'NetworkPolicy', name: 'prometheus-k8s', ops: [{ op: 'replace', path: '/spec/egress', value: [] }] }] });
    expect(message).toMatch(/NetworkPolicy \S+\/prometheus-k8s: blocks a flow the stack needs: Prometheus scrapes ServiceMonitor/);
  });

  test('an extra deny-all policy in kube-system blocks DNS and the CoreDNS scrape, naming the extra object', () => {
    const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: 'kube-system' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    const blocked = errors(modelFor({ extraObjects: [denyAll] }));
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.every((d) => d.where === 'NetworkPolicy kube-system/deny-all' && d.fix!.startsWith('fix or remove extraObjects[0]'))).toBe(true);
    expect(blocked.filter((d) => /ServiceMonitor \S+\/coredns /.test(d.message))).toEqual([expect.objectContaining({
      message: expect.stringMatching(/-> the cluster DNS pods \(kube-system, k8s-app=kube-dns\) on 9153\/TCP, denied by the ingress of the cluster DNS pods .*: no rule of NetworkPolicy kube-system\/deny-all admits it$/),
    })]);
    expect(blocked.filter((d) => /resolves names \(DNS, UDP\)/.test(d.message)).length).toBeGreaterThan(3);
  });

  test('an extra deny-all policy in the stack namespace blocks nothing: policies add up', () => {
    const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: model.values.common.namespace }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    expect(errors(modelFor({ extraObjects: [denyAll] }))).toEqual([]);
  });

  test("a replacement of Alertmanager's policy that denies all blocks its gossip and the alerts it receives", () => {
    const ns = model.values.common.namespace;
    const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'alertmanager-main', namespace: ns }, spec: { podSelector: { matchLabels: { alertmanager: 'main' } }, policyTypes: ['Ingress', 'Egress'] } };
    const blocked = errors(modelFor({ replacementObjects: [denyAll] }));
    const about = (pattern: RegExp) => blocked.filter((d) => pattern.test(d.message));
    expect(about(/replicas gossip/)).toHaveLength(2);
    expect(about(/Prometheus sends alerts to Alertmanager/)).toEqual([expect.objectContaining({
      where: `NetworkPolicy ${ns}/alertmanager-main`,
      message: expect.stringContaining('denied by the ingress of Alertmanager'),
      fix: expect.stringMatching(/^fix or remove replacementObjects\[0\]/),
    })]);
  });
});

// What the least-egress policies (one per component, built from common.network) deny. These hold once every
// component writes its own egress rules instead of `egress: [{}]`.
describe('least egress', () => {
  const policies = policySet(model.objects.map((o) => o.manifest));
  const endpoint = (pattern: RegExp): FlowEndpoint => {
    const found = flows.find((f) => named(pattern)(f.from))?.from ?? flows.find((f) => named(pattern)(f.to))?.to;
    if (!found) throw new Error(`no needed flow names ${pattern}`);
    return found;
  };
  const outside: FlowEndpoint = { kind: 'address', ip: '203.0.113.10', name: 'a host outside the cluster' };
  const allowed = (from: FlowEndpoint, to: FlowEndpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => evaluateFlow({ from, to, port, protocol }, policies).allowed;

  test('Grafana cannot reach the internet on port 80', () => {
    expect(allowed(endpoint(/^Deployment \S+\/grafana$/), outside, 80)).toBe(false);
  });

  test('Alertmanager cannot send mail (port 25) to the internet by default', () => {
    expect(allowed(endpoint(/^Alertmanager \S+\/main$/), outside, 25)).toBe(false);
  });

  test('kube-state-metrics cannot reach Prometheus', () => {
    expect(allowed(endpoint(/^Deployment \S+\/kube-state-metrics$/), endpoint(/^Prometheus \S+\/k8s$/), 9090)).toBe(false);
  });

  test('no pod of another namespace reaches kube-state-metrics', () => {
    const stranger: PodEndpoint = { kind: 'pod', namespace: 'shop', labels: { app: 'api' } };
    const ksm = endpoint(/^Deployment \S+\/kube-state-metrics$/);
    for (const port of [8443, ...flows.filter((f) => f.to === ksm).map((f) => f.port)]) expect(allowed(stranger, ksm, port)).toBe(false);
  });
});

describe('nothing else: every rule of every policy the default stack writes lets a needed flow through', () => {
  // Removing any one rule (a patch) must block a flow the stack needs: a rule no flow needs is an open door.
  // node-exporter's policy is left out: it selects host-network pods, which CNIs mostly do not hold to policies.
  const rules = model.objects.filter((o) => o.manifest.kind === 'NetworkPolicy' && o.manifest.metadata.name !== 'node-exporter').flatMap((o) => (['ingress', 'egress'] as const).flatMap((direction) =>
    ((o.manifest.spec as Record<string, unknown[]>)[direction] ?? []).map((_, i) => ({ policy: o.manifest.metadata.name, component: o.component, direction, i }))));

  test.each(rules.map((r) => [`${r.policy} ${r.direction}[${r.i}]`, r] as const))('%s', (_title, r) => {
    const patches = [{ kind: 'NetworkPolicy', name: r.policy, component: r.component, ops: [{ op: 'remove' as const, path: `/spec/${r.direction}/${r.i}` }] }];
    expect(errors(modelFor({ patches })).map((d) => d.code)).toContain('policy/flow-blocked');
  });

  test('there are rules to check', () => {
    expect(rules.length).toBeGreaterThan(10);
  });
});
