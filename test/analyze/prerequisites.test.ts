// What must exist before the pods start and what Prometheus and Alertmanager take in, as SUMMARY.md and `o11y list`
// say it: read from the written objects, so patches and extra objects count like the values.
import { describeConsumer, referencedSecrets } from '../../src/analyze/prerequisites';
import { stackFiles } from '../../src/synth/layout';
import { at, find, render, renderError } from '../helpers';
import type { StackValues } from '../../src';

const summary = (values: StackValues) => stackFiles(render(values)).find((f) => f.path.endsWith('SUMMARY.md'))!.content;

const receivers: StackValues = {
  alertmanager: {
    receivers: [
      { name: 'null', type: 'null' },
      { name: 'oncall', type: 'webhook', url: 'https://oncall.example.com/hook', bearerToken: { name: 'oncall-token', key: 'token' } },
    ],
    route: { receiver: 'oncall', routes: [{ receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }] },
  },
};

describe('the Secrets checklist', () => {
  test('names every Secret the stack reads and does not create, with its namespace and keys', () => {
    const secrets = referencedSecrets(render({
      ...receivers,
      prometheus: { remoteWrite: [{ url: 'https://metrics.example.com/write', basicAuth: { username: { name: 'remote-write', key: 'user' }, password: { name: 'remote-write', key: 'pass' } } }] },
    }).objects);
    expect(secrets.map((s) => [`${s.namespace}/${s.name}`, s.keys])).toEqual([
      ['monitoring/grafana-admin', ['admin-password', 'admin-user']],
      ['monitoring/oncall-token', ['token']],
      ['monitoring/remote-write', ['pass', 'user']],
    ]);
    // The Alertmanager's own configuration Secret is written by the stack: not on the list.
    expect(secrets.some((s) => s.name.includes('config'))).toBe(false);
  });

  test('a Secret the stack writes as an extra object leaves the list; one a patch references joins it', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'grafana-admin', namespace: 'monitoring' }, type: 'Opaque', data: {} };
    const env = { name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: 'smtp', key: 'password' } } };
    const secrets = referencedSecrets(render({
      extraObjects: [secret],
      patches: [{ kind: 'Deployment', name: 'grafana', ops: [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: env }] }],
    }).objects);
    expect(secrets.map((s) => `${s.namespace}/${s.name}:${s.keys.join(',')}`)).toEqual(['monitoring/smtp:password']);
  });

  test('SUMMARY.md has it as a checklist table, each Secret with who reads it and how', () => {
    expect(summary(receivers)).toContain([
      '| namespace | name | keys | read by |',
      '|---|---|---|---|',
    ].join('\n'));
    expect(summary(receivers)).toContain('| `monitoring` | `oncall-token` | `token` | ' +
      'Alertmanager/main, container `alertmanager`: spec.secrets, at /etc/alertmanager/secrets/oncall-token/<br>' +
      'Secret/alertmanager-main-config: stringData.alertmanager.yaml reads /etc/alertmanager/secrets/oncall-token/token (key `token`) |');
  });
});

describe('who reads each Secret', () => {
  const consumers = (values: StackValues, name: string) => {
    const secret = referencedSecrets(render(values).objects).find((s) => s.name === name);
    if (!secret) throw new Error(`Secret ${name} is not on the list`);
    return secret.consumers.map((c) => describeConsumer(c));
  };

  test('a container through env secretKeyRef, with the variable and the key', () => {
    expect(consumers({}, 'grafana-admin')).toEqual([
      'Deployment/grafana, container grafana: env GF_SECURITY_ADMIN_PASSWORD (key admin-password)',
      'Deployment/grafana, container grafana: env GF_SECURITY_ADMIN_USER (key admin-user)',
    ]);
  });

  test('the containers that mount a Secret volume, and where; envFrom', () => {
    const values: StackValues = {
      patches: [{
        kind: 'Deployment', name: 'grafana', ops: [
          { op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'certs', secret: { secretName: 'grafana-tls', items: [{ key: 'tls.crt', path: 'tls.crt' }] } } },
          { op: 'add', path: '/spec/template/spec/containers/0/volumeMounts/-', value: { name: 'certs', mountPath: '/etc/grafana/tls', readOnly: true } },
          { op: 'add', path: '/spec/template/spec/containers/0/envFrom', value: [{ prefix: 'GF_', secretRef: { name: 'grafana-env' } }] },
        ],
      }],
    };
    expect(consumers(values, 'grafana-tls')).toEqual(['Deployment/grafana, container grafana: volume certs at /etc/grafana/tls (key tls.crt)']);
    expect(consumers(values, 'grafana-env')).toEqual(['Deployment/grafana, container grafana: envFrom (prefix GF_)']);
  });

  test('a custom resource by the field that names it: remote write credentials, a ServiceMonitor\'s TLS CA', () => {
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'app', namespace: 'monitoring' },
      spec: { selector: { matchLabels: { app: 'app' } }, endpoints: [{ port: 'https', scheme: 'https', tlsConfig: { ca: { secret: { name: 'app-ca', key: 'ca.crt' } }, serverName: 'app' } }] },
    };
    const values: StackValues = {
      prometheus: { remoteWrite: [{ url: 'https://metrics.example.com/write', basicAuth: { username: { name: 'remote-write', key: 'user' }, password: { name: 'remote-write', key: 'pass' } } }] },
      extraObjects: [monitor],
    };
    expect(consumers(values, 'remote-write')).toEqual([
      'Prometheus/k8s: spec.remoteWrite[0].basicAuth.password (key pass)',
      'Prometheus/k8s: spec.remoteWrite[0].basicAuth.username (key user)',
    ]);
    expect(consumers(values, 'app-ca')).toEqual(['ServiceMonitor/app: spec.endpoints[0].tlsConfig.ca.secret (key ca.crt)']);
  });
});

describe('what Prometheus and Alertmanager select', () => {
  test('by default everything, from every namespace, as kube-prometheus: other teams\' rules and configs are not ignored', () => {
    const stack = render();
    const prometheus = find(stack, 'Prometheus', 'k8s');
    for (const selector of ['ruleSelector', 'serviceMonitorSelector', 'podMonitorSelector', 'probeSelector', 'scrapeConfigSelector']) {
      expect([selector, at(prometheus, `spec.${selector}`)]).toEqual([selector, {}]);
    }
    expect(at(find(stack, 'Alertmanager', 'main'), 'spec.alertmanagerConfigSelector')).toEqual({});
    expect(at(find(stack, 'Alertmanager', 'main'), 'spec.alertmanagerConfigMatcherStrategy')).toEqual({ type: 'OnNamespace' });
    const text = summary({});
    expect(text).toContain('- Prometheus `k8s` loads ScrapeConfigs: all, in every namespace.');
    expect(text).toContain('- Alertmanager `main` merges AlertmanagerConfigs: all, in every namespace; each gets only the alerts of its own namespace.');
  });

  test('a label selection the stack\'s own objects carry is written and said', () => {
    const values: StackValues = { common: { ruleLabels: { role: 'alert-rules', team: 'platform' } }, prometheus: { select: { rules: { matchLabels: { team: 'platform' } } } } };
    expect(at(find(render(values), 'Prometheus', 'k8s'), 'spec.ruleSelector')).toEqual({ matchLabels: { team: 'platform' } });
    expect(summary(values)).toContain('- Prometheus `k8s` loads PrometheusRules: those labelled `team=platform`, in every namespace.');
  });

  test('a label selection that would drop the stack\'s own objects is refused, naming the field and the fix', () => {
    expect(renderError({ prometheus: { select: { serviceMonitors: { matchLabels: { scrape: 'yes' } } } } }))
      .toContain("prometheus.select.serviceMonitors: selects by scrape=yes, which the stack's own objects do not carry: they would be ignored\n    fix: add scrape=yes to common.labels, or select 'all'");
  });
});

describe('Prometheus storage and memory', () => {
  test('by default a volume, a retentionSize within it and memory sized from the cluster and the retention', () => {
    const spec = at(find(render(), 'Prometheus', 'k8s'), 'spec') as Record<string, unknown>;
    expect(at(spec, 'storage.volumeClaimTemplate.spec.resources.requests.storage')).toBe('7Gi');
    expect(spec.retentionSize).toBe('5GB');
    expect(spec.resources).toEqual({ requests: { cpu: '200m', memory: '768Mi' }, limits: { memory: '1536Mi' } });
    expect(summary({})).toContain('about 65000 active series, 7.3 GB for 15d of samples every 30s');
  });

  test('a bigger cluster and a longer retention get more memory and a bigger volume', () => {
    const spec = at(find(render({ prometheus: { sizing: { nodes: 50, pods: 2000 }, retention: '30d' } }), 'Prometheus', 'k8s'), 'spec') as Record<string, unknown>;
    // 295000 series: 1.7 GiB of head and 256 MiB, rounded up; 66 GB for 30d of samples every 30s.
    expect(spec.resources).toEqual({ requests: { cpu: '200m', memory: '2048Mi' }, limits: { memory: '4096Mi' } });
    expect(at(spec, 'storage.volumeClaimTemplate.spec.resources.requests.storage')).toBe('62Gi');
    expect(spec.retentionSize).toBe('49GB');
  });

  test('an emptyDir has a size limit and the TSDB a retentionSize within it', () => {
    const spec = at(find(render({ prometheus: { storage: { emptyDir: true, size: '10Gi' } } }), 'Prometheus', 'k8s'), 'spec') as Record<string, unknown>;
    expect(spec.storage).toEqual({ emptyDir: { sizeLimit: '10Gi' } });
    expect(spec.retentionSize).toBe('8GB');
  });

  test('a retentionSize the volume cannot hold is refused', () => {
    expect(renderError({ prometheus: { storage: { size: '10Gi' }, retentionSize: '20GB' } }))
      .toContain("prometheus.retentionSize: '20GB' does not fit the 10Gi volume with room for the WAL\n    fix: lower it to 8GB or less, or raise prometheus.storage.size");
  });
});
