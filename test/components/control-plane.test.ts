import { Testing } from 'cdk8s';
import { CONTROL_PLANE_DEFAULTS, ControlPlane } from '../../src/components/control-plane';
import { KubeStateMetrics } from '../../src/components/kube-state-metrics';
import { Prometheus } from '../../src/components/prometheus';
import { isAlert } from '../../src/rules/types';
import { neededFlows } from '../../src/analyze/network-flows';
import { at, find, render } from '../helpers';
import { controlPlaneProps, kubeStateMetricsProps, only, prometheusProps, synth } from './props';

describe('control-plane component', () => {
  const objects = synth((chart) => new ControlPlane(chart, 'control-plane', controlPlaneProps()));

  test('scrapes kubelet, cAdvisor at /metrics/cadvisor and probes, as job kubelet', () => {
    const kubelet = only(objects, 'ServiceMonitor', 'kubelet');
    expect(at(kubelet, 'spec.jobLabel')).toBe('app.kubernetes.io/name');
    expect(at(kubelet, 'spec.selector.matchLabels')).toEqual({ 'app.kubernetes.io/name': 'kubelet' });
    expect((at(kubelet, 'spec.endpoints') as Array<{ path: string }>).map((e) => e.path)).toEqual(['/metrics', '/metrics/cadvisor', '/metrics/probes']);
    expect(at(kubelet, 'spec.endpoints.1.honorTimestamps')).toBe(false);
  });

  test('checks the kubelets\' certificates against the cluster CA only when told they are signed by it', () => {
    const tlsOf = (manifests: typeof objects) => (at(only(manifests, 'ServiceMonitor', 'kubelet'), 'spec.endpoints') as Array<{ tlsConfig: unknown }>).map((e) => e.tlsConfig);
    expect(new Set(tlsOf(objects).map((t) => JSON.stringify(t)))).toEqual(new Set([JSON.stringify({ insecureSkipVerify: true })]));
    const verified = synth((chart) => new ControlPlane(chart, 'control-plane', controlPlaneProps({ kubelet: { enabled: true, cadvisor: true, probes: true, verifyTls: true } })));
    expect(new Set(tlsOf(verified).map((t) => JSON.stringify(t)))).toEqual(new Set([JSON.stringify({ caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' })]));
  });

  test('keeps the metrics path as a label so kubelet and cAdvisor series stay apart', () => {
    expect(at(only(objects, 'ServiceMonitor', 'kubelet'), 'spec.endpoints.1.relabelings')).toEqual([
      { action: 'replace', sourceLabels: ['__metrics_path__'], targetLabel: 'metrics_path' },
    ]);
  });

  test('scrapes the API server over TLS with the cluster CA, as job apiserver', () => {
    const apiserver = only(objects, 'ServiceMonitor', 'kube-apiserver');
    expect(at(apiserver, 'spec.jobLabel')).toBe('component');
    expect(at(apiserver, 'spec.selector.matchLabels')).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(at(apiserver, 'spec.endpoints.0.tlsConfig')).toEqual({ caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt', serverName: 'kubernetes' });
  });

  test('scrapes CoreDNS as job coredns, whatever its Service is called', () => {
    const coredns = only(objects, 'ServiceMonitor', 'coredns');
    expect(at(coredns, 'spec.namespaceSelector')).toEqual({ matchNames: ['kube-system'] });
    expect(at(coredns, 'spec.endpoints.0.relabelings')).toEqual([{ action: 'replace', replacement: 'coredns', targetLabel: 'job' }]);
  });

  test('each monitor can be switched off, and cAdvisor on its own; their rules and dashboards go with them', () => {
    const props = controlPlaneProps({
      kubelet: { enabled: true, cadvisor: false, probes: true, verifyTls: false },
      apiserver: { enabled: false }, coreDns: { ...controlPlaneProps().coreDns, enabled: false }, kubeScheduler: { enabled: false }, kubeControllerManager: { enabled: false },
    });
    let partial: ControlPlane | undefined;
    const manifests = synth((chart) => { partial = new ControlPlane(chart, 'control-plane', props); });
    expect(manifests.filter((m) => m.kind === 'ServiceMonitor').map((m) => m.metadata.name)).toEqual(['kubelet']);
    expect((at(only(manifests, 'ServiceMonitor', 'kubelet'), 'spec.endpoints') as Array<{ path: string }>).map((e) => e.path)).toEqual(['/metrics', '/metrics/probes']);
    const groups = partial!.ruleSources.flatMap((s) => s.groups.map((g) => g.name));
    expect(groups).not.toContain('kube-apiserver-burnrate.rules');
    expect(groups).not.toContain('kube-scheduler.rules');
    expect(partial!.dashboards.map((d) => d.json.uid)).not.toContain('o11y-k8s-apiserver');
    expect(partial!.dashboards.map((d) => d.json.uid)).not.toContain('o11y-coredns');
  });

  test('kube-scheduler and kube-controller-manager are off by default: no cluster has their discovery Services', () => {
    const names = objects.filter((m) => m.kind === 'ServiceMonitor').map((m) => m.metadata.name);
    expect(names).not.toContain('kube-scheduler');
    expect(names).not.toContain('kube-controller-manager');
    const alerts = render().model.rules.flatMap((s) => s.groups.flatMap((g) => g.rules.map((r) => ('alert' in r ? r.alert : ''))));
    expect(alerts).not.toContain('KubeSchedulerDown');
    expect(alerts).not.toContain('KubeControllerManagerDown');
  });

  test('enabled, they are scraped over HTTPS, as jobs named after them', () => {
    const enabled = synth((chart) => new ControlPlane(chart, 'control-plane', controlPlaneProps({ kubeScheduler: { enabled: true }, kubeControllerManager: { enabled: true } })));
    for (const name of ['kube-scheduler', 'kube-controller-manager']) {
      const monitor = only(enabled, 'ServiceMonitor', name);
      expect(at(monitor, 'spec.selector.matchLabels')).toEqual({ 'app.kubernetes.io/name': name });
      expect(at(monitor, 'spec.jobLabel')).toBe('app.kubernetes.io/name');
      expect(at(monitor, 'spec.endpoints.0')).toMatchObject({ port: 'https-metrics', scheme: 'https' });
    }
  });

  test('their dashboards come with their monitors', () => {
    const uids = (cp: ControlPlane) => cp.dashboards.map((d) => d.json.uid);
    expect(uids(new ControlPlane(Testing.chart(), 'control-plane', controlPlaneProps())).filter((u) => /scheduler|controller-manager|proxy/.test(u))).toEqual([]);
    const both = new ControlPlane(Testing.chart(), 'control-plane', controlPlaneProps({ kubeScheduler: { enabled: true }, kubeControllerManager: { enabled: true } }));
    expect(uids(both)).toEqual(expect.arrayContaining(['o11y-k8s-scheduler', 'o11y-k8s-controller-manager']));
    expect(uids(both)).not.toContain('o11y-k8s-proxy');
  });

  describe('kube-proxy', () => {
    test('is off by default: kube-proxy serves its metrics on 127.0.0.1 unless told otherwise', () => {
      expect(objects.filter((m) => m.kind === 'PodMonitor')).toEqual([]);
      expect(CONTROL_PLANE_DEFAULTS.kubeProxy).toEqual({ enabled: false });
      const cp = new ControlPlane(Testing.chart(), 'control-plane', controlPlaneProps());
      expect(cp.metrics).not.toContain('kubeproxy_sync_proxy_rules_duration_seconds_bucket');
      expect(cp.ruleSources.flatMap((s) => s.groups.map((g) => g.name))).not.toContain('kubernetes-system-kube-proxy');
    });

    const stack = render({ controlPlane: { kubeProxy: { enabled: true } } });

    test('enabled, KubeProxyDown pages when no kube-proxy is scraped at all, labelled with its job', () => {
      const alerts = stack.model.rules.flatMap((s) => s.groups.flatMap((g) => g.rules)).filter((r) => 'alert' in r && r.alert === 'KubeProxyDown');
      expect(alerts).toEqual([expect.objectContaining({ expr: 'absent(up{job="kube-proxy"} == 1)', severity: 'critical', labels: expect.objectContaining({ job: 'kube-proxy' }) })]);
    });

    test('enabled, a PodMonitor scrapes every kube-proxy pod at its node\'s address on port 10249, as job kube-proxy named by node', () => {
      const monitor = find(stack, 'PodMonitor', 'kube-proxy');
      expect(at(monitor, 'spec.selector.matchLabels')).toEqual({ 'k8s-app': 'kube-proxy' });
      expect(at(monitor, 'spec.namespaceSelector.matchNames')).toEqual(['kube-system']);
      expect(at(monitor, 'spec.jobLabel')).toBe('k8s-app');
      expect(at(monitor, 'spec.podMetricsEndpoints.0.relabelings')).toEqual([
        { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' },
        { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_ip'], regex: '(.+)', replacement: '$1:10249', targetLabel: '__address__' },
      ]);
    });

    test('Prometheus may reach port 10249 on the nodes, and the stack needs exactly that flow', () => {
      const ports = (s: ReturnType<typeof render>) => JSON.stringify(at(find(s, 'NetworkPolicy', 'prometheus-k8s'), 'spec.egress'));
      expect(ports(stack)).toContain('10249');
      expect(ports(render())).not.toContain('10249');
      const flows = neededFlows(stack.model).filter((f) => f.why.includes('PodMonitor monitoring/kube-proxy'));
      expect(flows.map((f) => [f.to.name, f.port, f.protocol])).toEqual([[expect.stringMatching(/^a node/), 10249, 'TCP']]);
      // The flow is checked against the policies: none blocks it.
      expect(stack.warnings.filter((w) => w.code.startsWith('policy/'))).toEqual([]);
    });

    test('brings the Kubernetes / Proxy dashboard and declares the metrics it reads', () => {
      const proxy = stack.dashboards.find((d) => d.json.uid === 'o11y-k8s-proxy')!;
      expect(proxy.json.title).toBe('Kubernetes / Proxy');
      expect(JSON.stringify(proxy.json)).toContain('kubeproxy_network_programming_duration_seconds_bucket{cluster=\\"$cluster\\", job=\\"kube-proxy\\"');
      expect(stack.warnings.filter((w) => w.where.startsWith("dashboard 'Kubernetes / Proxy'"))).toEqual([]);
      expect(render().dashboards.map((d) => d.json.uid)).not.toContain('o11y-k8s-proxy');
    });
  });

  test('the node alerts come only with the kube-state-metrics they read', () => {
    const alerts = (cp: ControlPlane) => cp.ruleSources.flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert).map((r) => r.alert)));
    const ksm = new KubeStateMetrics(Testing.chart(), 'kube-state-metrics', kubeStateMetricsProps());
    expect(alerts(new ControlPlane(Testing.chart(), 'control-plane', controlPlaneProps({ kubeStateMetrics: ksm })))).toContain('KubeNodeNotReady');
    expect(alerts(new ControlPlane(Testing.chart(), 'control-plane', controlPlaneProps()))).not.toContain('KubeNodeNotReady');
  });

  test('the API server availability is shown over 30 days, or over the retention of a Prometheus that keeps less', () => {
    const apiserverJson = (cp: ControlPlane) => JSON.stringify(cp.dashboards.find((d) => d.json.uid === 'o11y-k8s-apiserver')!.json);
    const shortLived = new Prometheus(Testing.chart(), 'prometheus', prometheusProps({ retention: '7d' }));
    expect(apiserverJson(new ControlPlane(Testing.chart(), 'control-plane', controlPlaneProps({ prometheus: shortLived })))).toContain('[7d]');
    expect(apiserverJson(new ControlPlane(Testing.chart(), 'control-plane', controlPlaneProps()))).toContain('[30d]');
  });

  test('matches its snapshot', () => {
    // Rules and dashboards become objects only in a stack; this covers the component's own objects.
    expect(objects).toMatchSnapshot();
  });
});
