import { at, find, objectsOf, render } from '../helpers';

describe('control-plane component', () => {
  const stack = render();

  test('scrapes kubelet, cAdvisor at /metrics/cadvisor and probes, as job kubelet', () => {
    const kubelet = find(stack, 'ServiceMonitor', 'kubelet');
    expect(at(kubelet, 'spec.jobLabel')).toBe('app.kubernetes.io/name');
    expect(at(kubelet, 'spec.selector.matchLabels')).toEqual({ 'app.kubernetes.io/name': 'kubelet' });
    expect((at(kubelet, 'spec.endpoints') as Array<{ path: string }>).map((e) => e.path)).toEqual(['/metrics', '/metrics/cadvisor', '/metrics/probes']);
    expect(at(kubelet, 'spec.endpoints.1.honorTimestamps')).toBe(false);
  });

  test('keeps the metrics path as a label so kubelet and cAdvisor series stay apart', () => {
    expect(at(find(stack, 'ServiceMonitor', 'kubelet'), 'spec.endpoints.1.relabelings')).toEqual([
      { action: 'replace', sourceLabels: ['__metrics_path__'], targetLabel: 'metrics_path' },
    ]);
  });

  test('scrapes the API server over TLS with the cluster CA, as job apiserver', () => {
    const apiserver = find(stack, 'ServiceMonitor', 'kube-apiserver');
    expect(at(apiserver, 'spec.jobLabel')).toBe('component');
    expect(at(apiserver, 'spec.selector.matchLabels')).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(at(apiserver, 'spec.endpoints.0.tlsConfig')).toEqual({ caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt', serverName: 'kubernetes' });
  });

  test('scrapes CoreDNS as job coredns, whatever its Service is called', () => {
    const coredns = find(stack, 'ServiceMonitor', 'coredns');
    expect(at(coredns, 'spec.namespaceSelector')).toEqual({ matchNames: ['kube-system'] });
    expect(at(coredns, 'spec.endpoints.0.relabelings')).toEqual([{ action: 'replace', replacement: 'coredns', targetLabel: 'job' }]);
  });

  test('each monitor can be switched off, and cAdvisor on its own', () => {
    const partial = render({
      controlPlane: { kubelet: { cadvisor: false }, apiserver: { enabled: false }, coreDns: { enabled: false }, kubeScheduler: { enabled: false }, kubeControllerManager: { enabled: false } },
    });
    expect(objectsOf(partial, 'control-plane').filter((o) => o.manifest.kind === 'ServiceMonitor').map((o) => o.manifest.metadata.name)).toEqual(['kubelet']);
    expect((at(find(partial, 'ServiceMonitor', 'kubelet'), 'spec.endpoints') as Array<{ path: string }>).map((e) => e.path)).toEqual(['/metrics', '/metrics/probes']);
  });

  test('scrapes kube-scheduler and kube-controller-manager over HTTPS, as jobs named after them', () => {
    for (const name of ['kube-scheduler', 'kube-controller-manager']) {
      const monitor = find(stack, 'ServiceMonitor', name);
      expect(at(monitor, 'spec.selector.matchLabels')).toEqual({ 'app.kubernetes.io/name': name });
      expect(at(monitor, 'spec.jobLabel')).toBe('app.kubernetes.io/name');
      expect(at(monitor, 'spec.endpoints.0')).toMatchObject({ port: 'https-metrics', scheme: 'https' });
    }
  });

  test('matches its snapshot', () => {
    // Rules and dashboards have their own tests and snapshots; this one covers the component's other objects.
    expect(objectsOf(stack, 'control-plane').filter((o) => o.manifest.kind !== 'PrometheusRule' && at(o.manifest, 'metadata.labels')?.['app.kubernetes.io/component' as never] !== 'dashboard').map((o) => o.manifest)).toMatchSnapshot();
  });
});
