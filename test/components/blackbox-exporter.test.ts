import { parse } from 'yaml';
import type { StackValues } from '../../src';
import { at, find, objectsOf, podTemplate, render, renderError } from '../helpers';
import { describeWithSharedCrds } from '../crd-schemas';
import { DEFAULT_IMAGES } from '../../src/values/defaults';
import { OPERATOR_POD_SELECTORS } from '../../src/k8s/names';

const PROBES: StackValues['probes'] = [
  { name: 'shop', module: 'http_2xx', targets: ['https://shop.example.com/healthz', 'http://shop.shop.svc:8080/healthz'], labels: { team: 'shop' } },
  { name: 'database', module: 'tcp_connect', targets: ['10.20.0.5:5432'], interval: '1m' },
];

describe('blackbox exporter', () => {
  const stack = render({ probes: PROBES });
  const objects = objectsOf(stack, 'blackbox-exporter');
  const deployment = find(stack, 'Deployment', 'blackbox-exporter');
  const pod = podTemplate(deployment);
  const container = pod.spec.containers[0];
  const policy = find(stack, 'NetworkPolicy', 'blackbox-exporter');

  test('is there exactly when the stack has probes, unless set explicitly', () => {
    expect(objectsOf(render(), 'blackbox-exporter')).toEqual([]);
    expect(objects.map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`).sort()).toEqual([
      'ConfigMap/blackbox-exporter-configuration', 'ConfigMap/grafana-dashboard-o11y-blackbox-probes', 'Deployment/blackbox-exporter',
      'NetworkPolicy/blackbox-exporter', 'Probe/database', 'Probe/shop', 'PrometheusRule/blackbox-exporter-rules', 'Service/blackbox-exporter', 'ServiceAccount/blackbox-exporter', 'ServiceMonitor/blackbox-exporter',
    ]);
    expect(objectsOf(render({ blackboxExporter: { enabled: true } }), 'blackbox-exporter').map((o) => o.manifest.kind)).toContain('Deployment');
  });

  test('runs the pinned release non-root, read-only, without capabilities or token, with requests', () => {
    expect(container.image).toBe(`quay.io/prometheus/blackbox-exporter:${DEFAULT_IMAGES.blackboxExporter.tag}`);
    expect(DEFAULT_IMAGES.blackboxExporter.tag).toBe('v0.28.0');
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(at(pod, 'spec.automountServiceAccountToken')).toBe(false);
    expect(container.resources?.requests).toEqual({ cpu: '10m', memory: '32Mi' });
    expect(container.args).toEqual(['--config.file=/etc/blackbox-exporter/blackbox.yml', '--web.listen-address=:9115', '--config.enable-auto-reload']);
    // No sysctl without an icmp module.
    expect(at(pod, 'spec.securityContext.sysctls')).toBeUndefined();
  });

  test('renders the modules into blackbox.yml in the exporter\'s own spelling', () => {
    const configMap = find(stack, 'ConfigMap', 'blackbox-exporter-configuration');
    const config = parse((configMap.data as Record<string, string>)['blackbox.yml']) as { modules: Record<string, Record<string, unknown>> };
    expect(Object.keys(config.modules)).toEqual(['dns_kubernetes', 'http_2xx', 'http_post_2xx', 'irc_banner', 'pop3s_banner', 'ssh_banner', 'tcp_connect']);
    expect(config.modules.http_2xx).toEqual({ prober: 'http', http: { preferred_ip_protocol: 'ip4' } });
    expect(config.modules.http_post_2xx).toEqual({ prober: 'http', http: { method: 'POST', preferred_ip_protocol: 'ip4' } });
    expect(config.modules.pop3s_banner).toEqual({ prober: 'tcp', tcp: { preferred_ip_protocol: 'ip4', query_response: [{ expect: '^\\+OK' }], tls: true, tls_config: { insecure_skip_verify: false } } });
    expect(config.modules.dns_kubernetes).toEqual({ prober: 'dns', dns: { query_name: 'kubernetes.default.svc.cluster.local', query_type: 'A', preferred_ip_protocol: 'ip4' } });
    // The mounted file is what --config.file names.
    expect(at(pod, 'spec.volumes.0')).toEqual({ name: 'config', configMap: { name: 'blackbox-exporter-configuration' } });
    expect(at(container, 'volumeMounts.0')).toEqual({ name: 'config', mountPath: '/etc/blackbox-exporter', readOnly: true });
  });

  test('typed modules: every prober, merged over the defaults; tokens by reference, mounted from their Secret', () => {
    const withModules = render({
      probes: [{ name: 'api', module: 'http_api', targets: ['https://api.example.com'] }],
      blackboxExporter: {
        modules: {
          http_api: { prober: 'http', timeout: '5s', http: { validStatusCodes: [200, 204], method: 'GET', headers: { Accept: 'application/json' }, tlsConfig: { insecureSkipVerify: true }, failIfNotSsl: true, bearerToken: { name: 'api-token', key: 'token' } } },
          grpc_health: { prober: 'grpc', grpc: { service: 'shop', tls: true } },
          dns_example: { prober: 'dns', dns: { queryName: 'example.com', queryType: 'AAAA', transportProtocol: 'tcp' } },
        },
      },
    });
    const config = parse((find(withModules, 'ConfigMap', 'blackbox-exporter-configuration').data as Record<string, string>)['blackbox.yml']) as { modules: Record<string, unknown> };
    expect(config.modules.http_api).toEqual({
      prober: 'http', timeout: '5s',
      http: {
        valid_status_codes: [200, 204], method: 'GET', headers: { Accept: 'application/json' }, fail_if_not_ssl: true,
        tls_config: { insecure_skip_verify: true }, authorization: { type: 'Bearer', credentials_file: '/etc/blackbox-exporter/secrets/api-token/token' },
      },
    });
    expect(config.modules.grpc_health).toEqual({ prober: 'grpc', grpc: { service: 'shop', tls: true } });
    expect(config.modules.dns_example).toEqual({ prober: 'dns', dns: { query_name: 'example.com', query_type: 'AAAA', transport_protocol: 'tcp' } });
    expect(Object.keys(config.modules)).toContain('http_2xx');
    const p = podTemplate(find(withModules, 'Deployment', 'blackbox-exporter'));
    expect(p.spec.volumes).toContainEqual({ name: 'secret-api-token', secret: { secretName: 'api-token' } });
    expect(p.spec.containers[0].volumeMounts).toContainEqual({ name: 'secret-api-token', mountPath: '/etc/blackbox-exporter/secrets/api-token', readOnly: true });
  });

  test('an icmp module gets unprivileged ICMP for the pod\'s group (a safe sysctl), never NET_RAW', () => {
    const icmp = render({ probes: [{ name: 'gateway', module: 'icmp', targets: ['192.0.2.1'] }], blackboxExporter: { modules: { icmp: { prober: 'icmp' } } } });
    const p = podTemplate(find(icmp, 'Deployment', 'blackbox-exporter'));
    expect(at(p, 'spec.securityContext.sysctls')).toEqual([{ name: 'net.ipv4.ping_group_range', value: '65534 65534' }]);
    expect(p.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 });
    expect(p.spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // ICMP has no port, and NetworkPolicies no ICMP protocol: that address, every port.
    expect(at(find(icmp, 'NetworkPolicy', 'blackbox-exporter'), 'spec.egress')).toContainEqual({ to: [{ ipBlock: { cidr: '192.0.2.1/32' } }] });
  });

  test('only Prometheus may reach it, on the probe port', () => {
    expect(at(policy, 'spec.ingress')).toEqual([{
      from: [{ podSelector: { matchLabels: { ...OPERATOR_POD_SELECTORS.prometheus } } }],
      ports: [{ port: 9115, protocol: 'TCP' }],
    }]);
    expect(at(policy, 'spec.policyTypes')).toEqual(['Ingress', 'Egress']);
  });

  test('egress: DNS, and each target where it is: outside the cluster on its URL\'s port, a Service\'s namespace, an address', () => {
    const egress = at(policy, 'spec.egress') as unknown[];
    expect(egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    });
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    expect(egress).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }] });
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.20.0.5/32' } }], ports: [{ port: 5432, protocol: 'TCP' }] });
    expect(egress).toHaveLength(4);
    // Nothing else: the exporter would reach whatever a caller names.
    expect(egress).not.toContainEqual(expect.objectContaining({ ports: [{ port: 80, protocol: 'TCP' }] }));
  });

  test('"anywhere" egress keeps out the cluster\'s own CIDRs; targets of several probes merge per peer', () => {
    const merged = render({
      common: { network: { clusterCidrs: ['10.96.0.0/12'] } },
      probes: [
        { name: 'a', module: 'http_2xx', targets: ['https://a.example.com', 'http://b.example.com:8080/'] },
        { name: 'b', module: 'http_2xx', targets: ['https://c.example.com'] },
        { name: 'dns', module: 'dns_kubernetes', targets: ['1.1.1.1'] },
      ],
    });
    const egress = at(find(merged, 'NetworkPolicy', 'blackbox-exporter'), 'spec.egress') as unknown[];
    expect(egress).toContainEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.96.0.0/12'] } }, { ipBlock: { cidr: '::/0' } }],
      ports: [{ port: 443, protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }],
    });
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: '1.1.1.1/32' } }], ports: [{ port: 53, protocol: 'UDP' }] });
  });

  test('Probe objects point at the exporter\'s Service with the module, targets, labels and interval', () => {
    const shop = find(stack, 'Probe', 'shop');
    expect(shop.metadata.namespace).toBe('monitoring');
    expect(shop.spec).toEqual({
      prober: { url: 'blackbox-exporter.monitoring.svc:9115' },
      module: 'http_2xx',
      targets: { staticConfig: { static: ['https://shop.example.com/healthz', 'http://shop.shop.svc:8080/healthz'], labels: { team: 'shop' } } },
    });
    expect(at(find(stack, 'Probe', 'database'), 'spec.interval')).toBe('1m');
    expect(at(find(stack, 'Service', 'blackbox-exporter'), 'spec.ports')).toEqual([{ name: 'http', port: 9115, targetPort: 'http', protocol: 'TCP' }]);
    // Prometheus selects every Probe by default.
    expect(at(find(stack, 'Prometheus', 'k8s'), 'spec.probeSelector')).toEqual({});
  });

  test('Ingress targets: discovered by Prometheus, probed over HTTP(S) outside the cluster', () => {
    const ingress = render({ probes: [{ name: 'ingresses', module: 'http_2xx', targets: { ingress: { selector: { probe: 'yes' }, namespaces: ['shop'] } }, labels: { team: 'web' } }] });
    expect(at(find(ingress, 'Probe', 'ingresses'), 'spec.targets')).toEqual({
      ingress: { selector: { matchLabels: { probe: 'yes' } }, namespaceSelector: { matchNames: ['shop'] }, relabelingConfigs: [{ action: 'replace', targetLabel: 'team', replacement: 'web' }] },
    });
    expect(at(find(ingress, 'NetworkPolicy', 'blackbox-exporter'), 'spec.egress')).toContainEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }],
    });
  });

  test('stack.probe() in the customize hook starts the exporter and opens egress to its targets', () => {
    const hooked = render({}, (s) => {
      s.probe({ name: 'docs', module: 'http_2xx', targets: ['https://docs.example.com:8443'] });
    });
    expect(at(find(hooked, 'Probe', 'docs'), 'spec.module')).toBe('http_2xx');
    expect(at(find(hooked, 'NetworkPolicy', 'blackbox-exporter'), 'spec.egress')).toContainEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ port: 8443, protocol: 'TCP' }],
    });
    expect(renderError({}, (s) => {
      s.probe({ name: 'docs', module: 'htp_2xx', targets: ['https://docs.example.com'] });
    })).toContain('probe(docs).module');
  });

  test('is scraped for its own metrics, brings the probe alerts and the probes dashboard, and declares what they read', () => {
    expect(at(find(stack, 'ServiceMonitor', 'blackbox-exporter'), 'spec.endpoints')).toEqual([{ port: 'http' }]);
    const alerts = stack.model.rules.filter((s) => s.component === 'blackbox-exporter').flatMap((s) => s.groups.flatMap((g) => g.rules.map((r) => ('alert' in r ? r.alert : r.record))));
    expect(alerts).toEqual(['ProbeFailed', 'ProbeSlow', 'ProbeHttpStatusCode', 'SslCertificateWillExpireSoon', 'SslCertificateExpired', 'BlackboxConfigReloadFailure']);
    expect(stack.dashboards.map((d) => d.json.title)).toContain('Blackbox / Probes');
    // Every metric its rules and dashboard read is in the catalogue.
    expect(stack.warnings.filter((w) => w.code?.startsWith('promql/unknown-metric'))).toEqual([]);
    // The one probe warning: a target Service outside the stack, whose pods and policies are unknown.
    expect(stack.warnings.filter((w) => /blackbox|probe/i.test(`${w.where} ${w.message}`)).map((w) => `${w.code} ${w.where}`)).toEqual(['policy/flow-unchecked Deployment monitoring/blackbox-exporter']);
  });

  test('the flow analyzer follows probes: Prometheus to the prober, the prober to a URL target in the stack', () => {
    // The ServiceMonitor is made to select nothing, so that the scrape left is the Probe's.
    const narrowed = renderError({ probes: PROBES, patches: [
      { kind: 'NetworkPolicy', name: 'blackbox-exporter', ops: [{ op: 'replace', path: '/spec/ingress', value: [] }] },
      { kind: 'ServiceMonitor', name: 'blackbox-exporter', ops: [{ op: 'replace', path: '/spec/selector/matchLabels', value: { nothing: 'selected' } }] },
    ] });
    expect(narrowed).toContain('Prometheus scrapes Probe monitoring/shop through its prober blackbox-exporter.monitoring.svc:9115');
    // Grafana admits its users and Prometheus, not the exporter: the probe could not work, so the synth says so.
    const blocked = renderError({ probes: [{ name: 'grafana', module: 'http_2xx', targets: ['http://grafana.monitoring.svc:3000/api/health'] }] });
    expect(blocked).toContain('NetworkPolicy monitoring/grafana: blocks a flow the stack needs');
    expect(blocked).toContain('probes http://grafana.monitoring.svc:3000/api/health for Probe monitoring/grafana');
  });
});

describe('blackbox exporter: bad input is rejected, naming the field', () => {
  test('an unknown module names probes[i].module with the known modules and the closest', () => {
    const message = renderError({ probes: [PROBES[0], { name: 'x', module: 'http_2xxx', targets: ['https://example.com'] }] });
    expect(message).toContain('probes[1].module');
    expect(message).toContain('known: dns_kubernetes, http_2xx, http_post_2xx');
    expect(message).toContain("did you mean 'http_2xx'?");
  });

  test('targets the module\'s prober cannot read', () => {
    expect(renderError({ probes: [{ name: 'x', module: 'http_2xx', targets: ['example.com'] }] })).toContain('probes[0].targets[0]');
    expect(renderError({ probes: [{ name: 'x', module: 'tcp_connect', targets: ['https://example.com'] }] })).toContain('host:port');
    expect(renderError({ probes: [{ name: 'x', module: 'http_2xx', targets: [] }] })).toContain('probes[0].targets: is empty');
    expect(renderError({ probes: [{ name: 'x', module: 'tcp_connect', targets: { ingress: {} } }] })).toContain('probes[0].targets.ingress');
  });

  test('names, intervals, duplicates, and probes without the exporter', () => {
    expect(renderError({ probes: [{ name: 'Shop', module: 'http_2xx', targets: ['https://example.com'] }] })).toContain('probes[0].name');
    expect(renderError({ probes: [{ name: 'x', module: 'http_2xx', targets: ['https://example.com'], interval: 'often' }] })).toContain('probes[0].interval');
    expect(renderError({ probes: [PROBES[0], PROBES[0]] })).toContain('probes[1].name');
    expect(renderError({ probes: PROBES, blackboxExporter: { enabled: false } })).toContain('blackboxExporter.enabled');
  });

  test('modules the exporter would refuse, and credentials written inline', () => {
    const bad = (modules: NonNullable<StackValues['blackboxExporter']>['modules']) => renderError({ blackboxExporter: { enabled: true, modules } });
    expect(bad({ dns_x: { prober: 'dns', dns: { queryName: '' } } })).toContain('blackboxExporter.modules.dns_x.dns.queryName');
    expect(bad({ ping: { prober: 'icmp', icmp: { ttl: 300 } } })).toContain('blackboxExporter.modules.ping.icmp.ttl');
    expect(bad({ h: { prober: 'http', http: { validStatusCodes: [700] } } })).toContain('blackboxExporter.modules.h.http.validStatusCodes[0]');
    expect(bad({ h: { prober: 'http', http: { failIfBodyMatchesRegexp: ['(unclosed'] } } })).toContain('blackboxExporter.modules.h.http.failIfBodyMatchesRegexp[0]');
    // The schema knows each prober's options.
    expect(bad({ h: { prober: 'http', http: { methd: 'GET' } } as never })).toContain('methd');
    const inline = bad({ h: { prober: 'http', http: { headers: { Authorization: 'Bearer abc' } } } });
    expect(inline).toContain('blackboxExporter.modules.h.http.headers.Authorization');
    expect(inline).toContain('bearerToken');
    expect(inline).not.toContain('abc');
  });
});

describeWithSharedCrds('blackbox exporter Probes against the upstream CRD', (schemas) => {
  test('static, labelled and Ingress Probes validate', () => {
    const stack = render({ probes: [...PROBES!, { name: 'ingresses', module: 'http_2xx', targets: { ingress: { selector: { probe: 'yes' } } }, labels: { team: 'web' } }] });
    const probes = stack.objects.filter((o) => o.manifest.kind === 'Probe');
    expect(probes).toHaveLength(3);
    for (const probe of probes) expect([probe.manifest.metadata.name, schemas().validate(probe.manifest)]).toEqual([probe.manifest.metadata.name, []]);
    expect(schemas().validate(find(stack, 'ServiceMonitor', 'blackbox-exporter'))).toEqual([]);
  });
});
