import { at, find, objectsOf, podTemplate, render } from '../helpers';

describe('node-exporter component', () => {
  const stack = render();
  const pod = podTemplate(find(stack, 'DaemonSet', 'node-exporter'));
  const container = pod.spec.containers[0];

  test('sees the host: host network and PID namespace, on every node including tainted ones', () => {
    expect(pod.spec.hostNetwork).toBe(true);
    expect(at(pod, 'spec.hostPID')).toBe(true);
    expect(at(pod, 'spec.tolerations')).toEqual([{ operator: 'Exists' }]);
  });

  test('mounts the host filesystems read-only', () => {
    const mounts = container.volumeMounts as Array<{ name: string; readOnly: boolean; mountPath: string }>;
    expect(mounts.map((m) => m.mountPath).sort()).toEqual(['/host/proc', '/host/root', '/host/sys']);
    expect(mounts.every((m) => m.readOnly)).toBe(true);
    expect(container.args).toEqual(expect.arrayContaining(['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root']));
  });

  test('runs unprivileged despite the host access', () => {
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(at(pod, 'spec.automountServiceAccountToken')).toBe(false);
  });

  test('is scraped as job node-exporter with the node name as instance', () => {
    const monitor = find(stack, 'ServiceMonitor', 'node-exporter');
    expect(at(monitor, 'spec.jobLabel')).toBe('app.kubernetes.io/name');
    expect((at(find(stack, 'Service', 'node-exporter'), 'metadata.labels') as Record<string, string>)['app.kubernetes.io/name']).toBe('node-exporter');
    expect(at(monitor, 'spec.endpoints.0.relabelings.0')).toEqual({ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' });
  });

  test('port, tolerations and extra flags are values', () => {
    const custom = podTemplate(find(render({ nodeExporter: { port: 9200, tolerations: [], extraArgs: ['--collector.systemd'] } }), 'DaemonSet', 'node-exporter'));
    expect(custom.spec.containers[0].args).toEqual(expect.arrayContaining(['--web.listen-address=:9200', '--collector.systemd']));
    expect(at(custom, 'spec.tolerations')).toEqual([]);
  });

  test('matches its snapshot', () => {
    // Rules and dashboards have their own tests and snapshots; this one covers the component's other objects.
    expect(objectsOf(stack, 'node-exporter').filter((o) => o.manifest.kind !== 'PrometheusRule' && at(o.manifest, 'metadata.labels')?.['app.kubernetes.io/component' as never] !== 'dashboard').map((o) => o.manifest)).toMatchSnapshot();
  });
});
