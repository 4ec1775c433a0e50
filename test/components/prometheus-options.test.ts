// Prometheus' typed options (agent mode, Thanos sidecar, flags, extra Alertmanagers), every component's scheduling
// and the global image registry.
import { at, find, podTemplate, render, renderError } from '../helpers';
import { describeWithSharedCrds } from '../crd-schemas';
import type { Manifest } from '../../src/synth/pipeline';

const REMOTE = { remoteWrite: [{ url: 'https://receive.example.com/api/v1/receive' }] };

/** Every image reference an object holds: containers' `image`, the CRs' `image`, and `--...-image=` style args. */
function imagesIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string' && /^--[a-z-]*(config-reloader|image)[a-z-]*=/.test(value)) found.push(value.slice(value.indexOf('=') + 1));
  else if (Array.isArray(value)) value.forEach((v) => imagesIn(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'image' && typeof v === 'string') found.push(v);
      else imagesIn(v, found);
    }
  }
  return found;
}

describe('scheduling, per component', () => {
  const scheduling = {
    nodeSelector: { pool: 'monitoring' },
    tolerations: [{ key: 'dedicated', operator: 'Equal' as const, value: 'monitoring', effect: 'NoSchedule' as const }],
    topologySpread: [{ topologyKey: 'topology.kubernetes.io/zone' }],
    priorityClassName: 'monitoring-critical',
  };

  it('lands on the operator\'s custom resources, with the pods\' own selector in the spread', () => {
    const stack = render({ prometheus: { scheduling }, alertmanager: { scheduling: { priorityClassName: 'alerting' } } });
    const spec = find(stack, 'Prometheus', 'k8s').spec as Record<string, unknown>;
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', pool: 'monitoring' });
    expect(spec.tolerations).toEqual(scheduling.tolerations);
    expect(spec.priorityClassName).toBe('monitoring-critical');
    expect(spec.topologySpreadConstraints).toEqual([{
      maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'prometheus-operator', prometheus: 'k8s' } },
    }]);
    // The default anti-affinity stays unless replaced.
    expect(at(spec, 'affinity.podAntiAffinity')).toBeDefined();
    expect(at(find(stack, 'Alertmanager', 'main'), 'spec.priorityClassName')).toBe('alerting');
  });

  it('lands on Deployments and DaemonSets; an affinity replaces the default one and the node-exporter keeps its own tolerations', () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In' as const, values: ['monitoring'] }] }] } } };
    const stack = render({ grafana: { scheduling: { ...scheduling, affinity } }, nodeExporter: { scheduling: { priorityClassName: 'node-critical' } }, prometheus: { scheduling: { affinity } } });
    const grafana = podTemplate(find(stack, 'Deployment', 'grafana')).spec as Record<string, unknown>;
    expect(grafana.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', pool: 'monitoring' });
    expect(grafana.priorityClassName).toBe('monitoring-critical');
    expect(grafana.affinity).toEqual(affinity);
    expect(at(grafana, 'topologySpreadConstraints.0.labelSelector.matchLabels')).toEqual({ 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'test' });
    const node = podTemplate(find(stack, 'DaemonSet', 'node-exporter')).spec as Record<string, unknown>;
    expect(node.priorityClassName).toBe('node-critical');
    expect(node.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(at(find(stack, 'Prometheus', 'k8s'), 'spec.affinity')).toEqual(affinity);
  });

  it('leaves a component without scheduling values as it was', () => {
    const operator = podTemplate(find(render(), 'Deployment', 'prometheus-operator')).spec as Record<string, unknown>;
    expect(operator.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(operator.tolerations).toBeUndefined();
    expect(operator.priorityClassName).toBeUndefined();
  });

  it('rejects tolerations and spreads Kubernetes would refuse, naming the component', () => {
    const message = renderError({
      kubeStateMetrics: { scheduling: { tolerations: [{ key: 'a', operator: 'Exists', value: 'x' }], priorityClassName: 'Not_A_Name' } },
      grafana: { scheduling: { topologySpread: [{ topologyKey: 'zone', maxSkew: 0, minDomains: 2 }] } },
    });
    expect(message).toContain('kubeStateMetrics.scheduling.tolerations[0]');
    expect(message).toContain("operator 'Exists' takes no value");
    expect(message).toContain('kubeStateMetrics.scheduling.priorityClassName');
    expect(message).toContain('grafana.scheduling.topologySpread[0].maxSkew');
    expect(message).toContain('grafana.scheduling.topologySpread[0].minDomains');
  });
});

describe('common.imageRegistry', () => {
  it('rewrites every image of every object, the config reloader the operator injects included', () => {
    const stack = render({ common: { imageRegistry: 'registry.example.com:5000/mirror' }, otelCollector: { enabled: true }, controlPlaneTracing: { enabled: true, webhook: { clusterIP: '10.96.0.50', apiServerCidrs: ['10.0.0.0/24'] } } });
    const images = stack.objects.flatMap((o) => imagesIn(o.manifest));
    expect(images.length).toBeGreaterThan(15);
    expect(images.filter((i) => !i.startsWith('registry.example.com:5000/mirror/'))).toEqual([]);
    expect(images).toContain('registry.example.com:5000/mirror/prometheus/prometheus:v3.13.5');
    expect(images.some((i) => i.startsWith('registry.example.com:5000/mirror/prometheus-operator/prometheus-config-reloader:'))).toBe(true);
  });

  it('keeps digests, and rejects a URL', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const stack = render({ common: { imageRegistry: 'mirror.local', images: { grafana: { digest } } } });
    expect(podTemplate(find(stack, 'Deployment', 'grafana')).spec.containers[0].image).toBe(`mirror.local/grafana/grafana:13.1.3@${digest}`);
    const message = renderError({ common: { imageRegistry: 'https://mirror.local/' } });
    expect(message).toContain('common.imageRegistry');
    expect(message).toContain('without a scheme');
  });
});

describe('prometheus.mode agent', () => {
  it('writes a PrometheusAgent that remote-writes, and no rules, Alertmanager or Grafana', () => {
    const stack = render({ prometheus: { mode: 'agent', ...REMOTE, walCompression: true } });
    const agent = find(stack, 'PrometheusAgent', 'k8s');
    expect(agent.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
    expect(at(agent, 'spec.remoteWrite.0.url')).toBe(REMOTE.remoteWrite[0].url);
    expect(at(agent, 'spec.walCompression')).toBe(true);
    expect(at(agent, 'spec.retention')).toBeUndefined();
    expect(at(agent, 'spec.ruleSelector')).toBeUndefined();
    expect(at(agent, 'spec.podMetadata.labels.prometheus')).toBe('k8s');
    const kinds = new Set(stack.objects.map((o) => o.manifest.kind));
    for (const kind of ['Prometheus', 'PrometheusRule', 'Alertmanager']) expect(kinds.has(kind)).toBe(false);
    expect(stack.objects.some((o) => o.component === 'grafana')).toBe(false);
  });

  it('lets the agent scrape everything a server would: no flow is blocked', () => {
    const stack = render({ prometheus: { mode: 'agent', ...REMOTE } });
    expect(stack.warnings.filter((w) => w.code.startsWith('policy/flow'))).toEqual([]);
    // node-exporter lets the agent's pods in, by labels the operator and the stack give them.
    const policy = find(stack, 'NetworkPolicy', 'node-exporter');
    expect(JSON.stringify(policy.spec)).toContain('"prometheus":"k8s"');
  });

  it('needs a remote write, and says why Alertmanager, Grafana and rules cannot come along', () => {
    expect(renderError({ prometheus: { mode: 'agent' } })).toMatch(/prometheus\.remoteWrite.*keeps no samples/s);
    const message = renderError({ prometheus: { mode: 'agent', ...REMOTE }, alertmanager: { enabled: true }, grafana: { enabled: true }, rules: { groups: [{ name: 'mine', rules: [{ record: 'a:b', expr: 'up' }] }] } });
    expect(message).toContain('alertmanager.enabled');
    expect(message).toContain('evaluates no rules');
    expect(message).toContain('grafana.enabled');
    expect(message).toContain('answers no queries');
    expect(message).toMatch(/\brules\b.*never be evaluated/);
  });
});

describe('Prometheus server options', () => {
  const thanos = {
    objectStorageConfig: { name: 'thanos-objstore', key: 'objstore.yml' },
    objectStorageUrl: 'https://s3.eu-west-1.amazonaws.com',
    queriedFrom: { namespace: 'thanos', pods: { 'app.kubernetes.io/name': 'thanos-query' } },
  };

  it('adds the Thanos sidecar with its bucket Secret by reference, its StoreAPI Service and policy', () => {
    const stack = render({ prometheus: { thanos } });
    const spec = find(stack, 'Prometheus', 'k8s').spec as Record<string, unknown>;
    expect(spec.thanos).toEqual({ image: 'quay.io/thanos/thanos:v0.42.5', version: 'v0.42.5', objectStorageConfig: thanos.objectStorageConfig });
    const sidecar = find(stack, 'Service', 'prometheus-k8s-thanos-sidecar');
    expect(at(sidecar, 'spec.clusterIP')).toBe('None');
    expect(at(sidecar, 'spec.ports')).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'grpc', port: 10901 })]));
    const policy = find(stack, 'NetworkPolicy', 'prometheus-k8s').spec as { ingress: Array<Record<string, unknown>>; egress: Array<Record<string, unknown>> };
    const storeApi = policy.ingress.find((r) => JSON.stringify(r.ports).includes('10901'));
    expect(storeApi?.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'thanos' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'thanos-query' } } }]);
    expect(policy.egress.some((r) => JSON.stringify(r).includes('"port":443') && JSON.stringify(r).includes('0.0.0.0/0'))).toBe(true);
    expect(stack.warnings.filter((w) => w.code.startsWith('policy/flow-blocked'))).toEqual([]);
  });

  it('writes feature flags, the query log, WAL compression and extra Alertmanagers after its own', () => {
    const stack = render({
      prometheus: {
        enableFeatures: ['exemplar-storage'], queryLog: true, walCompression: false,
        additionalAlertmanagers: [{ namespace: 'central', name: 'alertmanager', port: 9093, scheme: 'https', pathPrefix: '/am' }],
      },
    });
    const spec = find(stack, 'Prometheus', 'k8s').spec as Record<string, unknown>;
    expect(spec.enableFeatures).toEqual(['exemplar-storage']);
    expect(spec.queryLogFile).toBe('query.log');
    expect(spec.walCompression).toBe(false);
    expect(at(spec, 'alerting.alertmanagers')).toEqual([
      expect.objectContaining({ namespace: 'monitoring', name: 'alertmanager-main' }),
      { namespace: 'central', name: 'alertmanager', port: 9093, apiVersion: 'v2', scheme: 'https', pathPrefix: '/am' },
    ]);
  });

  it('rejects a flag list written as one string, and a bucket URL without its config', () => {
    const message = renderError({ prometheus: { enableFeatures: ['exemplar-storage,memory-snapshot-on-shutdown'], thanos: { objectStorageUrl: 'https://s3.example.com' } } });
    expect(message).toContain('prometheus.enableFeatures[0]');
    expect(message).toContain('prometheus.thanos.objectStorageUrl');
  });
});

describeWithSharedCrds('Prometheus options against the CRDs', (schemas) => {
  const crs = (stack: ReturnType<typeof render>): Manifest[] => stack.objects.map((o) => o.manifest).filter((m) => m.apiVersion.startsWith('monitoring.coreos.com/'));
  it.each([
    ['agent', { prometheus: { mode: 'agent' as const, ...REMOTE, walCompression: true, enableFeatures: ['exemplar-storage'], scheduling: { priorityClassName: 'x', topologySpread: [{ topologyKey: 'zone' }] } } }],
    ['server', { prometheus: { queryLog: true, additionalAlertmanagers: [{ namespace: 'c', name: 'am' }], thanos: { objectStorageConfig: { name: 's', key: 'k' } }, scheduling: { tolerations: [{ operator: 'Exists' as const }] } } }],
  ])('%s validates', (_name, values) => {
    const errors = crs(render(values)).flatMap((m) => schemas().validate(m).map((e) => `${m.kind} ${m.metadata.name}: ${e}`));
    expect(errors).toEqual([]);
  });
});


describe('Thanos Query in Grafana', () => {
  it('is a Prometheus datasource Grafana may reach', () => {
    const stack = render({ prometheus: { thanos: { queryUrl: 'http://thanos-query.thanos.svc:9090', queriedFrom: { namespace: 'thanos' } } } });
    const datasources = JSON.stringify(find(stack, 'ConfigMap', 'grafana-datasources').data);
    expect(datasources).toContain('uid: thanos');
    expect(datasources).toContain('http://thanos-query.thanos.svc:9090');
    const egress = JSON.stringify(at(find(stack, 'NetworkPolicy', 'grafana'), 'spec.egress'));
    expect(egress).toContain('"kubernetes.io/metadata.name":"thanos"');
  });
});
