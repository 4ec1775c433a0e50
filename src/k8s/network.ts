// Where the pod network meets what lies outside it: the API server, the nodes, DNS and "anywhere outside the
// cluster". NetworkPolicies can only name pods, namespaces and CIDRs, so these are values the stack is told (with
// defaults that work everywhere and say so), and every component's egress is built from them.

/** What the stack knows of the cluster's network (`common.network`). */
export interface NetworkValues {
  /**
   * The API server as pods reach it. Policies see the address after the `kubernetes` Service is translated, so
   * these are its endpoints' addresses and ports (`kubectl get endpoints kubernetes -n default`).
   * @default { "cidrs": ["0.0.0.0/0", "::/0"], "ports": [443, 6443] } (any address but `clusterCidrs`)
   */
  readonly apiServer?: { readonly cidrs?: string[]; readonly ports?: number[] };
  /**
   * The nodes' addresses: the kubelet and host-network exporters (node-exporter) are scraped there.
   * @default ["0.0.0.0/0", "::/0"] (any address but `clusterCidrs`)
   */
  readonly nodeCidrs?: string[];
  /**
   * The cluster's pod and service CIDRs: kept out of every "anywhere" egress (API server, nodes, receivers, remote
   * write), so that a pod can reach other pods only through the rules that name them.
   * @default []
   */
  readonly clusterCidrs?: string[];
  /**
   * The cluster DNS pods every component resolves names with.
   * @default { "namespace": "kube-system", "pods": { "k8s-app": "kube-dns" } }
   */
  readonly dns?: { readonly namespace?: string; readonly pods?: Record<string, string> };
}

export const NETWORK_DEFAULTS = {
  apiServer: { cidrs: ['0.0.0.0/0', '::/0'], ports: [443, 6443] },
  nodeCidrs: ['0.0.0.0/0', '::/0'],
  clusterCidrs: [] as string[],
  dns: { namespace: 'kube-system', pods: { 'k8s-app': 'kube-dns' } as Record<string, string> },
} satisfies NetworkValues;

/** NetworkValues with every default filled in. */
export interface ResolvedNetwork {
  readonly apiServer: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  readonly nodeCidrs: readonly string[];
  readonly clusterCidrs: readonly string[];
  readonly dns: { readonly namespace: string; readonly pods: Record<string, string> };
}

export interface PortAllowance {
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

/** A CIDR and the parts of it excluded, as a NetworkPolicy ipBlock. */
export interface CidrBlock {
  readonly cidr: string;
  readonly except?: readonly string[];
}

/** Who a policy rule lets in, or lets a pod reach: OR of the peers listed (none listed: nobody), on the ports listed. */
export interface PeerAllowance {
  /** Pods of the policy's own namespace. */
  readonly pods?: readonly Record<string, string>[];
  /** Pods of other namespaces (an empty `pods` selects every pod of the namespace). */
  readonly podsIn?: readonly { readonly namespace: string; readonly pods?: Record<string, string> }[];
  /** Whole namespaces by name; `all` for every pod of the cluster. */
  readonly namespaces?: readonly string[] | 'all';
  /** Addresses outside the pod network (nodes, the API server, the internet). */
  readonly cidrs?: readonly (string | CidrBlock)[];
  /** Empty: every port. */
  readonly ports: readonly PortAllowance[];
}

const isIpv6 = (cidr: string) => cidr.includes(':');

/** The CIDRs, each without the cluster's own ranges of its address family (an ipBlock's except must lie inside it). */
export function outsideCluster(network: ResolvedNetwork, cidrs: readonly string[]): CidrBlock[] {
  return cidrs.map((cidr) => {
    const except = cidr.endsWith('/0') ? network.clusterCidrs.filter((c) => isIpv6(c) === isIpv6(cidr)) : [];
    return except.length ? { cidr, except } : { cidr };
  });
}

/** Name resolution: UDP and TCP 53 to the cluster DNS pods. */
export function dnsEgress(network: ResolvedNetwork): PeerAllowance {
  return { podsIn: [{ namespace: network.dns.namespace, pods: network.dns.pods }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }] };
}

/** The API server, for pods that list, watch or review through it. */
export function apiServerEgress(network: ResolvedNetwork): PeerAllowance {
  return { cidrs: outsideCluster(network, network.apiServer.cidrs), ports: network.apiServer.ports.map((port) => ({ port })) };
}

/** Ports on the nodes' addresses (the kubelet, host-network exporters). */
export function nodeEgress(network: ResolvedNetwork, ports: readonly number[]): PeerAllowance {
  return { cidrs: outsideCluster(network, network.nodeCidrs), ports: ports.map((port) => ({ port })) };
}

/** Addresses outside the cluster on these ports (receivers, remote write, trace backends). */
export function internetEgress(network: ResolvedNetwork, ports: readonly PortAllowance[]): PeerAllowance {
  return { cidrs: outsideCluster(network, ['0.0.0.0/0', '::/0']), ports };
}

/** A URL's host and port, as a policy must allow it: in-cluster Service, IP literal, or a name outside the cluster. */
export type UrlDestination =
  | { readonly kind: 'service'; readonly service: string; readonly namespace: string; readonly port: number }
  | { readonly kind: 'address'; readonly ip: string; readonly port: number }
  | { readonly kind: 'external'; readonly host: string; readonly port: number };

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * Where a URL (or a `host:port` smarthost) leads. `<service>.<namespace>.svc[.cluster.local]` is in the cluster;
 * `<service>` alone is in `namespace`; an IP literal is itself. Undefined when it cannot be read.
 */
export function urlDestination(url: string, namespace: string): UrlDestination | undefined {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url.includes('://') ? url : `tcp://${url}`);
    host = parsed.hostname.replace(/^\[|\]$/g, '');
    port = parsed.port ? Number(parsed.port) : DEFAULT_PORTS[parsed.protocol] ?? NaN;
  } catch {
    return undefined;
  }
  if (!host || !Number.isInteger(port)) return undefined;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':')) return { kind: 'address', ip: host, port };
  const svc = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?\.?$/.exec(host);
  if (svc) return { kind: 'service', service: svc[1], namespace: svc[2], port };
  if (/^[a-z0-9-]+$/.test(host)) return { kind: 'service', service: host, namespace, port };
  return { kind: 'external', host, port };
}

/**
 * What a client of one URL must reach: an IP address itself, an in-cluster Service's namespace (its pods' port may
 * differ from the Service's, so every port of the namespace), a name outside the cluster on its port anywhere but
 * the cluster. Nothing when the URL cannot be read (the values checks reject such URLs).
 */
export function urlEgress(network: ResolvedNetwork, url: string, namespace: string): PeerAllowance[] {
  const to = urlDestination(url, namespace);
  if (!to) return [];
  if (to.kind === 'service') return [{ namespaces: [to.namespace], ports: [] }];
  if (to.kind === 'address') return [{ cidrs: [to.ip.includes(':') ? `${to.ip}/128` : `${to.ip}/32`], ports: [{ port: to.port }] }];
  return [internetEgress(network, [{ port: to.port }])];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f:]+(:(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3})?$/i;

/** Why a CIDR is not one a NetworkPolicy ipBlock takes, if it is not. */
export function cidrProblem(cidr: string): string | undefined {
  const [address, prefix, extra] = cidr.split('/');
  const v6 = address.includes(':');
  if (extra !== undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return `'${cidr}' is not address/prefix`;
  if (v6 ? !IPV6.test(address) || (address.match(/::/g) ?? []).length > 1 : !IPV4.test(address)) return `'${cidr}' has no valid IPv${v6 ? 6 : 4} address`;
  if (Number(prefix) > (v6 ? 128 : 32)) return `'${cidr}' has a prefix longer than ${v6 ? 128 : 32}`;
  return undefined;
}

/** The problems of `common.network` (and of other CIDR and port lists written like it). */
export function checkNetwork(network: ResolvedNetwork, field: string): Array<{ field: string; message: string; fix: string }> {
  const problems: Array<{ field: string; message: string; fix: string }> = [];
  const cidrs = (list: readonly string[], at: string, nonEmpty: boolean) => {
    if (nonEmpty && list.length === 0) problems.push({ field: at, message: 'is empty: nothing could be reached there', fix: 'list at least one CIDR, e.g. 10.0.0.0/16' });
    list.forEach((c, i) => {
      const problem = cidrProblem(c);
      if (problem) problems.push({ field: `${at}[${i}]`, message: problem, fix: 'write a CIDR like 10.0.0.0/16 or fd00::/64' });
    });
  };
  cidrs(network.apiServer.cidrs, `${field}.apiServer.cidrs`, true);
  problems.push(...checkPorts(network.apiServer.ports, `${field}.apiServer.ports`));
  cidrs(network.nodeCidrs, `${field}.nodeCidrs`, true);
  cidrs(network.clusterCidrs, `${field}.clusterCidrs`, false);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(network.dns.namespace)) {
    problems.push({ field: `${field}.dns.namespace`, message: `'${network.dns.namespace}' is not a namespace name`, fix: 'name the namespace of the cluster DNS pods, e.g. kube-system' });
  }
  return problems;
}

/** Ports of a policy: 1 to 65535, at least one. */
export function checkPorts(ports: readonly number[], field: string): Array<{ field: string; message: string; fix: string }> {
  if (ports.length === 0) return [{ field, message: 'is empty', fix: 'list the ports, e.g. [443]' }];
  return ports.flatMap((p, i) => (Number.isInteger(p) && p >= 1 && p <= 65535 ? [] : [{ field: `${field}[${i}]`, message: `${p} is not a port number`, fix: 'use a port from 1 to 65535' }]));
}
