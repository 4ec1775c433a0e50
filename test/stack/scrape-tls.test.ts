// Authenticated, encrypted scrapes of the exporters, with the proxies' own certificates or cert-manager's.
import { at, find, render } from '../helpers';

const PROXIED = [['node-exporter', 'monitoring-node'], ['kube-state-metrics', 'monitoring'], ['prometheus-operator', 'monitoring']] as const;

describe('scrapes of the exporters', () => {
  test('by default: TLS to each proxy with Prometheus\' token, the self-signed certificates not verified', () => {
    const stack = render({});
    for (const [name, namespace] of PROXIED) {
      const monitor = find(stack, 'ServiceMonitor', name);
      expect([name, monitor.metadata.namespace]).toEqual([name, namespace]);
      for (const endpoint of at(monitor, 'spec.endpoints') as Array<Record<string, unknown>>) {
        expect(endpoint).toMatchObject({ scheme: 'https', bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token', tlsConfig: { insecureSkipVerify: true } });
      }
    }
    expect(stack.objects.filter((o) => o.manifest.kind === 'Certificate')).toEqual([]);
    // Prometheus may `get` /metrics: what each proxy's SubjectAccessReview asks.
    expect(at(find(stack, 'ClusterRole', 'prometheus-k8s'), 'rules')).toContainEqual({ nonResourceURLs: ['/metrics', '/metrics/cadvisor', '/metrics/probes'], verbs: ['get'] });
  });

  test('with cert-manager: a Certificate per exporter, verified by CA and Service name; the issuer is a prerequisite, its Secrets are not', () => {
    const stack = render({ common: { scrapeTls: { certManager: { issuer: { name: 'internal-ca', kind: 'ClusterIssuer' } } } } });
    for (const [name, namespace] of PROXIED) {
      const certificate = find(stack, 'Certificate', name);
      expect(certificate.metadata.namespace).toBe(namespace);
      expect(at(certificate, 'spec.secretName')).toBe(`${name}-tls`);
      for (const endpoint of at(find(stack, 'ServiceMonitor', name), 'spec.endpoints') as Array<Record<string, unknown>>) {
        expect(endpoint.tlsConfig).toEqual({ ca: { secret: { name: `${name}-tls`, key: 'ca.crt' } }, serverName: `${name}.${namespace}.svc` });
      }
    }
    const summary = stack.reports.join('\n');
    expect(summary).toContain('ClusterIssuer `internal-ca`');
    expect(summary).not.toContain('| `monitoring` | `kube-state-metrics-tls` |');
    expect(summary).toContain('verified with CA from Secret `monitoring-node/node-exporter-tls` key `ca.crt`, serverName `node-exporter.monitoring-node.svc`');
  });
});
