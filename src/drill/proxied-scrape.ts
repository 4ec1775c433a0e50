// How the stack's Prometheus reaches node-exporter, read from the written objects: the kube-rbac-proxy container of
// the node-exporter DaemonSet (its args), the ServiceMonitor endpoint that scrapes it (scheme, token, TLS checks),
// the RBAC the stack's ClusterRoleBindings grant the proxy's and Prometheus' ServiceAccounts (what the drill's API
// server reviews against), and the cert-manager Certificates whose Secrets the proxy mounts. The drill plays exactly
// that; where the model has no proxy, or one the drill cannot reproduce, it says why and scrapes node_exporter directly.
import type { Manifest, StackModel } from '../model/stack-model';
import type { Endpoint, SafeTlsConfig } from '../k8s/monitoring';
import { NAMES, SERVICE_ACCOUNT_TOKEN } from '../k8s/names';
import { serviceAccountUser, type FakeUser, type PolicyRule } from './fake-apiserver';

/** A cert-manager Secret the proxy mounts: the drill issues it (a CA and a certificate for these names). */
export interface IssuedSecret {
  readonly secret: string;
  /** Where the proxy's container mounts it. */
  readonly mountPath: string;
  readonly dnsNames: readonly string[];
}

/** kube-rbac-proxy in front of node_exporter, as the stack's DaemonSet runs it and its ServiceMonitor scrapes it. */
export interface ProxiedScrape {
  /** The container's args as written: the drill replaces `--secure-listen-address` and `--upstream`, adds `--kubeconfig`. */
  readonly args: readonly string[];
  /** The proxy's ServiceAccount and Prometheus', with the RBAC rules the stack binds to them. */
  readonly proxyUser: FakeUser;
  readonly prometheusUser: FakeUser;
  /** The ServiceMonitor endpoint's: the path (as the SubjectAccessReview sees it), scheme, whether it sends Prometheus' token. */
  readonly metricsPath: string;
  /** The endpoint's port name: the `endpoint` label of its series. */
  readonly port: string;
  readonly scheme: 'http' | 'https';
  readonly sendsToken: boolean;
  readonly tls: { readonly insecureSkipVerify: boolean; readonly serverName?: string; readonly ca?: { readonly secret: string; readonly key: string } };
  readonly secrets: readonly IssuedSecret[];
}

/** The container that fronts node-exporter's metrics; a public contract with the component. */
export const RBAC_PROXY_CONTAINER = 'kube-rbac-proxy';

interface Container { name: string; args?: string[]; volumeMounts?: Array<{ name: string; mountPath: string }> }
interface PodSpec { serviceAccountName?: string; containers: Container[]; volumes?: Array<{ name: string; secret?: { secretName?: string } }> }
interface Binding { roleRef: { kind: string; name: string }; subjects?: Array<{ kind: string; name: string; namespace?: string }> }
interface Certificate { spec: { secretName: string; dnsNames?: string[] } }

const spec = <T>(m: Manifest | undefined) => (m as unknown as { spec: T } | undefined)?.spec;
/** Each rule as RBAC reads it (the written objects spell `nonResourceURLs`). */
const rulesOf = (m: Manifest | undefined) => ((m as unknown as { rules?: PolicyRule[] } | undefined)?.rules ?? []);

/** The rules the stack's ClusterRoleBindings grant a ServiceAccount (non-resource URLs can be granted no other way). */
export function clusterRules(model: StackModel, namespace: string, serviceAccount: string): PolicyRule[] {
  const objects = model.objects.map((o) => o.manifest);
  const roles = new Map(objects.filter((m) => m.kind === 'ClusterRole').map((m) => [m.metadata.name, m]));
  return objects
    .filter((m) => m.kind === 'ClusterRoleBinding')
    .map((m) => m as unknown as Binding)
    .filter((b) => b.roleRef.kind === 'ClusterRole' && (b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === serviceAccount && s.namespace === namespace))
    .flatMap((b) => rulesOf(roles.get(b.roleRef.name)));
}

/** How node-exporter is scraped through its proxy, or why the drill scrapes it directly. */
export function nodeExporterScrape(model: StackModel): ProxiedScrape | { readonly direct: string } {
  const find = (kind: string, name: string) => model.objects.find((o) => o.manifest.kind === kind && o.manifest.metadata.name === name)?.manifest;
  const daemonSet = find('DaemonSet', NAMES.nodeExporter);
  const pod = spec<{ template: { spec: PodSpec } }>(daemonSet)?.template.spec;
  const proxy = pod?.containers.find((c) => c.name === RBAC_PROXY_CONTAINER);
  if (!daemonSet || !pod || !proxy) return { direct: `the stack's node-exporter DaemonSet has no ${RBAC_PROXY_CONTAINER} container` };
  const namespace = daemonSet.metadata.namespace ?? model.values.common.namespace;
  const monitor = model.objects.find((o) => o.manifest.kind === 'ServiceMonitor' && o.manifest.metadata.name === NAMES.nodeExporter)?.manifest;
  const endpoint = spec<{ endpoints: Endpoint[] }>(monitor)?.endpoints[0] as (Endpoint & { authorization?: unknown }) | undefined;
  if (!endpoint) return { direct: 'no ServiceMonitor scrapes node-exporter (the OpenTelemetry Collector does), so there is no Prometheus scrape to play' };
  const prometheus = model.objects.find((o) => o.manifest.kind === 'Prometheus')?.manifest;
  if (!prometheus) return { direct: 'the stack has no Prometheus resource, so there is no ServiceAccount to scrape with' };
  const tls: SafeTlsConfig = endpoint.tlsConfig ?? {};
  const ownToken = endpoint.bearerTokenFile === SERVICE_ACCOUNT_TOKEN;
  if (!ownToken && (endpoint.bearerTokenFile !== undefined || endpoint.authorization !== undefined)) {
    return { direct: "the ServiceMonitor sends another token than Prometheus' ServiceAccount token, which the drill does not have" };
  }
  if (tls.caFile) return { direct: `the ServiceMonitor's CA is a file of the Prometheus pod (${tls.caFile}), which the drill does not have` };

  // cert-manager's Secrets the proxy mounts, which the drill issues as cert-manager would; any other file of the pod
  // that the args name cannot be reproduced.
  const certificates = new Map(model.objects.filter((o) => o.manifest.kind === 'Certificate').map((o) => spec<Certificate['spec']>(o.manifest)!).map((c) => [c.secretName, c.dnsNames ?? []]));
  const secretOf = (volume: string) => pod.volumes?.find((v) => v.name === volume)?.secret?.secretName;
  const secrets: IssuedSecret[] = [];
  for (const mount of proxy.volumeMounts ?? []) {
    const secret = secretOf(mount.name);
    if (secret !== undefined && certificates.has(secret)) secrets.push({ secret, mountPath: mount.mountPath, dnsNames: certificates.get(secret)! });
    else if ((proxy.args ?? []).some((a) => a.includes(`=${mount.mountPath}`))) {
      return { direct: `${RBAC_PROXY_CONTAINER}'s args name files of its volume ${mount.name} (${mount.mountPath}), which the drill cannot reproduce` };
    }
  }
  if (tls.ca && !certificates.has(tls.ca.secret.name)) {
    return { direct: `the ServiceMonitor's CA is in Secret ${tls.ca.secret.name}, which no cert-manager Certificate of the stack writes` };
  }
  if (tls.ca && !secrets.some((s) => s.secret === tls.ca!.secret.name)) {
    secrets.push({ secret: tls.ca.secret.name, mountPath: '', dnsNames: certificates.get(tls.ca.secret.name)! });
  }
  const prometheusAccount = spec<{ serviceAccountName?: string }>(prometheus)?.serviceAccountName ?? 'default';
  const prometheusNamespace = prometheus.metadata.namespace ?? model.values.common.namespace;
  const proxyAccount = pod.serviceAccountName ?? 'default';
  return {
    args: [...(proxy.args ?? [])],
    proxyUser: serviceAccountUser(namespace, proxyAccount, clusterRules(model, namespace, proxyAccount)),
    prometheusUser: serviceAccountUser(prometheusNamespace, prometheusAccount, clusterRules(model, prometheusNamespace, prometheusAccount)),
    metricsPath: endpoint.path ?? '/metrics',
    port: endpoint.port,
    scheme: endpoint.scheme ?? 'http',
    sendsToken: ownToken,
    tls: {
      insecureSkipVerify: tls.insecureSkipVerify ?? false,
      ...(tls.serverName ? { serverName: tls.serverName } : {}),
      ...(tls.ca ? { ca: { secret: tls.ca.secret.name, key: tls.ca.secret.key } } : {}),
    },
    secrets,
  };
}
