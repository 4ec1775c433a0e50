// Typed Probes: what the blackbox exporter probes, checked against its modules, and the egress each target needs.
import type { PromDuration } from '../core/primitives';
import type { StackProblem } from '../core/problems';
import { checkPromDuration, DNS_LABEL } from '../core/checks';
import { closestNames } from '../core/suggest';
import { internetEgress, urlDestination, type PeerAllowance, type PortAllowance, type ResolvedNetwork, type UrlDestination } from '../k8s/network';
import type { BlackboxModule } from './blackbox-modules';

/** Ingresses whose hosts are probed (Prometheus discovers them; the URL is each rule's scheme, host and path). */
export interface IngressTargets {
  /** Labels of the Ingresses. @default {} (every Ingress of the namespaces) */
  readonly selector?: Record<string, string>;
  /** Namespaces of the Ingresses. @default the Probe's namespace */
  readonly namespaces?: string[];
}

/** One Probe: a module of the blackbox exporter run against targets, scraped by Prometheus as job `probe/<namespace>/<name>`. */
export interface ProbeValues {
  /** Name of the Probe object. */
  readonly name: string;
  /** A module of `blackboxExporter.modules`, e.g. `http_2xx`. */
  readonly module: string;
  /**
   * What to probe: URLs for http modules (`https://example.com/healthz`), `host:port` for tcp and grpc, a host for
   * icmp, a DNS server (`host[:port]`) for dns; or the Ingresses whose hosts are probed.
   */
  readonly targets: string[] | { readonly ingress: IngressTargets };
  /** @default the Prometheus scrape interval */
  readonly interval?: PromDuration;
  /** Labels added to the probe's series, e.g. `{ "team": "shop" }`. @default {} */
  readonly labels?: Record<string, string>;
  /** Namespace of the Probe object. @default the stack's namespace */
  readonly namespace?: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Where one target leads and on which ports, or why it cannot be read for this prober. */
export function targetDestination(module: BlackboxModule, target: string, namespace: string): { to: UrlDestination; ports: PortAllowance[] } | { problem: string; fix: string } {
  const hostPort = (what: string, example: string) => ({ problem: `'${target}' is not ${what}`, fix: `write it like ${example}` });
  switch (module.prober) {
    case 'http': {
      const scheme = /^([a-z]+):\/\//i.exec(target)?.[1].toLowerCase();
      const to = scheme === 'http' || scheme === 'https' ? urlDestination(target, namespace) : undefined;
      return to ? { to, ports: [{ port: to.port }] } : hostPort('an http(s) URL', 'https://example.com/healthz');
    }
    case 'tcp':
    case 'grpc': {
      const to = !target.includes('://') ? urlDestination(target, namespace) : undefined;
      return to && /:\d+$/.test(target) ? { to, ports: [{ port: to.port }] } : hostPort('host:port', 'example.com:443');
    }
    case 'dns': {
      const tcp = module.dns.transportProtocol === 'tcp';
      // An IPv6 server is written in brackets, as in a URL: [2001:db8::53]:53.
      const withPort = /^(\[[^\]]+\]|[^:[\]]+):\d+$/.test(target) ? target : /^(\[[^\]]+\]|[^:[\]/]+)$/.test(target) ? `${target}:53` : undefined;
      const to = withPort ? urlDestination(withPort, namespace) : undefined;
      return to ? { to, ports: [{ port: to.port, protocol: tcp ? 'TCP' : 'UDP' }] } : hostPort('a DNS server (host or host:port)', '1.1.1.1 or kube-dns.kube-system.svc:53');
    }
    case 'icmp': {
      // NetworkPolicies have no ICMP protocol: a host is allowed on every protocol and port.
      const host = !target.includes('://') && !/^[^:]+:\d+$/.test(target) ? target : undefined;
      const to = host ? urlDestination(`${host.includes(':') ? `[${host}]` : host}:1`, namespace) : undefined;
      return to ? { to, ports: [] } : hostPort('a host name or IP address', 'example.com or 192.0.2.1');
    }
  }
}

/** The egress one destination needs: an in-cluster Service's namespace, an address itself, or outside the cluster. */
function destinationEgress(network: ResolvedNetwork, to: UrlDestination, ports: PortAllowance[]): PeerAllowance {
  // A Service's pods may listen on another port than the Service: every port of its namespace.
  if (to.kind === 'service') return { namespaces: [to.namespace], ports: [] };
  if (to.kind === 'address') return { cidrs: [to.ip.includes(':') ? `${to.ip}/128` : `${to.ip}/32`], ports };
  return internetEgress(network, ports);
}

/** Ingress hosts resolve to a load balancer that is usually outside the cluster: HTTP and HTTPS there. */
const INGRESS_PORTS: PortAllowance[] = [{ port: 80 }, { port: 443 }];

/** Everything the exporter must reach to run these probes, each allowance once, in a stable order. */
export function probesEgress(network: ResolvedNetwork, probes: readonly ProbeValues[], modules: Record<string, BlackboxModule>, stackNamespace: string): PeerAllowance[] {
  const allowances = probes.flatMap((p) => {
    const module = modules[p.module];
    if (!module) return [];
    if (!Array.isArray(p.targets)) return [internetEgress(network, INGRESS_PORTS)];
    return p.targets.flatMap((t) => {
      const d = targetDestination(module, t, p.namespace ?? stackNamespace);
      return 'to' in d ? [destinationEgress(network, d.to, d.ports)] : [];
    });
  });
  // Allowances to the same peers are merged: one rule per peer set, with every port any probe needs there.
  const byPeers = new Map<string, { allowance: PeerAllowance; ports: Map<string, PortAllowance> | 'all' }>();
  for (const a of allowances) {
    const { ports, ...peers } = a;
    const key = JSON.stringify(peers);
    const entry = byPeers.get(key) ?? { allowance: a, ports: new Map<string, PortAllowance>() };
    if (ports.length === 0) entry.ports = 'all';
    else if (entry.ports !== 'all') for (const p of ports) entry.ports.set(`${p.protocol ?? 'TCP'}/${p.port}`, p);
    byPeers.set(key, entry);
  }
  return [...byPeers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, { allowance, ports }]) => ({
    ...allowance,
    ports: ports === 'all' ? [] : [...ports.values()].sort((x, y) => x.port - y.port || (x.protocol ?? 'TCP').localeCompare(y.protocol ?? 'TCP')),
  }));
}

/** The problems of one probe: its name, its module (one of the exporter's), its targets for that module's prober. */
export function checkProbe(probe: ProbeValues, modules: Record<string, BlackboxModule>, field: string): StackProblem[] {
  const problems: StackProblem[] = [];
  const check = (ok: boolean, at: string, message: string, fix?: string) => {
    if (!ok) problems.push({ field: at, message, fix });
  };
  check(DNS_LABEL.test(probe.name) && probe.name.length <= 63, `${field}.name`, `'${probe.name}' is not a valid object name`, 'use at most 63 lowercase letters, digits and "-" (RFC 1123)');
  if (probe.namespace !== undefined) check(DNS_LABEL.test(probe.namespace), `${field}.namespace`, `'${probe.namespace}' is not a namespace name`, 'use lowercase letters, digits and "-"');
  const known = Object.keys(modules).sort();
  const module = modules[probe.module];
  if (!module) {
    const close = closestNames(probe.module, known);
    problems.push({ field: `${field}.module`, message: `'${probe.module}' is not a module of the blackbox exporter (known: ${known.join(', ')})`, fix: close.length ? `did you mean '${close[0]}'? Or add it to blackboxExporter.modules` : 'use one of the known modules, or add it to blackboxExporter.modules' });
  }
  const p = checkPromDuration(probe.interval, `${field}.interval`);
  if (p) problems.push(p);
  for (const label of Object.keys(probe.labels ?? {}).sort()) {
    check(LABEL_NAME.test(label) && !label.startsWith('__'), `${field}.labels.${label}`, `'${label}' is not a Prometheus label name`, 'use letters, digits and "_", not starting with a digit or "__"');
  }
  if (Array.isArray(probe.targets)) {
    check(probe.targets.length > 0, `${field}.targets`, 'is empty: the Probe would probe nothing', 'list what to probe, e.g. ["https://example.com"]');
    if (module) {
      probe.targets.forEach((t, i) => {
        const d = targetDestination(module, t, probe.namespace ?? 'default');
        if ('problem' in d) problems.push({ field: `${field}.targets[${i}]`, message: `${d.problem} (what module ${probe.module}, prober ${module.prober}, probes)`, fix: d.fix });
      });
    }
  } else {
    const ingress = probe.targets.ingress;
    (ingress.namespaces ?? []).forEach((ns, i) => check(DNS_LABEL.test(ns), `${field}.targets.ingress.namespaces[${i}]`, `'${ns}' is not a namespace name`, 'use lowercase letters, digits and "-"'));
    if (module) check(module.prober === 'http', `${field}.targets.ingress`, `Ingresses are probed by URL, which module ${probe.module} (prober ${module.prober}) does not take`, 'use an http module, e.g. http_2xx');
  }
  return problems;
}

/** Every probe's problems, and probes that clash (same namespace and name). */
export function checkProbes(probes: readonly ProbeValues[], modules: Record<string, BlackboxModule>, stackNamespace: string, field = 'probes'): StackProblem[] {
  const seen = new Map<string, number>();
  return probes.flatMap((probe, i) => {
    const key = `${probe.namespace ?? stackNamespace}/${probe.name}`;
    const first = seen.get(key);
    seen.set(key, first ?? i);
    return [
      ...checkProbe(probe, modules, `${field}[${i}]`),
      ...(first !== undefined ? [{ field: `${field}[${i}].name`, message: `Probe ${key} is also ${field}[${first}]`, fix: 'give every probe its own name' }] : []),
    ];
  });
}
