import * as fs from 'fs';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { allPanels, type Dashboard } from '../../src/dashboards/model';
import { stackFiles } from '../../src/synth/layout';
import { describeWithSharedCrds } from '../crd-schemas';
import { at, find, render, renderError, tempFolder } from '../helpers';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'dashboards', 'export.json');
const stack = render();
const dashboards = stack.dashboards;

function tempFile(name: string, content: string): string {
  const file = path.join(tempFolder('o11y-dash-'), name);
  fs.writeFileSync(file, content);
  return file;
}

describe('the default dashboards', () => {
  test('there are at least 15, with unique and stable uids', () => {
    const uids = dashboards.map((d) => d.json.uid);
    expect(uids.length).toBeGreaterThanOrEqual(15);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.every((uid) => /^o11y-[a-z0-9-]+$/.test(uid))).toBe(true);
    expect(uids.sort()).toMatchSnapshot();
  });

  test('every dashboard has the datasource and cluster variables, and every panel reads through the datasource variable', () => {
    for (const d of dashboards) {
      const names = ((d.json.templating as { list: Array<{ name: string }> }).list).map((v) => v.name);
      expect([d.json.uid, names.slice(0, 2)]).toEqual([d.json.uid, ['datasource', 'cluster']]);
      for (const panel of allPanels(d.json).filter((p) => p.type !== 'row')) {
        expect([d.json.uid, panel.title, panel.datasource]).toEqual([d.json.uid, panel.title, { type: 'prometheus', uid: '${datasource}' }]);
        expect([d.json.uid, panel.title, (panel.targets ?? []).length > 0]).toEqual([d.json.uid, panel.title, true]);
      }
    }
  });

  test('every query parses and selects only known metrics: the default stack has no dashboard findings', () => {
    expect(stack.warnings.filter((w) => w.where.startsWith('dashboard'))).toEqual([]);
  });

  test('panel ids are unique within each dashboard', () => {
    for (const d of dashboards) {
      const ids = allPanels(d.json).map((p) => p.id);
      expect([d.json.uid, new Set(ids).size]).toEqual([d.json.uid, ids.length]);
    }
  });

  const files = stackFiles(stack);
  for (const d of dashboards) {
    test(`${d.json.uid}: the dashboard file matches its snapshot`, () => {
      expect(files.find((f) => f.path === `test/dashboards/${d.json.uid}.json`)!.content).toMatchSnapshot();
    });
  }
});

/** The dashboards issue 16 (part 7) adds to reach kube-prometheus' set, by uid, with their title and folder. */
const PARITY_DASHBOARDS: Record<string, [title: string, folder: string]> = {
  'o11y-k8s-networking-cluster': ['Kubernetes / Networking / Cluster', 'Kubernetes'],
  'o11y-k8s-networking-namespace-pods': ['Kubernetes / Networking / Namespace (Pods)', 'Kubernetes'],
  'o11y-k8s-networking-namespace-workloads': ['Kubernetes / Networking / Namespace (Workload)', 'Kubernetes'],
  'o11y-k8s-networking-pod': ['Kubernetes / Networking / Pod', 'Kubernetes'],
  'o11y-k8s-networking-workload': ['Kubernetes / Networking / Workload', 'Kubernetes'],
  'o11y-k8s-resources-multicluster': ['Kubernetes / Compute Resources / Multi-Cluster', 'Kubernetes'],
  'o11y-k8s-resources-node': ['Kubernetes / Compute Resources / Node (Pods)', 'Kubernetes'],
  'o11y-node-use-cluster': ['Node Exporter / USE Method / Cluster', 'Nodes'],
  'o11y-k8s-workloads-status': ['Kubernetes / Workloads status', 'Kubernetes'],
  'o11y-k8s-pods-status': ['Kubernetes / Pods status', 'Kubernetes'],
  'o11y-k8s-jobs': ['Kubernetes / Jobs and CronJobs', 'Kubernetes'],
  'o11y-k8s-cluster-capacity': ['Kubernetes / Cluster capacity', 'Kubernetes'],
};

interface Variable { name: string; query?: string; multi?: boolean; includeAll?: boolean }
const variablesOf = (json: Dashboard['json']) => (json.templating as { list: Variable[] }).list;
const queriesOf = (json: Dashboard['json']) => allPanels(json).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
/** Every link URL of a dashboard's panels (table cells' drill-downs). */
const linksOf = (json: Dashboard['json']): string[] => JSON.stringify(json).match(/"url":"[^"]*"/g)?.map((u) => u.slice(7, -1)) ?? [];
/** The dashboard variables an expression or URL uses (`$x`, `${x}`, `${x:queryparam}`), Grafana's own (`__...`) left out. */
const usedVariables = (text: string) => [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]).filter((name) => !name.startsWith('__'));

describe('the dashboards that bring the default stack to parity with kube-prometheus', () => {
  const parity = dashboards.filter((d) => d.json.uid in PARITY_DASHBOARDS);

  test('every one is in the default stack, with its title, in the folder of the component that owns its metrics', () => {
    expect(Object.fromEntries(parity.map((d) => [d.json.uid, [d.json.title, d.folder]]))).toEqual(PARITY_DASHBOARDS);
    expect(parity.filter((d) => d.json.uid.includes('networking')).map((d) => d.component)).toEqual(Array(5).fill('control-plane'));
    expect(dashboards.find((d) => d.json.uid === 'o11y-k8s-jobs')!.component).toBe('kube-state-metrics');
    expect(dashboards.find((d) => d.json.uid === 'o11y-node-use-cluster')!.component).toBe('node-exporter');
  });

  test('every variable a query or a link uses is defined by the dashboard', () => {
    for (const d of parity) {
      const defined = new Set(variablesOf(d.json).map((v) => v.name));
      const used = [...new Set([...queriesOf(d.json), ...linksOf(d.json)].flatMap(usedVariables))];
      expect([d.json.uid, used.filter((name) => !defined.has(name))]).toEqual([d.json.uid, []]);
    }
  });

  test('every variable lists the values of a label of a metric the stack produces', () => {
    for (const d of parity) {
      for (const v of variablesOf(d.json).filter((x) => x.name !== 'datasource')) {
        const [, metric] = /^label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(v.query ?? '') ?? [];
        expect([d.json.uid, v.name, stack.model.metrics.has(metric)]).toEqual([d.json.uid, v.name, true]);
      }
    }
  });

  test('every drill-down link opens a dashboard of the stack', () => {
    const uids = new Set(dashboards.map((d) => d.json.uid));
    const targets = parity.flatMap((d) => linksOf(d.json).map((url) => /^\/d\/([^?]+)\?/.exec(url)?.[1]));
    expect(targets.length).toBeGreaterThan(10);
    expect(targets.filter((uid) => !uids.has(uid!))).toEqual([]);
  });

  test('the multi-cluster dashboard selects several clusters and matches them by regex; every other one shows one cluster', () => {
    const multi = parity.find((d) => d.json.uid === 'o11y-k8s-resources-multicluster')!;
    expect(variablesOf(multi.json).find((v) => v.name === 'cluster')).toMatchObject({ multi: true, includeAll: true });
    expect(queriesOf(multi.json).filter((q) => !q.includes('cluster=~"$cluster"') || q.includes('cluster="$cluster"'))).toEqual([]);
    for (const d of parity.filter((x) => x !== multi)) {
      expect([d.json.uid, variablesOf(d.json).find((v) => v.name === 'cluster')!.multi]).toEqual([d.json.uid, false]);
      expect([d.json.uid, queriesOf(d.json).filter((q) => !q.includes('cluster="$cluster"'))]).toEqual([d.json.uid, []]);
    }
  });

  test('the networking dashboards read cAdvisor\'s network counters, and join pods to workloads by the pod owner recording rule', () => {
    const networking = parity.filter((d) => d.json.uid.startsWith('o11y-k8s-networking-'));
    for (const d of networking) {
      const reads = new Set(queriesOf(d.json).flatMap((q) => [...q.matchAll(/\b(?:namespace_pod:)?(container_network_[a-z_]+_total)\b/g)].map((m) => m[1])));
      expect([d.json.uid, reads.size]).toEqual([d.json.uid, 8]);
    }
    const workloadQueries = networking.filter((d) => /workload/.test(d.json.uid)).flatMap((d) => queriesOf(d.json));
    expect(workloadQueries.every((q) => q.includes('group_left (workload, workload_type)\n  namespace_workload_pod:kube_pod_owner:relabel'))).toBe(true);
  });

  test('capacity and node commitment count only the requests and limits of Pending and Running pods', () => {
    const specQueries = parity
      .filter((d) => ['o11y-k8s-cluster-capacity', 'o11y-k8s-resources-node'].includes(d.json.uid))
      .flatMap((d) => queriesOf(d.json))
      .filter((q) => /resource_(requests|limits)/.test(q));
    expect(specQueries.length).toBeGreaterThan(10);
    expect(specQueries.filter((q) => !/phase=~"Pending\|Running"|:active:kube_pod_container_resource_/.test(q))).toEqual([]);
  });

  test('without node-exporter its USE Method / Cluster dashboard goes with it', () => {
    const without = render({ nodeExporter: { enabled: false } });
    expect(without.dashboards.map((d) => d.json.uid)).not.toContain('o11y-node-use-cluster');
  });
});

describe('dashboards to parity with kube-prometheus (part B)', () => {
  const inDefault = ['o11y-prometheus-tsdb', 'o11y-prometheus-scrape-targets', 'o11y-grafana-overview', 'o11y-kube-state-metrics',
    'o11y-node-disks', 'o11y-node-network', 'o11y-prometheus-operator'];
  const withToggles = ['o11y-k8s-scheduler', 'o11y-k8s-controller-manager', 'o11y-k8s-proxy', 'o11y-prometheus-remote-write'];
  const everything = render({
    controlPlane: { kubeScheduler: { enabled: true }, kubeControllerManager: { enabled: true }, kubeProxy: { enabled: true } },
    prometheus: { remoteWrite: [{ url: 'https://lts.example/api/v1/write', name: 'lts' }] },
  });
  const mine = everything.dashboards.filter((d) => [...inDefault, ...withToggles].includes(d.json.uid));

  test('the default stack has the monitoring, kube-state-metrics and node resource dashboards; the combined operator and Grafana one is split in two', () => {
    const uids = dashboards.map((d) => d.json.uid);
    expect(uids).toEqual(expect.arrayContaining(inDefault));
    expect(uids).not.toContain('o11y-operator-grafana-health');
    for (const uid of withToggles) expect(uids).not.toContain(uid);
  });

  test('the scheduler, controller manager, proxy and remote-write dashboards come with their monitors and remote write', () => {
    expect(mine.map((d) => d.json.uid).sort()).toEqual([...inDefault, ...withToggles].sort());
    expect(mine.map((d) => d.json.title)).toEqual(expect.arrayContaining([
      'Kubernetes / Scheduler', 'Kubernetes / Controller Manager', 'Kubernetes / Proxy', 'Prometheus / Remote Write', 'Grafana / Overview',
      'Prometheus / TSDB and storage', 'Prometheus / Scrape targets', 'Kube-state-metrics / Overview', 'Node Exporter / Disks and filesystems',
      'Node Exporter / Network', 'Prometheus Operator / Overview',
    ]));
  });

  test('each has the house variables, reads through the datasource variable and every query selects the cluster', () => {
    for (const d of mine) {
      const names = ((d.json.templating as { list: Array<{ name: string }> }).list).map((v) => v.name);
      expect([d.json.uid, names.slice(0, 2)]).toEqual([d.json.uid, ['datasource', 'cluster']]);
      for (const panel of allPanels(d.json).filter((p) => p.type !== 'row')) {
        expect([d.json.uid, panel.title, panel.datasource]).toEqual([d.json.uid, panel.title, { type: 'prometheus', uid: '${datasource}' }]);
        for (const target of panel.targets ?? []) expect([d.json.uid, panel.title, target.expr]).toEqual([d.json.uid, panel.title, expect.stringContaining('cluster="$cluster"')]);
      }
    }
  });

  test('with everything on, every query parses and reads only metrics the stack produces or records', () => {
    expect(everything.warnings.filter((w) => w.where.startsWith('dashboard'))).toEqual([]);
    // Without the toggles their metrics are not declared: a kube-proxy panel in the default stack would be reported.
    expect(stack.model.metrics.has('kubeproxy_sync_proxy_rules_duration_seconds_bucket')).toBe(false);
    expect(everything.model.metrics.has('kubeproxy_sync_proxy_rules_duration_seconds_bucket')).toBe(true);
  });

  test('the remote-write dashboard filters by queue with a variable on the queue label', () => {
    const rw = mine.find((d) => d.json.uid === 'o11y-prometheus-remote-write')!;
    const variable = ((rw.json.templating as { list: Array<{ name: string; query?: unknown }> }).list).find((v) => v.name === 'remote_name')!;
    expect(JSON.stringify(variable.query)).toContain('prometheus_remote_storage_shards');
    expect(JSON.stringify(rw.json)).toContain('remote_name=~\\"$remote_name\\"');
  });
});

describe('delivery', () => {
  test('each dashboard is a ConfigMap for the sidecar, labeled and annotated with its folder', () => {
    const [first] = dashboards;
    const configMap = find(stack, 'ConfigMap', `grafana-dashboard-${first.json.uid}`);
    expect(at(configMap, 'metadata.labels.grafana_dashboard')).toBe('1');
    expect(at(configMap, 'metadata.annotations')).toEqual({ grafana_folder: first.folder });
    expect(JSON.parse((at(configMap, 'data') as Record<string, string>)[`${first.json.uid}.json`]).uid).toBe(first.json.uid);
  });

  test('and a pretty-printed JSON file in dist, marked as generated', () => {
    const file = stackFiles(stack).find((f) => f.path === `test/dashboards/${dashboards[0].json.uid}.json`)!;
    expect(file.content.split('\n')[1]).toMatch(/^ {2}"\/\/": "Generated by cdk8s-o11y from stacks\/test\.ts; Grafana folder: /);
    expect(file.content.split('\n').length).toBeGreaterThan(50);
  });

  test('a dashboard too large for a ConfigMap is an error that says the way out', () => {
    const panels = Array.from({ length: 3000 }, (_, i) => ({ type: 'timeseries', title: `p${i}`, description: 'x'.repeat(400), targets: [{ expr: 'up', refId: 'A' }] }));
    const file = tempFile('huge.json', JSON.stringify({ uid: 'huge', title: 'Huge', panels }));
    const message = renderError({ grafana: { dashboardFiles: [file] } });
    expect(message).toMatch(/dashboard 'Huge' \(grafana.dashboardFiles\): is \d+ bytes, more than a ConfigMap can hold/);
    expect(message).toContain("set grafana.dashboardDelivery: 'grafana-operator'");
  });

  describeWithSharedCrds('with grafana-operator delivery', (schemas) => {
    test('each dashboard is a GrafanaDashboard with gzip-compressed JSON, valid against the CRD', () => {
      const operator = render({ grafana: { dashboardDelivery: 'grafana-operator' } });
      const resources = operator.objects.filter((o) => o.manifest.kind === 'GrafanaDashboard');
      expect(resources.length).toBe(operator.dashboards.length);
      for (const r of resources) expect(schemas().validate(r.manifest)).toEqual([]);
      const json = JSON.parse(gunzipSync(Buffer.from(at(resources[0].manifest, 'spec.gzipJson') as string, 'base64')).toString());
      expect(json.uid).toBe(operator.dashboards[0].json.uid);
      expect(operator.objects.filter((o) => o.manifest.kind === 'ConfigMap' && at(o.manifest, 'metadata.labels.grafana_dashboard'))).toEqual([]);
    });
  });
});

describe('dashboards from files', () => {
  const exported = render({ grafana: { dashboardFiles: [FIXTURE] }, rules: { knownMetrics: ['http_requests_total', 'job:checkout_request_duration_seconds:p99_5m'] } });
  const checkout = exported.dashboards.find((d) => d.json.uid === 'checkout')!;

  test('a Grafana JSON export is picked up, normalized and delivered', () => {
    expect(checkout.folder).toBe('Custom');
    expect(checkout.json).not.toHaveProperty('__inputs');
    expect(checkout.json).not.toHaveProperty('id');
    expect(allPanels(checkout.json).map((p) => p.datasource)).toEqual([{ type: 'prometheus', uid: '${datasource}' }, { type: 'prometheus', uid: '${datasource}' }]);
    expect(((checkout.json.templating as { list: Array<{ name: string }> }).list).map((v) => v.name)).toEqual(['datasource', 'cluster']);
    expect(find(exported, 'ConfigMap', 'grafana-dashboard-checkout')).toBeDefined();
  });

  test('an unknown metric in a panel is reported with the dashboard and the panel', () => {
    const [warning] = render({ grafana: { dashboardFiles: [FIXTURE] } }).warnings.filter((w) => w.code === 'promql/unknown-metric');
    expect(warning.where).toBe("dashboard 'Checkout' › panel 'Requests per second by status code'");
    expect(warning.message).toContain("metric 'http_requests_total'");
  });

  test('a broken query, a missing uid, a duplicate uid and invalid JSON are errors naming the file', () => {
    const broken = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
    broken.panels[0].targets[0].expr = 'sum(rate(http_requests_total[5m])';
    expect(renderError({ grafana: { dashboardFiles: [tempFile('b.json', JSON.stringify(broken))] }, rules: { knownMetrics: ['http_requests_total'] } }))
      .toContain("dashboard 'Checkout' › panel 'Requests per second by status code': syntax error at column");
    expect(renderError({ grafana: { dashboardFiles: [tempFile('n.json', JSON.stringify({ title: 'x', panels: [{}] }))] } })).toContain('grafana.dashboardFiles[0] (n.json): has no uid');
    expect(renderError({ grafana: { dashboardFiles: [FIXTURE, FIXTURE] } })).toContain("uid 'checkout' is also the uid of 'Checkout'");
    expect(renderError({ grafana: { dashboardFiles: [tempFile('j.json', '{ "uid": ')] } })).toContain('grafana.dashboardFiles[0] (j.json): is not valid JSON');
  });

  test('a TypeScript dashboard module is picked up', () => {
    const module = path.resolve(__dirname, '..', 'fixtures', 'dashboards', 'module.ts');
    const stackWithModule = render({ grafana: { dashboardFiles: [module] } });
    expect(stackWithModule.dashboards.map((d) => d.json.uid)).toContain('orders');
  });
});
