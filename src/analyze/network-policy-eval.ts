// NetworkPolicy (networking.k8s.io/v1) evaluated as a CNI does, over plain manifests: is a flow from one endpoint to
// another on a port allowed, and which policies decided it. Pure functions; no cluster, no CNI quirks beyond the one
// most share (host-network pods escape policies, and are seen by their node's address).
//
// The rules (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
// - A flow is allowed iff the source's egress and the destination's ingress both allow it.
// - A direction is unrestricted for a pod until a policy of its namespace selects it with that direction in its
//   policyTypes (default: Ingress, plus Egress when the spec has an `egress` field); then the union of those
//   policies' rules must admit the flow.
// - A rule admits a flow when one of its peers matches the other end (none listed: every peer) and one of its ports
//   matches (none listed: every port and protocol).
// - Peers: podSelector alone = pods of the policy's namespace; namespaceSelector alone = every pod of the selected
//   namespaces; both in one peer = pods matching both; ipBlock = addresses in the CIDR minus `except` (pod IPs too,
//   when the endpoint has one). Host-network pods never match a podSelector or namespaceSelector.
// - Ports: a number (up to endPort), or a name resolved against the destination pod's container ports (name and
//   protocol); protocol defaults to TCP.
import type { KubernetesObject } from '../core/primitives';
import { selects, type LabelSelector, type Labels } from './label-selector';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  /** @default "TCP" */
  readonly protocol?: Protocol;
}

/** Pods of one workload, as a policy sees them. */
export interface PodEndpoint {
  readonly kind: 'pod';
  readonly namespace: string;
  readonly labels: Labels;
  /** Its IP, for ipBlock peers; a host-network pod's is its node's. */
  readonly ip?: string;
  /** Policies do not apply to it, and podSelector peers never match it (only ipBlocks, by its node's address). */
  readonly hostNetwork?: boolean;
  /** Its containers' ports: named ports resolve against them. */
  readonly ports?: readonly ContainerPort[];
  /** For messages, e.g. `Deployment monitoring/grafana`. */
  readonly name?: string;
}

/** Something with an address and no policies of its own: a node, the API server, a host on the internet. */
export interface AddressEndpoint {
  readonly kind: 'address';
  readonly ip: string;
  /** For messages, e.g. `a node`. */
  readonly name?: string;
}

export type FlowEndpoint = PodEndpoint | AddressEndpoint;

export interface Flow {
  readonly from: FlowEndpoint;
  readonly to: FlowEndpoint;
  /** The destination port as the destination pod sees it (a Service's target port, not its port). */
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * One direction of a flow: `no-policy` (no policy selects the pod for it), `host-network`, `address` (no policies),
 * `admitted` (by the policies in decidedBy) or `denied` (the policies in decidedBy select the pod, none admits it).
 */
export interface DirectionVerdict {
  readonly allowed: boolean;
  readonly reason: 'no-policy' | 'host-network' | 'address' | 'admitted' | 'denied';
  /** `namespace/name` of the policies that admitted the flow, or (denied) of every policy that restricts the pod. */
  readonly decidedBy: string[];
}

export interface FlowVerdict {
  readonly allowed: boolean;
  /** The source's egress. */
  readonly egress: DirectionVerdict;
  /** The destination's ingress. */
  readonly ingress: DirectionVerdict;
}

interface PolicyPort {
  readonly protocol?: string;
  readonly port?: number | string;
  readonly endPort?: number;
}

interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

interface PolicyRule {
  readonly peers: readonly PolicyPeer[];
  readonly ports: readonly PolicyPort[];
}

interface CompiledPolicy {
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
}

/** The NetworkPolicies and namespace labels of a set of objects, read once for many flows. */
export interface PolicySet {
  readonly policies: readonly CompiledPolicy[];
  /** A namespace's labels, the automatic `kubernetes.io/metadata.name` included. */
  namespaceLabels(namespace: string): Labels;
}

const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function compileRules(rules: unknown, peersKey: 'from' | 'to'): PolicyRule[] {
  return list(rules).map((r) => ({ peers: list(record(r)[peersKey]) as PolicyPeer[], ports: list(record(r).ports) as PolicyPort[] }));
}

/** Reads the NetworkPolicies and Namespaces among the objects. */
export function policySet(objects: readonly KubernetesObject[]): PolicySet {
  const namespaces = new Map<string, Labels>();
  for (const o of objects) if (o.kind === 'Namespace' && o.apiVersion === 'v1') namespaces.set(o.metadata.name, o.metadata.labels ?? {});
  const policies = objects
    .filter((o) => o.kind === 'NetworkPolicy' && o.apiVersion === 'networking.k8s.io/v1')
    .map((o): CompiledPolicy => {
      const spec = record(o.spec);
      const types = Array.isArray(spec.policyTypes) ? (spec.policyTypes as string[]) : ['Ingress', ...('egress' in spec ? ['Egress'] : [])];
      return {
        name: o.metadata.name,
        namespace: o.metadata.namespace ?? 'default',
        // Required by the API, and a missing one is Go's zero value: the empty selector, every pod.
        podSelector: (spec.podSelector as LabelSelector | undefined) ?? {},
        ...(types.includes('Ingress') ? { ingress: compileRules(spec.ingress, 'from') } : {}),
        ...(types.includes('Egress') ? { egress: compileRules(spec.egress, 'to') } : {}),
      };
    });
  return {
    policies,
    namespaceLabels: (namespace) => ({ ...namespaces.get(namespace), 'kubernetes.io/metadata.name': namespace }),
  };
}

/** Whether the flow is allowed, each direction with the policies that decided it. */
export function evaluateFlow(flow: Flow, set: PolicySet): FlowVerdict {
  const egress = direction(flow, flow.from, 'egress', flow.to, set);
  const ingress = direction(flow, flow.to, 'ingress', flow.from, set);
  return { allowed: egress.allowed && ingress.allowed, egress, ingress };
}

function direction(flow: Flow, subject: FlowEndpoint, which: 'ingress' | 'egress', peer: FlowEndpoint, set: PolicySet): DirectionVerdict {
  if (subject.kind === 'address') return { allowed: true, reason: 'address', decidedBy: [] };
  if (subject.hostNetwork) return { allowed: true, reason: 'host-network', decidedBy: [] };
  const restricting = set.policies.filter((p) => p[which] !== undefined && p.namespace === subject.namespace && selects(p.podSelector, subject.labels));
  if (!restricting.length) return { allowed: true, reason: 'no-policy', decidedBy: [] };
  const admitting = restricting.filter((p) => p[which]!.some((rule) => ruleAdmits(rule, p.namespace, peer, flow, set)));
  return admitting.length
    ? { allowed: true, reason: 'admitted', decidedBy: admitting.map(policyName) }
    : { allowed: false, reason: 'denied', decidedBy: restricting.map(policyName) };
}

const policyName = (p: CompiledPolicy) => `${p.namespace}/${p.name}`;

function ruleAdmits(rule: PolicyRule, policyNamespace: string, peer: FlowEndpoint, flow: Flow, set: PolicySet): boolean {
  const peerMatches = rule.peers.length === 0 || rule.peers.some((p) => peerMatchesEndpoint(p, policyNamespace, peer, set));
  return peerMatches && (rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, flow)));
}

function peerMatchesEndpoint(peer: PolicyPeer, policyNamespace: string, endpoint: FlowEndpoint, set: PolicySet): boolean {
  if (peer.ipBlock) {
    const ip = endpoint.ip;
    return ip !== undefined && cidrContains(peer.ipBlock.cidr, ip) && !(peer.ipBlock.except ?? []).some((e) => cidrContains(e, ip));
  }
  // A peer with no field at all is refused by the API server: it matches nothing here.
  if (!peer.podSelector && !peer.namespaceSelector) return false;
  if (endpoint.kind !== 'pod' || endpoint.hostNetwork) return false;
  const inNamespace = peer.namespaceSelector ? selects(peer.namespaceSelector, set.namespaceLabels(endpoint.namespace)) : endpoint.namespace === policyNamespace;
  return inNamespace && (!peer.podSelector || selects(peer.podSelector, endpoint.labels));
}

function portMatches(port: PolicyPort, flow: Flow): boolean {
  const protocol = port.protocol ?? 'TCP';
  if (protocol !== flow.protocol) return false;
  if (port.port === undefined) return true;
  // The API refuses a string that is not a port name; a numeric one (as IntOrString.fromString('80') writes) is read as the number.
  const number = typeof port.port === 'number' ? port.port : /^\d+$/.test(port.port) ? Number(port.port) : undefined;
  if (number !== undefined) return port.endPort !== undefined ? flow.port >= number && flow.port <= port.endPort : flow.port === number;
  // A named port is the destination pod's container port of that name and protocol.
  const to = flow.to;
  return to.kind === 'pod' && (to.ports ?? []).some((cp) => cp.name === port.port && (cp.protocol ?? 'TCP') === protocol && cp.containerPort === flow.port);
}

// --- Addresses -----------------------------------------------------------------------------------------------------

interface Address {
  readonly family: 4 | 6;
  readonly value: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((v, p) => (v << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  let groups: string[];
  let rest = text;
  let tail: bigint[] = [];
  // An embedded IPv4 address in the last 32 bits (::ffff:10.0.0.1).
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(rest);
  if (v4) {
    const value = parseIpv4(v4[2]);
    if (value === undefined) return undefined;
    tail = [value >> 16n, value & 0xffffn];
    rest = v4[1].endsWith('::') ? v4[1] : v4[1].slice(0, -1);
  }
  const halves = rest.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  if (halves.length === 2) {
    const head = split(halves[0]);
    const back = split(halves[1]);
    const missing = 8 - tail.length - head.length - back.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array<string>(missing).fill('0'), ...back];
  } else {
    groups = split(rest);
  }
  if (groups.length + tail.length !== 8 || !groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return [...groups.map((g) => BigInt(parseInt(g, 16))), ...tail].reduce((v, g) => (v << 16n) | g, 0n);
}

/** An IPv4 or IPv6 address, or undefined when the text is neither. */
export function parseAddress(text: string): Address | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

interface Cidr {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly bits: number;
  readonly prefix: number;
}

function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, extra] = text.split('/');
  const parsed = parseAddress(address);
  if (!parsed || extra !== undefined) return undefined;
  const bits = parsed.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { family: parsed.family, network: (parsed.value >> hostBits) << hostBits, bits, prefix };
}

/** Whether the address is inside the CIDR (same family; an unreadable CIDR or address contains nothing). */
export function cidrContains(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const address = parseAddress(ip);
  if (!block || !address || block.family !== address.family) return false;
  const hostBits = BigInt(block.bits - block.prefix);
  return address.value >> hostBits === block.network >> hostBits;
}

function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  // Uncompressed (no `::`): still a valid IPv6 address, and parseAddress reads it back.
  return [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((value >> s) & 0xffffn).toString(16)).join(':');
}

/**
 * A representative address inside one of the CIDRs and outside every CIDR of `avoid`: one of `preferred` when it
 * fits, else the network's address plus a small offset. Undefined when none is found.
 */
export function addressInside(cidrs: readonly string[], avoid: readonly string[], preferred: readonly string[] = []): string | undefined {
  const fits = (ip: string) => cidrs.some((c) => cidrContains(c, ip)) && !avoid.some((c) => cidrContains(c, ip));
  const candidates = [
    ...preferred,
    ...cidrs.flatMap((c) => {
      const block = parseCidr(c);
      if (!block) return [];
      const size = 1n << BigInt(block.bits - block.prefix);
      return [5n, 10n, 1n, size / 2n + 5n, size - 2n].filter((o) => o < size).map((o) => formatAddress(block.family, block.network + o));
    }),
  ];
  return candidates.find(fits);
}
