// GIVEN prometheus/alertmanager/grafana `ingress` or `httpRoute` and the proxy in `common` WHEN rendered THEN the
// Ingress or HTTPRoute to the component's Service, its external URL, and a NetworkPolicy that lets the proxy in on the
// served port and nothing else new.
import type { StackValues } from '../../src';
import { analyzeNetworkFlows, neededFlows } from '../../src/analyze/network-flows';
import { referencedSecrets } from '../../src/analyze/prerequisites';
import type { Manifest, RenderedStack } from '../../src/synth/pipeline';
import { describeWithSharedCrds } from '../crd-schemas';
import { at, find, render, renderError } from '../helpers';

const CONTROLLER = { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
const GATEWAY = { namespace: 'envoy-gateway-system', podLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'public' } };

const exposed: StackValues = {
  name: 'exposed',
  common: { ingressController: CONTROLLER },
  prometheus: { ingress: { host: 'prometheus.example.com', className: 'nginx', tls: { secretName: 'prometheus-tls' }, annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' } } },
  alertmanager: { ingress: { host: 'alertmanager.example.com' } },
  grafana: { ingress: { host: 'grafana.example.com', tls: { secretName: 'grafana-tls' } } },
};

const plain = render({ name: 'exposed' });
const stack = render(exposed);

const ofKind = (s: RenderedStack, kind: string) => s.objects.filter((o) => o.manifest.kind === kind).map((o) => o.manifest);
const policyIngress = (s: RenderedStack, name: string) => at(find(s, 'NetworkPolicy', name), 'spec.ingress') as unknown[];
const iniOf = (s: RenderedStack) => (find(s, 'ConfigMap', 'grafana-config') as Manifest & { data: Record<string, string> }).data['grafana.ini'];

describe('nothing is exposed by default', () => {
  test('no Ingress, no HTTPRoute, no external URL, no route prefix', () => {
    expect(ofKind(plain, 'Ingress')).toEqual([]);
    expect(ofKind(plain, 'HTTPRoute')).toEqual([]);
    expect(at(find(plain, 'Prometheus', 'k8s'), 'spec.externalUrl')).toBeUndefined();
    expect(at(find(plain, 'Prometheus', 'k8s'), 'spec.routePrefix')).toBeUndefined();
    expect(at(find(plain, 'Alertmanager', 'main'), 'spec.externalUrl')).toBeUndefined();
    expect(iniOf(plain)).not.toContain('root_url');
  });
});

describe('an Ingress per exposed component', () => {
  test.each([
    ['prometheus-k8s', 'prometheus.example.com', 9090],
    ['alertmanager-main', 'alertmanager.example.com', 9093],
    ['grafana', 'grafana.example.com', 3000],
  ])('%s: host %s, path / (Prefix), backend its Service port %d', (name, host, port) => {
    const ingress = find(stack, 'Ingress', name);
    expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
    expect(ingress.metadata.namespace).toBe('monitoring');
    expect(at(ingress, 'spec.rules')).toEqual([{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: port } } } }] } }]);
    // The backend is a Service of the stack, with that port.
    const service = find(stack, 'Service', name);
    expect((at(service, 'spec.ports') as Array<{ port: number }>).map((p) => p.port)).toContain(port);
  });

  test('TLS with the Secret by reference, the IngressClass and annotations as given', () => {
    const ingress = find(stack, 'Ingress', 'prometheus-k8s');
    expect(at(ingress, 'spec.tls')).toEqual([{ hosts: ['prometheus.example.com'], secretName: 'prometheus-tls' }]);
    expect(at(ingress, 'spec.ingressClassName')).toBe('nginx');
    expect(ingress.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt' });
    expect(at(find(stack, 'Ingress', 'alertmanager-main'), 'spec.tls')).toBeUndefined();
    expect(at(find(stack, 'Ingress', 'alertmanager-main'), 'spec.ingressClassName')).toBeUndefined();
  });

  test('the TLS Secrets are in the "Before you deploy" checklist, with their keys', () => {
    const secrets = referencedSecrets(stack.objects);
    expect(secrets.find((s) => s.name === 'prometheus-tls')).toMatchObject({ namespace: 'monitoring', keys: ['tls.crt', 'tls.key'], usedBy: ['Ingress/prometheus-k8s'] });
    expect(secrets.find((s) => s.name === 'grafana-tls')).toMatchObject({ keys: ['tls.crt', 'tls.key'], usedBy: ['Ingress/grafana'] });
    expect(stack.reports.join('\n')).toMatch(/^\| `monitoring` \| `prometheus-tls` \| `tls\.crt`, `tls\.key` \| Ingress\/prometheus-k8s: /m);
  });
});

describe('the NetworkPolicies let the controller in on the served port, and nothing else new', () => {
  test.each([['prometheus-k8s', 9090], ['alertmanager-main', 9093], ['grafana', 3000]])('%s: port %d', (name, port) => {
    const before = policyIngress(plain, name);
    const after = policyIngress(stack, name);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: CONTROLLER.podLabels } }],
      ports: [{ port, protocol: 'TCP' }],
    }]);
  });

  test('only what is exposed: an unexposed component\'s policy is unchanged, and egress is unchanged everywhere', () => {
    const onlyGrafana = render({ name: 'exposed', common: { ingressController: CONTROLLER }, grafana: { ingress: { host: 'grafana.example.com', tls: { secretName: 'grafana-tls' } } } });
    expect(policyIngress(onlyGrafana, 'prometheus-k8s')).toEqual(policyIngress(plain, 'prometheus-k8s'));
    expect(policyIngress(onlyGrafana, 'alertmanager-main')).toEqual(policyIngress(plain, 'alertmanager-main'));
    expect(ofKind(onlyGrafana, 'Ingress').map((i) => i.metadata.name)).toEqual(['grafana']);
    for (const name of ['prometheus-k8s', 'alertmanager-main', 'grafana']) {
      expect(at(find(stack, 'NetworkPolicy', name), 'spec.egress')).toEqual(at(find(plain, 'NetworkPolicy', name), 'spec.egress'));
    }
  });

  test('without podLabels, every pod of the controller namespace', () => {
    const s = render({ name: 'exposed', common: { ingressController: { namespace: 'ingress-nginx' } }, alertmanager: { ingress: { host: 'alertmanager.example.com' } } });
    expect(policyIngress(s, 'alertmanager-main').at(-1)).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: {} } }],
      ports: [{ port: 9093, protocol: 'TCP' }],
    });
  });

  test('the flow analyzer knows the controller -> component flows and finds them allowed', () => {
    const flows = analyzeNetworkFlows(stack.model).flows.filter((f) => f.need === 'exposure');
    expect(flows.map((f) => `${f.to.name}:${f.port}`).sort()).toEqual(['Alertmanager monitoring/main:9093', 'Deployment monitoring/grafana:3000', 'Prometheus monitoring/k8s:9090']);
    expect(flows.every((f) => f.verdict.allowed && f.verdict.ingress.reason === 'admitted')).toBe(true);
    expect(flows[0].from).toMatchObject({ kind: 'pod', namespace: 'ingress-nginx', labels: CONTROLLER.podLabels });
    expect(neededFlows(plain.model).filter((f) => f.need === 'exposure')).toEqual([]);
  });

  test('a policy narrowed by a patch blocks the controller: an error, named by the flow', () => {
    const message = renderError({ ...exposed, patches: [{ kind: 'NetworkPolicy', name: 'grafana', ops: [{ op: 'remove', path: '/spec/ingress/1' }] }] });
    expect(message).toContain('the ingress controller forwards Ingress monitoring/grafana to Service grafana port 3000');
  });
});

describe('external URLs match what is exposed', () => {
  test('Prometheus and Alertmanager externalUrl: https with tls, http without; Grafana root_url', () => {
    expect(at(find(stack, 'Prometheus', 'k8s'), 'spec.externalUrl')).toBe('https://prometheus.example.com/');
    expect(at(find(stack, 'Alertmanager', 'main'), 'spec.externalUrl')).toBe('http://alertmanager.example.com/');
    expect(iniOf(stack)).toContain('root_url = https://grafana.example.com/');
    expect(iniOf(stack)).not.toContain('serve_from_sub_path');
    // Served at /: no prefix anywhere.
    expect(at(find(stack, 'Prometheus', 'k8s'), 'spec.routePrefix')).toBeUndefined();
  });

  test('an explicit externalUrl or rootUrl wins', () => {
    const s = render({ ...exposed, prometheus: { ...exposed.prometheus, externalUrl: 'https://metrics.example.com/' }, grafana: { ...exposed.grafana, rootUrl: 'https://dash.example.com/' } });
    expect(at(find(s, 'Prometheus', 'k8s'), 'spec.externalUrl')).toBe('https://metrics.example.com/');
    expect(iniOf(s)).toContain('root_url = https://dash.example.com/');
  });

  test('under a sub path: routePrefix, self-scrape paths, the datasource and alert paths follow it', () => {
    const s = render({
      name: 'exposed',
      common: { ingressController: CONTROLLER },
      prometheus: { ingress: { host: 'ops.example.com', path: '/prometheus', tls: { secretName: 'ops-tls' } } },
      alertmanager: { ingress: { host: 'ops.example.com', path: '/alertmanager', tls: { secretName: 'ops-tls' } } },
      grafana: { ingress: { host: 'ops.example.com', path: '/grafana', tls: { secretName: 'ops-tls' } } },
    });
    const prometheus = find(s, 'Prometheus', 'k8s');
    expect(at(prometheus, 'spec.externalUrl')).toBe('https://ops.example.com/prometheus');
    expect(at(prometheus, 'spec.routePrefix')).toBe('/prometheus');
    expect(at(find(s, 'Alertmanager', 'main'), 'spec.externalUrl')).toBe('https://ops.example.com/alertmanager');
    expect(at(find(s, 'Alertmanager', 'main'), 'spec.routePrefix')).toBe('/alertmanager');
    expect(at(prometheus, 'spec.alerting.alertmanagers.0.pathPrefix')).toBe('/alertmanager');
    expect(at(find(s, 'Ingress', 'prometheus-k8s'), 'spec.rules.0.http.paths.0')).toMatchObject({ path: '/prometheus', pathType: 'Prefix' });
    expect(at(find(s, 'ServiceMonitor', 'prometheus-k8s'), 'spec.endpoints.0.path')).toBe('/prometheus/metrics');
    expect(at(find(s, 'ServiceMonitor', 'alertmanager-main'), 'spec.endpoints.0.path')).toBe('/alertmanager/metrics');
    expect((find(s, 'ConfigMap', 'grafana-datasources') as Manifest & { data: Record<string, string> }).data['datasources.yaml'])
      .toContain('url: http://prometheus-k8s.monitoring.svc:9090/prometheus');
    expect(iniOf(s)).toContain('root_url = https://ops.example.com/grafana/');
    expect(iniOf(s)).toContain('serve_from_sub_path = true');
    const grafana = (at(find(s, 'Deployment', 'grafana'), 'spec.template.spec.containers') as Array<{ name: string; readinessProbe?: unknown }>).find((c) => c.name === 'grafana');
    expect(at(grafana, 'readinessProbe.httpGet.path')).toBe('/grafana/api/health');
    expect(at(find(s, 'ServiceMonitor', 'grafana'), 'spec.endpoints.0.path')).toBe('/grafana/metrics');
  });
});

describeWithSharedCrds('under a sub path, the operator resources', (schemas) => {
  test('(routePrefix, pathPrefix, endpoint paths) are valid against the upstream CRD schemas', () => {
    const s = render({
      name: 'exposed',
      common: { ingressController: CONTROLLER },
      prometheus: { ingress: { host: 'ops.example.com', path: '/prometheus', tls: { secretName: 'ops-tls' } } },
      alertmanager: { ingress: { host: 'ops.example.com', path: '/alertmanager', tls: { secretName: 'ops-tls' } } },
    });
    for (const [kind, name] of [['Prometheus', 'k8s'], ['Alertmanager', 'main'], ['ServiceMonitor', 'prometheus-k8s'], ['ServiceMonitor', 'alertmanager-main']]) {
      expect(schemas().validate(find(s, kind, name))).toEqual([]);
    }
  });
});

describe('a Gateway API HTTPRoute instead', () => {
  const routed = render({
    name: 'exposed',
    common: { gatewayController: GATEWAY },
    grafana: { httpRoute: { hostnames: ['grafana.example.com', 'grafana.example.org'], parentRefs: [{ name: 'public', namespace: 'gateway', sectionName: 'https' }] } },
  });

  test('the HTTPRoute has every field Gateway API requires, to the Service port', () => {
    const route = find(routed, 'HTTPRoute', 'grafana') as Manifest & { spec: { parentRefs: Array<Record<string, unknown>>; hostnames: string[]; rules: Array<{ matches: unknown[]; backendRefs: Array<Record<string, unknown>> }> } };
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata).toMatchObject({ name: 'grafana', namespace: 'monitoring' });
    // Required by the CRD: parentRefs[].name; backendRefs[].name, and a port for a Service; path values start with '/'.
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateway', sectionName: 'https' }]);
    expect(route.spec.hostnames).toEqual(['grafana.example.com', 'grafana.example.org']);
    expect(route.spec.rules).toEqual([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'grafana', port: 3000 }] }]);
    expect(ofKind(routed, 'Ingress')).toEqual([]);
  });

  test('the Gateway\'s proxy pods are let in on 3000, the first host name is the root URL (https by default)', () => {
    expect(policyIngress(routed, 'grafana').at(-1)).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } }, podSelector: { matchLabels: GATEWAY.podLabels } }],
      ports: [{ port: 3000, protocol: 'TCP' }],
    });
    expect(iniOf(routed)).toContain('root_url = https://grafana.example.com/');
    const flows = analyzeNetworkFlows(routed.model).flows.filter((f) => f.need === 'exposure');
    expect(flows).toHaveLength(1);
    expect(flows[0].verdict.allowed).toBe(true);
  });
});

describe('bad exposure values are rejected, naming the field and the fix', () => {
  test('an ingress without common.ingressController', () => {
    const message = renderError({ prometheus: { ingress: { host: 'prometheus.example.com' } } });
    expect(message).toContain('common.ingressController: is not set, but prometheus.ingress exposes the component');
    expect(message).toContain("ingressController: { namespace: 'ingress-nginx'");
  });

  test('an httpRoute without common.gatewayController', () => {
    const message = renderError({ alertmanager: { httpRoute: { hostnames: ['am.example.com'], parentRefs: [{ name: 'public' }] } } });
    expect(message).toContain('common.gatewayController: is not set, but alertmanager.httpRoute exposes the component');
  });

  test('both ways at once, a bad host, a bad path, no parentRefs, a bad controller namespace', () => {
    const message = renderError({
      common: { ingressController: { namespace: 'Ingress_Nginx' }, gatewayController: GATEWAY },
      prometheus: { ingress: { host: 'https://prometheus.example.com' }, httpRoute: { hostnames: ['p.example.com'], parentRefs: [] } },
      grafana: { ingress: { host: 'grafana.example.com', path: '/grafana/', tls: { secretName: 'grafana-tls' } } },
    });
    expect(message).toContain('prometheus: has both ingress and httpRoute');
    expect(message).toContain("prometheus.ingress.host: 'https://prometheus.example.com' is not a host name");
    expect(message).toContain('prometheus.httpRoute.parentRefs: must list 1 to 32 Gateways, got 0');
    expect(message).toContain("grafana.ingress.path: '/grafana/' is not a path prefix");
    expect(message).toContain("common.ingressController.namespace: 'Ingress_Nginx' is not a namespace name");
  });

  test('Grafana over plain http while its cookie is secure-only: nobody could log in', () => {
    const message = renderError({ common: { ingressController: CONTROLLER }, grafana: { ingress: { host: 'grafana.example.com' } } });
    expect(message).toContain('grafana.cookieSecure: is true, but Grafana is served over plain http (http://grafana.example.com/)');
    const s = render({ name: 'exposed', common: { ingressController: CONTROLLER }, grafana: { ingress: { host: 'grafana.example.com' }, cookieSecure: false } });
    expect(iniOf(s)).toContain('root_url = http://grafana.example.com/');
  });
});

describe('the checks read the written objects, however they got there', () => {
  const controller = { common: { ingressController: { namespace: 'ingress-nginx' } } } as const;

  test('an Ingress given as an extra object puts its TLS Secret on the checklist like a generated one', () => {
    const stack = render({
      extraObjects: [{
        apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'by-hand', namespace: 'monitoring' },
        spec: { tls: [{ hosts: ['x.example.com'], secretName: 'by-hand-tls' }], rules: [{ host: 'x.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'grafana', port: { number: 3000 } } } }] } }] },
      }],
    });
    expect(referencedSecrets(stack.objects).find((s) => s.name === 'by-hand-tls')).toMatchObject({ keys: ['tls.crt', 'tls.key'], usedBy: ['Ingress/by-hand'] });
  });

  test('a patch that takes the controller out of Grafana\'s policy is a blocked flow, in values and in the customize hook alike', () => {
    const values: StackValues = { ...controller, grafana: { ingress: { host: 'grafana.example.com', tls: { secretName: 'grafana-tls' } } } };
    const grafanaPolicy = find(render(values), 'NetworkPolicy', 'grafana');
    const ingress = at(grafanaPolicy, 'spec.ingress') as Array<{ from?: Array<{ namespaceSelector?: { matchLabels?: Record<string, string> } }> }>;
    const index = ingress.findIndex((r) => JSON.stringify(r.from ?? []).includes('ingress-nginx'));
    expect(index).toBeGreaterThanOrEqual(0);
    const ops = [{ op: 'remove' as const, path: `/spec/ingress/${index}` }];
    const viaValues = renderError({ ...values, patches: [{ kind: 'NetworkPolicy', name: 'grafana', ops }] });
    const viaHook = renderError(values, (stack) => stack.patch('NetworkPolicy', 'grafana', ops));
    for (const message of [viaValues, viaHook]) expect(message).toMatch(/NetworkPolicy monitoring\/grafana: blocks a flow the stack needs: .*ingress-nginx/s);
  });
});
