// The "## Security" section of SUMMARY.md: GIVEN the default stack's final objects (some changed) WHEN reported THEN
// each table says what a reviewer needs, read from what is written.
import * as path from 'path';
import { securityReport } from '../../src/analyze/security-report';
import { loadStackFile } from '../../src/load/stack-file';
import type { Manifest, RenderedObject } from '../../src/synth/pipeline';
import { renderStack } from '../../src/synth/pipeline';
import { stackFiles } from '../../src/synth/layout';
import { renderError } from '../helpers';

const stack = renderStack(loadStackFile(path.resolve(__dirname, '..', '..', 'stacks', 'default.ts')));
const report = securityReport(stack.model.objects, stack.model.values.common.network);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const manifests = (kind: string) => stack.model.objects.map((o) => o.manifest).filter((m) => m.kind === kind);
const one = (kind: string, name: string): Json => {
  const found = manifests(kind).filter((m) => m.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0] as Json;
};

/** A deep copy of the objects, `change` applied to the one of this kind and name. */
function withChange(kind: string, name: string, change: (m: Json) => void): RenderedObject[] {
  const copy = structuredClone(stack.model.objects) as RenderedObject[];
  const target = copy.filter((o) => o.manifest.kind === kind && o.manifest.metadata.name === name);
  if (target.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${target.length}`);
  change(target[0].manifest as Json);
  return copy;
}
const withAdded = (...extra: Json[]): RenderedObject[] => [...structuredClone(stack.model.objects), ...extra.map((m) => ({ component: 'extra', manifest: m as Manifest }))];

/** The rows of the table under `### heading`, as cells; in a row that continues a group (first cell blank), blank cells repeat the row above. */
function rows(text: string, heading: string): string[][] {
  const lines = text.split('\n');
  const start = lines.indexOf(`### ${heading}`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const table: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('### ')) break;
    if (!line.startsWith('| ') || line.startsWith('|---')) continue;
    const cells = line.slice(2, -2).split(' | ').map((c) => c.trim());
    const above = table[table.length - 1];
    table.push(above && cells[0] === '' ? cells.map((c, i) => (c === '' ? above[i] : c)) : cells);
  }
  return table.slice(1); // without the header
}

const nodeExporterNamespace = one('DaemonSet', 'node-exporter').metadata.namespace as string;

describe('Pod Security per namespace', () => {
  test('names every Namespace the stack writes with its Pod Security labels, and the pods that run there', () => {
    const namespaces = manifests('Namespace');
    expect(namespaces.length).toBeGreaterThan(0);
    const table = rows(report, 'Pod Security per namespace');
    for (const ns of namespaces) {
      const label = (mode: string) => ns.metadata.labels?.[`pod-security.kubernetes.io/${mode}`];
      const expected = [label('enforce') ?? 'privileged (unset)', label('audit') ?? 'unset', label('warn') ?? 'unset'];
      expect(table.filter((r) => r[0] === `\`${ns.metadata.name}\``).map((r) => r.slice(1, 4))).toContainEqual(expected);
    }
    const pods = table.map((r) => `${r[0]} ${r[4]}`);
    for (const [kind, name] of [['Deployment', 'grafana'], ['Deployment', 'prometheus-operator'], ['Prometheus', 'k8s'], ['Alertmanager', 'main'], ['DaemonSet', 'node-exporter']]) {
      expect(pods).toContain(`\`${one(kind, name).metadata.namespace}\` ${kind} ${name}`);
    }
  });

  test('says the strictest level each pod meets, what it takes from its node, and which of its namespace\'s modes it falls short of', () => {
    const table = rows(report, 'Pod Security per namespace');
    expect(table.find((r) => r[4] === 'Deployment grafana')?.[5]).toBe('restricted');
    // node-exporter shares the host's network, PID namespace and filesystem: it meets only privileged.
    const nodeExporter = table.find((r) => r[4] === 'DaemonSet node-exporter');
    expect(nodeExporter?.[5]).toMatch(/^privileged/);
    expect(nodeExporter?.[6]).toBe('hostNetwork, hostPID, hostPath `/proc`, `/sys`, `/`, hostPort 9100/TCP');
    const warned = securityReport(withChange('Namespace', nodeExporterNamespace, (n) => {
      n.metadata.labels['pod-security.kubernetes.io/enforce'] = 'privileged';
      n.metadata.labels['pod-security.kubernetes.io/audit'] = 'restricted';
      delete n.metadata.labels['pod-security.kubernetes.io/warn'];
    }));
    expect(rows(warned, 'Pod Security per namespace').find((r) => r[4] === 'DaemonSet node-exporter')?.slice(1, 6))
      .toEqual(['privileged', 'restricted', 'unset', 'DaemonSet node-exporter', 'privileged (**⚠ below audit restricted**)']);
  });

  test('a Namespace without an enforce label says it admits anything', () => {
    const text = securityReport(withChange('Namespace', 'monitoring', (n) => { delete n.metadata.labels['pod-security.kubernetes.io/enforce']; }));
    expect(rows(text, 'Pod Security per namespace').find((r) => r[0] === '`monitoring`')?.[1]).toBe('privileged (unset)');
  });
});

describe('RBAC per ServiceAccount', () => {
  const operatorRows = () => rows(report, 'RBAC per ServiceAccount').filter((r) => r[0] === '`monitoring/prometheus-operator`');

  test("names the operator's ServiceAccount, the pods using it, and its ClusterRole's resources and verbs, cluster-wide", () => {
    const table = operatorRows();
    expect(table[0].slice(1, 4)).toEqual([
      'Deployment prometheus-operator (token mounted)',
      'ClusterRole prometheus-operator<br>(ClusterRoleBinding prometheus-operator)',
      'cluster-wide',
    ]);
    expect(table.map((r) => r.slice(4))).toContainEqual(['core', 'configmaps, secrets', 'get, list, watch, create, update, patch, delete, deletecollection']);
    expect(table.find((r) => r[4] === 'monitoring.coreos.com')?.[5]).toContain('prometheuses (+/finalizers, /status)');
    // One row per rule of the ClusterRole as written, with its verbs.
    const rules = one('ClusterRole', 'prometheus-operator').rules as Array<{ verbs: string[] }>;
    expect(table.map((r) => r[6])).toEqual(rules.map((r) => r.verbs.join(', ')));
    expect(report).not.toContain('⚠ wildcard');
  });

  test('a role with a wildcard is flagged (the synth refuses it; the report says it when asked)', () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'everything' },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get'] }, { apiGroups: [''], resources: ['pods'], verbs: ['*'] }],
    };
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'everything' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'everything' },
      subjects: [{ kind: 'ServiceAccount', name: 'grafana', namespace: 'monitoring' }, { kind: 'Group', name: 'auditors' }],
    };
    expect(renderError({ extraObjects: [role, binding] })).toContain("ClusterRole everything › rules[0]: grants '*' in apiGroups, resources");
    const table = rows(securityReport(withAdded(role, binding)), 'RBAC per ServiceAccount');
    const grafana = table.filter((r) => r[0] === '`monitoring/grafana`' && r[2].startsWith('ClusterRole everything'));
    expect(grafana.map((r) => r.slice(3))).toEqual([
      ['cluster-wide', '`*` **⚠ wildcard**', '`*` **⚠ wildcard**', 'get'],
      ['cluster-wide', 'core', 'pods', '`*` **⚠ wildcard**'],
    ]);
    // A subject that is no ServiceAccount is listed too, after the ServiceAccounts.
    expect(table[table.length - 1].slice(0, 4)).toEqual(['Group `auditors`', '—', 'ClusterRole everything<br>(ClusterRoleBinding everything)', 'cluster-wide']);
  });

  test("says whether a ServiceAccount's pods mount its token: the pod's setting, else the ServiceAccount's", () => {
    const subject = `\`${nodeExporterNamespace}/node-exporter\``;
    const usedBy = (objects: readonly RenderedObject[]) => rows(securityReport(objects), 'RBAC per ServiceAccount').find((r) => r[0] === subject)?.[1];
    expect(usedBy(withChange('DaemonSet', 'node-exporter', (d) => { d.spec.template.spec.automountServiceAccountToken = false; }))).toBe('DaemonSet node-exporter (no token)');
    expect(usedBy(withChange('DaemonSet', 'node-exporter', (d) => { d.spec.template.spec.automountServiceAccountToken = true; }))).toBe('DaemonSet node-exporter (token mounted)');
    const byAccount = withChange('DaemonSet', 'node-exporter', (d) => { delete d.spec.template.spec.automountServiceAccountToken; });
    const account = byAccount.find((o) => o.manifest.kind === 'ServiceAccount' && o.manifest.metadata.name === 'node-exporter')!.manifest as Json;
    account.automountServiceAccountToken = false;
    expect(usedBy(byAccount)).toBe('DaemonSet node-exporter (no token)');
  });
});

describe('NetworkPolicies', () => {
  test("describes a policy's ingress in words: who, on which ports", () => {
    const policy = one('NetworkPolicy', 'prometheus-operator');
    const ports = (policy.spec.ingress[0].ports as Array<{ port: number; protocol: string }>).map((p) => `${p.port}/${p.protocol}`).join(', ');
    expect(ports).not.toBe('');
    const row = rows(report, 'NetworkPolicies').find((r) => r[0] === '`monitoring/prometheus-operator`');
    expect(row?.slice(1, 3)).toEqual(['Deployment prometheus-operator', `from Prometheus k8s on ${ports}`]);
  });

  test('an empty rule or peer list is said plainly: any source, any destination', () => {
    const text = securityReport(withChange('NetworkPolicy', 'grafana', (p) => {
      p.spec.ingress = [{ ports: [{ port: 3000, protocol: 'TCP' }] }];
      p.spec.egress = [{}];
    }));
    expect(rows(text, 'NetworkPolicies').find((r) => r[0] === '`monitoring/grafana`')?.slice(2)).toEqual([
      'from **any source** on 3000/TCP', 'to **any destination** on any port',
    ]);
  });

  test('peers in other namespaces and address blocks are named', () => {
    const text = securityReport(withChange('NetworkPolicy', 'grafana', (p) => {
      p.spec.policyTypes = ['Ingress', 'Egress'];
      p.spec.egress = [
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 443, protocol: 'TCP' }] },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }, { ipBlock: { cidr: '192.168.1.0/24' } }], ports: [{ port: 6443, protocol: 'TCP' }] },
        { to: [{ namespaceSelector: {} }] },
      ];
    }));
    expect(rows(text, 'NetworkPolicies').find((r) => r[0] === '`monitoring/grafana`')?.[3]?.split('<br>')).toEqual([
      'to pods `k8s-app=kube-dns` in namespace `kube-system` on 53/UDP',
      'to `0.0.0.0/0` (any address) except `10.0.0.0/8` on 443/TCP',
      'to any address or `192.168.1.0/24` on 6443/TCP',
      'to every pod of every namespace on any port',
    ]);
  });
});

describe('Exposed ports', () => {
  test('every Service with its type and ports, and the host-network pods', () => {
    const table = rows(report, 'Exposed ports');
    for (const s of manifests('Service')) expect(table.map((r) => r[0])).toContain(`Service \`${s.metadata.namespace}/${s.metadata.name}\``);
    const grafana = one('Service', 'grafana').spec.ports as Array<{ port: number; protocol: string; targetPort: string }>;
    expect(table.find((r) => r[0] === 'Service `monitoring/grafana`')?.slice(1)).toEqual(['ClusterIP', grafana.map((p) => `${p.port}/${p.protocol} → ${p.targetPort}`).join(', '), 'Deployment grafana']);
    expect(table.find((r) => r[0] === `DaemonSet \`${nodeExporterNamespace}/node-exporter\``)?.[1]).toBe("hostNetwork **⚠ on the node's addresses**");
  });

  test('a NodePort Service and an Ingress are said to reach outside the cluster', () => {
    const ingress = {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'grafana', namespace: 'monitoring' },
      spec: { ingressClassName: 'nginx', rules: [{ host: 'grafana.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'grafana', port: { number: 3000 } } } }] } }] },
    };
    const objects = withAdded(ingress).map((o) => (o.manifest.kind === 'Service' && o.manifest.metadata.name === 'grafana'
      ? { ...o, manifest: { ...o.manifest, spec: { ...(o.manifest.spec as Json), type: 'NodePort' } } } : o));
    const table = rows(securityReport(objects), 'Exposed ports');
    expect(table.find((r) => r[0] === 'Service `monitoring/grafana`')?.slice(1, 3)).toEqual(['NodePort **⚠ reachable from outside the cluster**', '3000/TCP → http (a node port)']);
    expect(table.find((r) => r[0] === 'Ingress `monitoring/grafana`')?.slice(1, 3)).toEqual(['class nginx', 'grafana.example.com/ → grafana:3000 (**plain HTTP**)']);
  });
});

describe('Scrape TLS and auth', () => {
  test("the API server's endpoint is verified with the cluster CA and authenticated by the ServiceAccount token", () => {
    const row = rows(report, 'Scrape TLS and auth').find((r) => r[0] === 'ServiceMonitor `monitoring/kube-apiserver`');
    expect(row?.slice(2)).toEqual([
      'HTTPS',
      'verified with CA file `/var/run/secrets/kubernetes.io/serviceaccount/ca.crt`, serverName `kubernetes`',
      'bearer token file `/var/run/secrets/kubernetes.io/serviceaccount/token`',
    ]);
  });

  test('insecureSkipVerify is "not verified", plain HTTP is said, and Secret credentials are named', () => {
    const text = securityReport(withChange('ServiceMonitor', 'grafana', (m) => {
      m.spec.endpoints = [
        { port: 'http', scheme: 'https', tlsConfig: { insecureSkipVerify: true }, basicAuth: { username: { name: 'scrape', key: 'user' }, password: { name: 'scrape', key: 'pass' } } },
        { port: 'http', scheme: 'https', tlsConfig: { ca: { secret: { name: 'grafana-ca', key: 'ca.crt' } }, serverName: 'grafana' }, authorization: { credentials: { name: 'scrape', key: 'token' } } },
        { port: 'http', path: '/other' },
      ];
    }));
    expect(rows(text, 'Scrape TLS and auth').filter((r) => r[0] === 'ServiceMonitor `monitoring/grafana`').map((r) => r.slice(1))).toEqual([
      ['port `http` /metrics', 'HTTPS', '**not verified** (insecureSkipVerify)', 'basic auth from Secret `monitoring/scrape`'],
      ['port `http` /metrics', 'HTTPS', 'verified with CA from Secret `monitoring/grafana-ca` key `ca.crt`, serverName `grafana`', 'authorization Bearer from Secret `monitoring/scrape` key `token`'],
      ['port `http` /other', 'HTTP', 'plain HTTP', 'none'],
    ]);
  });
});

describe('the section', () => {
  test('is in SUMMARY.md', () => {
    const summary = stackFiles(stack).find((f) => f.path.endsWith('SUMMARY.md'))!.content;
    expect(summary).toContain(report);
  });

  test('is the same text for the same model, whatever the order of its objects', () => {
    expect(securityReport(stack.model.objects, stack.model.values.common.network)).toBe(report);
    const reversed = [...structuredClone(stack.model.objects)].reverse();
    expect(securityReport(reversed, stack.model.values.common.network)).toBe(report);
  });

  test('keeps to short lines of text: no JSON', () => {
    expect(report).not.toMatch(/[{}"]/);
  });
});
