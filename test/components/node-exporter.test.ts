import { Testing } from 'cdk8s';
import { NodeExporter } from '../../src/components/node-exporter';
import type { StackModel } from '../../src/model/stack-model';
import { at, podTemplate, render } from '../helpers';
import { nodeExporterProps, only, synth } from './props';

describe('node-exporter component', () => {
  const objects = synth((chart) => new NodeExporter(chart, 'node-exporter', nodeExporterProps()));
  const pod = podTemplate(only(objects, 'DaemonSet', 'node-exporter'));
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

  test('the systemd alerts exist only with the systemd collector, which then gets the host D-Bus socket', () => {
    const alertsOf = (model: StackModel) =>
      model.rules.flatMap((s) => s.groups.flatMap((g) => g.rules.map((r) => ('alert' in r ? r.alert : '')))).filter((a) => a.startsWith('NodeSystemd'));
    const byDefault = render();
    expect(alertsOf(byDefault.model)).toEqual([]);
    // No alert of the stack reads a metric that no enabled collector produces.
    expect(byDefault.warnings.filter((w) => w.code?.startsWith('promql/unknown-metric'))).toEqual([]);
    const withSystemd = render({ nodeExporter: { extraArgs: ['--collector.systemd'] } });
    expect(alertsOf(withSystemd.model)).toEqual(['NodeSystemdServiceFailed', 'NodeSystemdServiceCrashlooping']);
    const daemonSet = withSystemd.objects.find((o) => o.manifest.kind === 'DaemonSet' && o.manifest.metadata.name === 'node-exporter')!.manifest;
    expect(at(podTemplate(daemonSet), 'spec.volumes')).toContainEqual({ name: 'dbus', hostPath: { path: '/run/dbus/system_bus_socket' } });
    // Without the collector, an alert on its metrics is a metric no component produces.
    const own = render({ rules: { groups: [{ name: 'mine', rules: [{ alert: 'UnitFailed', expr: 'node_systemd_unit_state{state="failed"} == 1', severity: 'warning', summary: 's', description: 'd' }] }] } });
    expect(own.warnings.map((w) => w.message).join('\n')).toContain('node_systemd_unit_state');
  });

  test('runs unprivileged despite the host access, with the stack\'s pull policy', () => {
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // The token is the proxy's, to review each scrape with the API server.
    expect(at(pod, 'spec.automountServiceAccountToken')).toBe(true);
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    const always = podTemplate(only(synth((chart) => new NodeExporter(chart, 'node-exporter', nodeExporterProps({ common: { namespace: 'monitoring', instance: 'test', imagePullPolicy: 'Always' } }))), 'DaemonSet', 'node-exporter'));
    expect(always.spec.containers[0].imagePullPolicy).toBe('Always');
  });

  test('is scraped as job node-exporter with the node name as instance', () => {
    const monitor = only(objects, 'ServiceMonitor', 'node-exporter');
    expect(at(monitor, 'spec.jobLabel')).toBe('app.kubernetes.io/name');
    expect((at(only(objects, 'Service', 'node-exporter'), 'metadata.labels') as Record<string, string>)['app.kubernetes.io/name']).toBe('node-exporter');
    expect(at(monitor, 'spec.endpoints.0.relabelings.0')).toEqual({ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' });
  });

  test('listens on the node\'s loopback only; kube-rbac-proxy serves it on the node\'s address over TLS', () => {
    const [exporter, proxy] = pod.spec.containers as Array<{ name: string; args: string[]; ports?: Array<{ hostPort?: number }>; livenessProbe: unknown }>;
    expect(exporter.args).toContain('--web.listen-address=127.0.0.1:9100');
    expect(exporter.ports).toBeUndefined();
    expect(exporter.livenessProbe).toMatchObject({ httpGet: { host: '127.0.0.1', port: 9100 } });
    expect(proxy.name).toBe('kube-rbac-proxy');
    expect(proxy.args).toEqual(expect.arrayContaining(['--secure-listen-address=[$(IP)]:9100', '--upstream=http://127.0.0.1:9100/']));
    expect(proxy.ports).toEqual([{ name: 'https', containerPort: 9100, hostPort: 9100 }]);
    expect(at(only(objects, 'ServiceMonitor', 'node-exporter'), 'spec.endpoints.0')).toMatchObject({
      port: 'https', scheme: 'https', bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token', tlsConfig: { insecureSkipVerify: true },
    });
    expect(at(only(objects, 'ClusterRole', 'node-exporter'), 'rules')).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ]);
  });

  test('port, tolerations and extra flags are props', () => {
    const custom = podTemplate(only(synth((chart) => new NodeExporter(chart, 'node-exporter', nodeExporterProps({ port: 9200, tolerations: [], extraArgs: ['--collector.systemd'] }))), 'DaemonSet', 'node-exporter'));
    expect(custom.spec.containers[0].args).toEqual(expect.arrayContaining(['--web.listen-address=127.0.0.1:9200', '--collector.systemd']));
    // No toleration at all: the DaemonSet then runs only on untainted nodes.
    expect(at(custom, 'spec.tolerations')).toBeUndefined();
  });

  test('brings its rules and the node dashboards', () => {
    const exporter = new NodeExporter(Testing.chart(), 'node-exporter', nodeExporterProps());
    expect(exporter.ruleSources.map((s) => s.objectName)).toEqual(['node-exporter-rules']);
    expect(exporter.dashboards.map((d) => [d.json.uid, d.folder])).toEqual(expect.arrayContaining([
      ['o11y-nodes-overview', 'Nodes'], ['o11y-node-use', 'Nodes'], ['o11y-node-disks', 'Nodes'], ['o11y-node-network', 'Nodes'],
    ]));
    expect(exporter.dashboards.every((d) => d.folder === 'Nodes')).toBe(true);
    expect(exporter.metrics).toContain('node_cpu_seconds_total');
  });

  test('matches its snapshot', () => {
    // Rules and dashboards become objects only in a stack; this covers the component's own objects.
    expect(objects).toMatchSnapshot();
  });
});
