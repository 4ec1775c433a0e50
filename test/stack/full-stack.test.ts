// stacks/full.ts turns every typed option on: it must synthesize with no warning under --strict, and each option
// must show in the objects. (Every example stack is also checked against the CRDs and the secure defaults: crds.test.ts,
// policy.test.ts; the drill on it runs in test/drill/cli.test.ts.)
import * as path from 'path';
import { loadStackFile } from '../../src/load/stack-file';
import { renderStack, type RenderedStack } from '../../src/synth/pipeline';
import { at } from '../helpers';

const REPO = path.resolve(__dirname, '..', '..');
let stack: RenderedStack;
beforeAll(() => {
  stack = renderStack(loadStackFile(path.join(REPO, 'stacks', 'full.ts')), { strict: true });
});

const names = (kind: string) => stack.objects.filter((o) => o.manifest.kind === kind).map((o) => `${o.component}/${o.manifest.metadata.name}`).sort();

describe('the full example stack', () => {
  it('has no warning under --strict (every image pinned by digest, every flow checked)', () => {
    expect(stack.warnings.map((w) => `${w.code} ${w.message}`)).toEqual([]);
  });

  it('writes an object for every option', () => {
    expect(names('Ingress')).toEqual(['grafana/grafana', 'prometheus/prometheus-k8s']);
    expect(names('HTTPRoute')).toEqual(['alertmanager/alertmanager-main']);
    expect(names('APIService')).toEqual(['prometheus-adapter/v1beta1.custom.metrics.k8s.io', 'prometheus-adapter/v1beta1.metrics.k8s.io']);
    expect(names('Probe')).toEqual(['blackbox-exporter/checkout-service', 'blackbox-exporter/shop-frontpage']);
    expect(names('ScrapeConfig')).toEqual(['scrape-configs/databases']);
    expect(names('PodMonitor')).toEqual(['applications/batch-worker', 'control-plane/kube-proxy']);
    expect(names('PersistentVolumeClaim')).toEqual(['grafana/grafana']);
    expect(names('Service')).toContain('prometheus/prometheus-k8s-thanos-sidecar');
    expect(names('PrometheusRule')).toEqual(expect.arrayContaining(['slos/slo-rules', 'blackbox-exporter/blackbox-exporter-rules']));
    const prometheus = stack.objects.find((o) => o.manifest.kind === 'Prometheus')!.manifest;
    for (const field of ['thanos', 'walCompression', 'enableFeatures', 'queryLogFile', 'priorityClassName', 'topologySpreadConstraints', 'tolerations', 'remoteWrite']) {
      expect([field, at(prometheus, `spec.${field}`) !== undefined]).toEqual([field, true]);
    }
    expect(at(prometheus, 'spec.alerting.alertmanagers.1.namespace')).toBe('central-alerting');
  });

  it('has every dashboard of the catalogue, the optional ones included', () => {
    const uids = stack.dashboards.map((d) => d.json.uid);
    expect(uids).toEqual(expect.arrayContaining(['o11y-k8s-scheduler', 'o11y-k8s-controller-manager', 'o11y-k8s-proxy', 'o11y-prometheus-remote-write', 'o11y-slos']));
    expect(uids.length).toBeGreaterThanOrEqual(38);
  });
});
