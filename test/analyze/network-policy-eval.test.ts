// NetworkPolicy semantics, rule by rule: GIVEN policies and two endpoints WHEN a flow is evaluated THEN allowed or not,
// and by which policies. Each rule has an allowed and a denied case.
import type { KubernetesObject } from '../../src/core/primitives';
import { addressInside, cidrContains, evaluateFlow, parseAddress, policySet, type Flow, type FlowEndpoint, type PodEndpoint, type Protocol } from '../../src/analyze/network-policy-eval';

type Json = Record<string, unknown>;

const policy = (namespace: string, name: string, spec: Json): KubernetesObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const namespace = (name: string, labels: Record<string, string> = {}): KubernetesObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (ns: string, labels: Record<string, string>, extra: Partial<PodEndpoint> = {}): PodEndpoint => ({ kind: 'pod', namespace: ns, labels, ...extra });
const address = (ip: string): FlowEndpoint => ({ kind: 'address', ip });
const flow = (from: FlowEndpoint, to: FlowEndpoint, port: number, protocol: Protocol = 'TCP'): Flow => ({ from, to, port, protocol });

const app = pod('shop', { app: 'api' });
const web = pod('shop', { app: 'web' });
const db = pod('shop', { app: 'db' }, { ports: [{ name: 'pg', containerPort: 5432 }, { name: 'metrics', containerPort: 9187 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] });
const prometheus = pod('monitoring', { app: 'prometheus' });
const other = pod('team-b', { app: 'api' });
const namespaces = [namespace('shop', { team: 'shop' }), namespace('monitoring', { team: 'platform' }), namespace('team-b', { team: 'b' })];

/** Only ingress to db is restricted, by one policy with one rule. */
const dbIngress = (rule: Json) => policySet([...namespaces, policy('shop', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [rule] })]);
/** Only egress of app is restricted, by one policy with one rule. */
const appEgress = (rule: Json) => policySet([...namespaces, policy('shop', 'api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [rule] })]);

interface Case {
  readonly rule: string;
  readonly policies: ReturnType<typeof policySet>;
  readonly allowed: Flow;
  readonly denied: Flow;
}

const cases: Case[] = [
  { rule: 'podSelector alone: pods of the policy namespace', policies: dbIngress({ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }), allowed: flow(app, db, 5432), denied: flow(other, db, 5432) },
  { rule: 'namespaceSelector alone: every pod of the selected namespaces', policies: dbIngress({ from: [{ namespaceSelector: { matchLabels: { team: 'platform' } } }] }), allowed: flow(prometheus, db, 5432), denied: flow(app, db, 5432) },
  {
    rule: 'both selectors in one peer: AND',
    policies: dbIngress({ from: [{ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { app: 'api' } } }] }),
    allowed: flow(other, db, 5432),
    denied: flow(pod('team-b', { app: 'worker' }), db, 5432),
  },
  {
    rule: 'separate peers: OR',
    policies: dbIngress({ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { app: 'api' } } }] }),
    allowed: flow(pod('team-b', { app: 'worker' }), db, 5432),
    denied: flow(pod('monitoring', { app: 'api' }), db, 5432),
  },
  { rule: 'the automatic kubernetes.io/metadata.name label, also of namespaces not among the objects', policies: dbIngress({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }), allowed: flow(pod('ingress-nginx', { any: 'x' }), db, 5432), denied: flow(other, db, 5432) },
  {
    rule: 'matchExpressions: In, NotIn, Exists, DoesNotExist',
    policies: dbIngress({ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'web'] }, { key: 'tier', operator: 'NotIn', values: ['batch'] }, { key: 'app', operator: 'Exists' }, { key: 'debug', operator: 'DoesNotExist' }] } }] }),
    allowed: flow(pod('shop', { app: 'web', tier: 'front' }), db, 5432),
    denied: flow(pod('shop', { app: 'web', debug: 'true' }), db, 5432),
  },
  { rule: 'an empty podSelector {} selects every pod of the namespace', policies: dbIngress({ from: [{ podSelector: {} }] }), allowed: flow(web, db, 5432), denied: flow(other, db, 5432) },
  { rule: 'no from: every source; a ports list: only those ports', policies: dbIngress({ ports: [{ port: 5432 }] }), allowed: flow(other, db, 5432), denied: flow(other, db, 9187) },
  { rule: 'no ports: every port; a from list: only those peers', policies: dbIngress({ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }), allowed: flow(app, db, 9187), denied: flow(web, db, 9187) },
  { rule: 'a named port resolves against the destination pod', policies: dbIngress({ ports: [{ port: 'metrics' }] }), allowed: flow(app, db, 9187), denied: flow(app, db, 5432) },
  { rule: 'a named port needs the same protocol', policies: dbIngress({ ports: [{ port: 'dns', protocol: 'UDP' }] }), allowed: flow(app, db, 53, 'UDP'), denied: flow(app, db, 53, 'TCP') },
  { rule: 'a named port in an egress rule resolves against the destination', policies: appEgress({ ports: [{ port: 'pg' }] }), allowed: flow(app, db, 5432), denied: flow(app, address('203.0.113.10'), 5432) },
  { rule: 'endPort: a range', policies: dbIngress({ ports: [{ port: 5000, endPort: 6000 }] }), allowed: flow(app, db, 6000), denied: flow(app, db, 6001) },
  { rule: 'protocol defaults to TCP', policies: dbIngress({ ports: [{ port: 53 }] }), allowed: flow(app, db, 53, 'TCP'), denied: flow(app, db, 53, 'UDP') },
  { rule: 'UDP only when said', policies: dbIngress({ ports: [{ port: 53, protocol: 'UDP' }] }), allowed: flow(app, db, 53, 'UDP'), denied: flow(app, db, 53, 'TCP') },
  { rule: 'ipBlock: addresses in the CIDR', policies: appEgress({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }), allowed: flow(app, address('10.1.2.3'), 443), denied: flow(app, address('11.0.0.1'), 443) },
  { rule: 'ipBlock except', policies: appEgress({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }), allowed: flow(app, address('203.0.113.10'), 443), denied: flow(app, address('10.96.0.1'), 443) },
  { rule: 'ipBlock: IPv6', policies: appEgress({ to: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:ffff::/48'] } }] }), allowed: flow(app, address('2001:db8:1::5'), 443), denied: flow(app, address('2001:db8:ffff::5'), 443) },
  { rule: 'ipBlock matches a pod by its IP when it has one', policies: dbIngress({ from: [{ ipBlock: { cidr: '10.244.0.0/16' } }] }), allowed: flow(pod('shop', { app: 'x' }, { ip: '10.244.1.7' }), db, 5432), denied: flow(pod('shop', { app: 'x' }), db, 5432) },
  { rule: 'podSelector peers never match an address', policies: appEgress({ to: [{ podSelector: {} }] }), allowed: flow(app, db, 5432), denied: flow(app, address('10.0.0.5'), 5432) },
  {
    rule: 'a host-network pod is seen by its node address: podSelector peers never match it, ipBlocks do',
    policies: dbIngress({ from: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }),
    allowed: flow(pod('shop', { app: 'api' }, { hostNetwork: true, ip: '10.0.0.5' }), db, 5432),
    denied: flow(pod('shop', { app: 'api' }, { hostNetwork: true }), db, 5432),
  },
  {
    rule: 'host-network pods: podSelector peers do not match them even when their labels would',
    policies: dbIngress({ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }),
    allowed: flow(app, db, 5432),
    denied: flow(pod('shop', { app: 'api' }, { hostNetwork: true, ip: '10.0.0.5' }), db, 5432),
  },
];

describe('each rule, one allowed and one denied flow', () => {
  test.each(cases)('$rule', ({ policies, allowed, denied }) => {
    expect(evaluateFlow(allowed, policies).allowed).toBe(true);
    expect(evaluateFlow(denied, policies).allowed).toBe(false);
  });
});

describe('policyTypes and directions', () => {
  test('policyTypes default to Ingress: a policy without an egress field leaves egress open', () => {
    const set = policySet([policy('shop', 'api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [] })]);
    expect(evaluateFlow(flow(app, address('203.0.113.10'), 443), set)).toEqual({
      allowed: true,
      egress: { allowed: true, reason: 'no-policy', decidedBy: [] },
      ingress: { allowed: true, reason: 'address', decidedBy: [] },
    });
    expect(evaluateFlow(flow(web, app, 8080), set)).toEqual({
      allowed: false,
      egress: { allowed: true, reason: 'no-policy', decidedBy: [] },
      ingress: { allowed: false, reason: 'denied', decidedBy: ['shop/api'] },
    });
  });

  test('policyTypes default to Ingress and Egress when the spec has an egress field', () => {
    const set = policySet([policy('shop', 'api', { podSelector: { matchLabels: { app: 'api' } }, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })]);
    expect(evaluateFlow(flow(app, address('10.0.0.10'), 53, 'UDP'), set).allowed).toBe(true);
    expect(evaluateFlow(flow(app, address('203.0.113.10'), 443), set).egress).toEqual({ allowed: false, reason: 'denied', decidedBy: ['shop/api'] });
    // ... and the ingress field is missing: every ingress is denied.
    expect(evaluateFlow(flow(web, app, 8080), set).ingress).toEqual({ allowed: false, reason: 'denied', decidedBy: ['shop/api'] });
  });

  test('an egress-only policy leaves ingress open', () => {
    const set = appEgress({ to: [{ podSelector: { matchLabels: { app: 'db' } } }] });
    expect(evaluateFlow(flow(other, app, 8080), set).ingress).toEqual({ allowed: true, reason: 'no-policy', decidedBy: [] });
    expect(evaluateFlow(flow(app, other, 8080), set).egress).toEqual({ allowed: false, reason: 'denied', decidedBy: ['shop/api'] });
  });

  test('a default-deny policy {podSelector: {}, policyTypes: [Ingress, Egress]} denies both ways, for every pod of its namespace only', () => {
    const set = policySet([policy('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
    const both = evaluateFlow(flow(app, web, 80), set);
    expect(both).toEqual({
      allowed: false,
      egress: { allowed: false, reason: 'denied', decidedBy: ['shop/default-deny'] },
      ingress: { allowed: false, reason: 'denied', decidedBy: ['shop/default-deny'] },
    });
    expect(evaluateFlow(flow(other, prometheus, 9090), set).allowed).toBe(true);
  });

  test('policies add up: any one that admits the flow allows it, and is named', () => {
    const set = policySet([
      policy('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('shop', 'db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] }] }),
      policy('shop', 'api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }),
    ]);
    expect(evaluateFlow(flow(app, db, 5432), set)).toEqual({
      allowed: true,
      egress: { allowed: true, reason: 'admitted', decidedBy: ['shop/api'] },
      ingress: { allowed: true, reason: 'admitted', decidedBy: ['shop/db'] },
    });
    expect(evaluateFlow(flow(app, db, 9187), set).ingress).toEqual({ allowed: false, reason: 'denied', decidedBy: ['shop/default-deny', 'shop/db'] });
  });

  test('a policy selects pods of its own namespace only', () => {
    const set = policySet([policy('team-b', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })]);
    expect(evaluateFlow(flow(other, db, 5432), set).allowed).toBe(true);
    expect(evaluateFlow(flow(db, other, 8080), set).allowed).toBe(false);
  });

  test('policies do not apply to host-network pods, either way', () => {
    const set = policySet([policy('monitoring', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
    const nodeExporter = pod('monitoring', { app: 'node-exporter' }, { hostNetwork: true, ip: '10.0.0.5' });
    expect(evaluateFlow(flow(app, nodeExporter, 9100), set).ingress).toEqual({ allowed: true, reason: 'host-network', decidedBy: [] });
    expect(evaluateFlow(flow(nodeExporter, address('203.0.113.10'), 443), set).egress).toEqual({ allowed: true, reason: 'host-network', decidedBy: [] });
    expect(evaluateFlow(flow(prometheus, nodeExporter, 9100), set).egress.allowed).toBe(false);
  });

  test('addresses have no policies', () => {
    expect(evaluateFlow(flow(address('10.0.0.5'), address('10.0.0.6'), 22), policySet([])).allowed).toBe(true);
  });
});

describe('addresses', () => {
  test('IPv4 and IPv6 CIDRs contain addresses of their own family only', () => {
    expect(cidrContains('10.0.0.0/8', '10.255.255.255')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '11.0.0.0')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '203.0.113.10')).toBe(true);
    expect(cidrContains('::/0', '203.0.113.10')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '2001:db8::1')).toBe(false);
    expect(cidrContains('2001:db8::/32', '2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(true);
    expect(cidrContains('::ffff:0:0/96', '::ffff:10.0.0.1')).toBe(true);
    expect(cidrContains('10.0.0.5/32', '10.0.0.5')).toBe(true);
    expect(cidrContains('10.0.0.5', '10.0.0.5')).toBe(true);
    expect(cidrContains('10.0.0.0/33', '10.0.0.1')).toBe(false);
    expect(parseAddress('10.0.0.256')).toBeUndefined();
    expect(parseAddress('1::2::3')).toBeUndefined();
  });

  test('a representative address lies inside the CIDRs and outside the ones to avoid', () => {
    expect(addressInside(['0.0.0.0/0'], [], ['10.0.0.5'])).toBe('10.0.0.5');
    expect(addressInside(['0.0.0.0/0'], ['10.0.0.0/8'], ['10.0.0.5', '172.16.0.5'])).toBe('172.16.0.5');
    expect(addressInside(['192.168.1.0/24'], [], ['10.0.0.5'])).toBe('192.168.1.5');
    expect(addressInside(['2001:db8::/64'], [])).toBe('2001:db8:0:0:0:0:0:5');
    expect(addressInside(['10.0.0.0/8'], ['10.0.0.0/8'])).toBeUndefined();
  });
});
