// Least egress as written: each component's NetworkPolicy names where it may go, from the stack's own wiring and
// `common.network`; receivers and remote write by their URLs; everything else denied.
import { defineStack, type StackValues } from '../../src';
import { renderStack } from '../../src/synth/pipeline';
import type { Receiver } from '../../src/alerting/types';
import { Testing } from 'cdk8s';
import { networkPolicy } from '../../src/k8s/objects';
import { OPERATOR_POD_SELECTORS } from '../../src/k8s/names';
import { at, find, render, renderError } from '../helpers';

type Rule = { to?: Array<Record<string, unknown>>; ports?: Array<{ port: number; protocol: string }> };
const egressOf = (stack: ReturnType<typeof render>, name: string) => at(find(stack, 'NetworkPolicy', name), 'spec.egress') as Rule[];
const portsOf = (rules: Rule[]) => rules.flatMap((r) => (r.ports ?? []).map((p) => `${p.port}/${p.protocol}`));

describe('least egress', () => {
  const stack = render({ common: { network: { clusterCidrs: ['10.244.0.0/16', '10.96.0.0/12'], apiServer: { cidrs: ['192.168.10.0/24'], ports: [6443] } } } });

  test('an allowance that names nobody lets nobody through (an empty peer list would let everybody)', () => {
    const chart = Testing.chart();
    networkPolicy(chart, { name: 'p', namespace: 'monitoring', labels: {} }, { app: 'x' }, {
      ingress: [{ cidrs: [], ports: [{ port: 8080 }] }, { pods: [{ app: 'y' }], ports: [{ port: 9090 }] }],
      egress: [{ namespaces: [], ports: [] }],
    });
    const [policy] = Testing.synth(chart);
    expect(at(policy, 'spec.ingress')).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'y' } } }], ports: [{ port: 9090, protocol: 'TCP' }] }]);
    expect(at(policy, 'spec.egress') ?? []).toEqual([]);
    expect(at(policy, 'spec.policyTypes')).toEqual(['Ingress', 'Egress']);
  });

  test('no policy of the stack allows all egress', () => {
    for (const policy of stack.objects.filter((o) => o.manifest.kind === 'NetworkPolicy')) {
      const egress = at(policy.manifest, 'spec.egress') as Rule[];
      expect([policy.manifest.metadata.name, egress.some((r) => !r.to?.length && !r.ports?.length)]).toEqual([policy.manifest.metadata.name, false]);
      expect(at(policy.manifest, 'spec.policyTypes')).toEqual(['Ingress', 'Egress']);
    }
  });

  test('the operator and kube-state-metrics reach DNS and the API server where common.network says, nothing else', () => {
    for (const name of ['prometheus-operator', 'kube-state-metrics']) {
      expect(egressOf(stack, name)).toEqual([
        { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }] },
        { ports: [{ port: 6443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '192.168.10.0/24' } }] },
      ]);
    }
  });

  test('"anywhere" leaves out the cluster\'s own CIDRs, of the same address family', () => {
    const nodeRule = egressOf(stack, 'prometheus-k8s').find((r) => portsOf([r]).includes('10250/TCP'))!;
    expect(nodeRule.to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16', '10.96.0.0/12'] } },
      { ipBlock: { cidr: '::/0' } },
    ]);
    expect(portsOf([nodeRule])).toEqual(['9100/TCP', '10250/TCP']);
  });

  test('Grafana reaches Prometheus, Alertmanager (its datasources), DNS and the API server (its sidecar) only', () => {
    const rules = egressOf(stack, 'grafana');
    expect(rules.map((r) => portsOf([r]))).toEqual([['53/UDP', '53/TCP'], ['6443/TCP'], ['9090/TCP'], ['9093/TCP']]);
    expect(rules[2].to).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'prometheus-operator', prometheus: 'k8s' } } }]);
    expect(rules[3].to).toEqual([{ podSelector: { matchLabels: { ...OPERATOR_POD_SELECTORS.alertmanager } } }]);
  });

  test('Alertmanager with only the null receiver reaches DNS and its peers, nothing else', () => {
    expect(portsOf(egressOf(stack, 'alertmanager-main'))).toEqual(['53/UDP', '53/TCP', '9094/TCP', '9094/UDP']);
  });

  test('Alertmanager: gossip with its peers, receivers by URL, HTTPS outside the cluster for a receiver out there', () => {
    const receivers: Receiver[] = [
      { name: 'null', type: 'null' },
      { name: 'ip', type: 'webhook', url: 'http://192.0.2.7:8080/alerts' },
      { name: 'in-cluster', type: 'webhook', url: 'http://relay.ops.svc:9000/hook' },
      { name: 'chat', type: 'webhook', url: 'https://hooks.example.com/alerts' },
    ];
    const rules = egressOf(render({ alertmanager: { receivers } }), 'alertmanager-main');
    expect(rules).toEqual(expect.arrayContaining([
      { ports: [{ port: 9094, protocol: 'TCP' }, { port: 9094, protocol: 'UDP' }], to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'alertmanager', alertmanager: 'main' } } }] },
      { ports: [{ port: 8080, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '192.0.2.7/32' } }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } }] },
      { ports: [{ port: 443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }] },
    ]));
    expect(portsOf(rules)).not.toContain('25/TCP');
  });

  test('a receiver on a port alertmanager.egress does not allow is an error naming the setting; listing the port fixes it', () => {
    const mail: Receiver = { name: 'mail', type: 'email', to: 'ops@example.com', from: 'am@example.com', smarthost: 'smtp.example.com:587' };
    const alertmanager = { receivers: [{ name: 'null', type: 'null' } as Receiver, mail], route: { receiver: 'mail' } };
    const message = renderError({ alertmanager });
    expect(message).toContain('Alertmanager notifies receiver mail');
    expect(message).toContain('smtp.example.com');
    expect(message).toContain('add the port to alertmanager.egress (587/TCP)');
    const allowed = render({ alertmanager: { ...alertmanager, egress: [{ ports: [443, 587] }] } });
    expect(portsOf(egressOf(allowed, 'alertmanager-main'))).toContain('587/TCP');
  });

  test('a receiver added in code after the constructor is let through too', () => {
    const stack = renderStack({
      definition: defineStack({}, (s) => s.alertmanager!.addReceiver({ name: 'late', type: 'webhook', url: 'http://198.51.100.9:7000/' })),
      name: 'late', source: 'stacks/late.ts',
    });
    expect(egressOf(stack, 'alertmanager-main')).toContainEqual({ ports: [{ port: 7000, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '198.51.100.9/32' } }] });
  });

  test('Prometheus reaches its remote-write endpoints by URL, and pods of the cluster for scrapes', () => {
    const rules = egressOf(render({ prometheus: { remoteWrite: [{ url: 'https://metrics.example.com:8443/api/v1/write' }, { url: 'http://192.0.2.50:9201/write' }] } }), 'prometheus-k8s');
    expect(rules).toEqual(expect.arrayContaining([
      { to: [{ namespaceSelector: {} }] },
      { ports: [{ port: 8443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }] },
      { ports: [{ port: 9201, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '192.0.2.50/32' } }] },
    ]));
  });

  test('SUMMARY.md says which egress is "any address" for want of common.network, and stops once it is given', () => {
    const assumed = render({}).reports.join('\n');
    expect(assumed).toContain('Assumed, for want of `common.network`');
    expect(assumed).toContain('The API server is *any address* on 443, 6443');
    expect(assumed).toContain('The nodes are *any address*');
    const given = render({ common: { network: { apiServer: { cidrs: ['192.168.10.0/24'] }, nodeCidrs: ['192.168.10.0/24'], clusterCidrs: ['10.244.0.0/16'] } } }).reports.join('\n');
    expect(given).not.toContain('Assumed, for want of `common.network`');
  });

  test('common.network is checked: CIDRs, ports, the DNS namespace', () => {
    const message = renderError({ common: { network: { nodeCidrs: ['10.0.0.0/33', 'nonsense'], apiServer: { ports: [0] }, dns: { namespace: 'Kube_System' } } } });
    expect(message).toContain("common.network.nodeCidrs[0]: '10.0.0.0/33' has a prefix longer than 32");
    expect(message).toContain("common.network.nodeCidrs[1]: 'nonsense' is not address/prefix");
    expect(message).toContain('common.network.apiServer.ports[0]: 0 is not a port number');
    expect(message).toContain("common.network.dns.namespace: 'Kube_System' is not a namespace name");
    expect(renderError({ alertmanager: { egress: [{ ports: [], cidrs: ['300.1.1.1/8'] }] } })).toContain("alertmanager.egress[0].cidrs[0]: '300.1.1.1/8' has no valid IPv4 address");
  });
});

describe('images by digest', () => {
  const digest = `sha256:${'a'.repeat(64)}`;

  test('a digest pins the image as repository:tag@digest', () => {
    const stack = render({ common: { images: { grafana: { digest } } } });
    const image = (at(find(stack, 'Deployment', 'grafana'), 'spec.template.spec.containers.0.image')) as string;
    expect(image).toBe(`docker.io/grafana/grafana:13.1.3@${digest}`);
  });

  test('a malformed digest is an error', () => {
    expect(renderError({ common: { images: { grafana: { digest: 'sha256:abc' } } } })).toContain("common.images.grafana.digest: 'sha256:abc' is not a sha256 digest");
  });

  test('--strict warns about every image pinned by tag only, and not about one with a digest', () => {
    const strict = (values: StackValues) =>
      renderStack({ definition: defineStack(values), name: 'test', source: 'stacks/test.ts' }, { strict: true }).warnings.filter((w) => w.code === 'policy/image-digest');
    const warnings = strict({});
    expect(warnings.map((w) => w.where)).toEqual(expect.arrayContaining(['Deployment monitoring/grafana › container grafana', 'Prometheus monitoring/k8s › spec.image']));
    expect(strict({ common: { images: { grafana: { digest } } } }).map((w) => w.where)).not.toContain('Deployment monitoring/grafana › container grafana');
    expect(render({}).warnings.filter((w) => w.code === 'policy/image-digest')).toEqual([]);
  });
});
