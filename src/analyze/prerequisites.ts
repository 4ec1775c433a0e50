// What a cluster must have before the stack's pods can start, and what the stack takes in from others, read from
// the written objects: the Secrets they reference (by name, namespace and key), what Prometheus and Alertmanager
// select, and Prometheus' storage and memory.
import type { Manifest, ModelObject } from '../model/stack-model';
import type { CollectorConfig } from '../otel/config';
import { cell } from './markdown';

export interface SecretReference {
  readonly namespace: string;
  readonly name: string;
  /** Keys the objects read; empty when an object mounts or imports the whole Secret. */
  readonly keys: string[];
  /** `Kind/name` of each object that reads it. */
  readonly usedBy: string[];
  /** Who reads it and how, one entry per container and way (sorted). */
  readonly consumers: SecretConsumer[];
}

/** One reader of a Secret: the object, the container when a pod's container reads it, and the field it goes through. */
export interface SecretConsumer {
  /** `Kind/name`, as in `usedBy`. */
  readonly object: string;
  /** The container that gets it (env, envFrom, a volume it mounts; the operator's main container for `spec.secrets`). */
  readonly container?: string;
  /** How: `env GF_SECURITY_ADMIN_PASSWORD`, `envFrom`, `volume certs at /etc/certs`, a field (`spec.remoteWrite[0].basicAuth.password`). */
  readonly via: string;
  /** The key read this way; undefined when the whole Secret is. */
  readonly key?: string;
}

/** `Deployment/grafana, container grafana: env GF_SECURITY_ADMIN_USER (key admin-user)`; `quote` marks names up (Markdown). */
export function describeConsumer(c: SecretConsumer, quote: (text: string) => string = (t) => t): string {
  return `${c.object}${c.container ? `, container ${quote(c.container)}` : ''}: ${c.via}${c.key !== undefined ? ` (key ${quote(c.key)})` : ''}`;
}

type Json = unknown;
type Path = ReadonlyArray<string | number>;

/** Files that Prometheus and Alertmanager read from Secrets the operator mounts (`spec.secrets`). */
const MOUNTED_SECRET_FILE = /\/etc\/(?:prometheus|alertmanager)\/secrets\/([a-z0-9][a-z0-9.-]*)\/([A-Za-z0-9._-]+)/g;

/** Every Secret the objects read and the stack does not write itself, sorted by namespace and name. */
export function referencedSecrets(objects: readonly ModelObject[]): SecretReference[] {
  const found = new Map<string, { namespace: string; name: string; keys: Set<string>; usedBy: Set<string>; consumers: Map<string, SecretConsumer> }>();
  // Secrets the stack writes, and those cert-manager issues from the stack's Certificates: neither is to be made by hand.
  const issued = objects.filter((o) => o.manifest.kind === 'Certificate' && o.manifest.apiVersion.startsWith('cert-manager.io/'))
    .map((o) => `${o.manifest.metadata.namespace ?? 'default'}/${String((o.manifest.spec as { secretName?: unknown } | undefined)?.secretName)}`);
  const written = new Set([...objects.filter((o) => o.manifest.kind === 'Secret').map((o) => `${o.manifest.metadata.namespace ?? 'default'}/${o.manifest.metadata.name}`), ...issued]);
  for (const { manifest } of objects) {
    const namespace = manifest.metadata.namespace ?? 'default';
    const user = `${manifest.kind}/${manifest.metadata.name}`;
    const add = (name: string, key: string | undefined, readers: ReadonlyArray<Omit<SecretConsumer, 'object' | 'key'>>) => {
      const id = `${namespace}/${name}`;
      const entry = found.get(id) ?? { namespace, name, keys: new Set<string>(), usedBy: new Set<string>(), consumers: new Map<string, SecretConsumer>() };
      if (key !== undefined) entry.keys.add(key);
      entry.usedBy.add(user);
      for (const r of readers) {
        const consumer: SecretConsumer = { object: user, ...r, ...(key !== undefined ? { key } : {}) };
        entry.consumers.set(describeConsumer(consumer), consumer);
      }
      found.set(id, entry);
    };
    walk(manifest, [], (node, path) => {
      const parentKey = [...path].reverse().find((k): k is string => typeof k === 'string');
      if (typeof node === 'string') {
        for (const m of node.matchAll(MOUNTED_SECRET_FILE)) add(m[1], m[2], [{ ...inContainer(manifest, path), via: `${fieldPath(path)} reads ${m[0]}` }]);
        return;
      }
      if (!node || typeof node !== 'object' || Array.isArray(node)) return;
      const o = node as Record<string, Json>;
      // A key of a Secret (`secretKeyRef`, and the operator's SecretKeySelectors: credentials, password, apiKey ...);
      // ConfigMap keys have the same shape and are skipped.
      if (manifest.kind !== 'Secret' && typeof o.name === 'string' && typeof o.key === 'string' && !/configMap/i.test(parentKey ?? '')) add(o.name, o.key, [reader(manifest, path)]);
      // A Secret volume (or a projected volume's Secret): its listed items, or all of it.
      const volumeSecret = parentKey === 'secret' && typeof o.secretName === 'string' ? o.secretName
        : parentKey === 'secret' && path.includes('projected') && typeof o.name === 'string' ? o.name : undefined;
      if (volumeSecret !== undefined) {
        const items = Array.isArray(o.items) ? (o.items as Array<{ key?: string }>).flatMap((i) => (i.key ? [i.key] : [])) : [];
        const readers = volumeReaders(manifest, path);
        if (items.length) items.forEach((k) => add(volumeSecret, k, readers));
        else add(volumeSecret, undefined, readers);
      }
      if (parentKey === 'secretRef' && typeof o.name === 'string') add(o.name, undefined, [reader(manifest, path)]);
      // An Ingress' certificate: the controller reads it (a kubernetes.io/tls Secret).
      if (manifest.kind === 'Ingress' && parentKey === 'tls' && typeof o.secretName === 'string') {
        for (const key of ['tls.crt', 'tls.key']) add(o.secretName, key, [{ via: `${fieldPath(path)}.secretName (the ingress controller serves it)` }]);
      }
    });
    // The operator mounts these whole, into its main container; the configuration says which files (keys) are read.
    const specSecrets = (manifest.spec as { secrets?: unknown } | undefined)?.secrets;
    if (/^(Prometheus|Alertmanager)$/.test(manifest.kind) && Array.isArray(specSecrets)) {
      const server = manifest.kind.toLowerCase();
      specSecrets.filter((s): s is string => typeof s === 'string').forEach((s) => add(s, undefined, [{ container: server, via: `spec.secrets, at /etc/${server}/secrets/${s}/` }]));
    }
  }
  return [...found.entries()]
    .filter(([id]) => !written.has(id))
    .map(([, e]) => ({
      namespace: e.namespace, name: e.name, keys: [...e.keys].sort(), usedBy: [...e.usedBy].sort(),
      consumers: [...e.consumers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c),
    }))
    .sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1));
}

function walk(node: Json, path: Path, visit: (node: Json, path: Path) => void): void {
  visit(node, path);
  if (Array.isArray(node)) node.forEach((n, i) => walk(n, [...path, i], visit));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k], visit);
}

const valueAt = (root: Json, path: Path): Json => path.reduce<Json>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, Json>)[k] : undefined), root);

/** `spec.remoteWrite[0].basicAuth.password`. */
const fieldPath = (path: Path) => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The container a path lies in, if any. */
function inContainer(manifest: Manifest, path: Path): { container?: string } {
  const at = path.findIndex((k, i) => typeof k === 'string' && CONTAINER_LISTS.has(k) && typeof path[i + 1] === 'number');
  if (at < 0) return {};
  const name = (valueAt(manifest, path.slice(0, at + 2)) as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? { container: name } : {};
}

/** How the reference at `path` is read: a container's env or envFrom, or the field itself. */
function reader(manifest: Manifest, path: Path): Omit<SecretConsumer, 'object' | 'key'> {
  const container = inContainer(manifest, path);
  const env = path.lastIndexOf('env');
  if (container.container && env >= 0 && typeof path[env + 1] === 'number') {
    const name = (valueAt(manifest, path.slice(0, env + 2)) as { name?: unknown } | undefined)?.name;
    return { ...container, via: `env ${typeof name === 'string' ? name : '?'}` };
  }
  const envFrom = path.lastIndexOf('envFrom');
  if (container.container && envFrom >= 0) {
    const prefix = (valueAt(manifest, path.slice(0, envFrom + 2)) as { prefix?: unknown } | undefined)?.prefix;
    return { ...container, via: `envFrom${typeof prefix === 'string' ? ` (prefix ${prefix})` : ''}` };
  }
  return { ...container, via: fieldPath(path) };
}

/** The containers that mount the volume at `path` (under a pod spec's `volumes`), with where they mount it. */
function volumeReaders(manifest: Manifest, path: Path): Array<Omit<SecretConsumer, 'object' | 'key'>> {
  const at = path.lastIndexOf('volumes');
  if (at < 0 || typeof path[at + 1] !== 'number') return [{ via: fieldPath(path) }];
  const podSpec = valueAt(manifest, path.slice(0, at)) as Record<string, Json> | undefined;
  const volume = (valueAt(manifest, path.slice(0, at + 2)) as { name?: unknown } | undefined)?.name;
  const mountsOf = (mounts: Json) => (Array.isArray(mounts) ? (mounts as Array<{ name?: unknown; mountPath?: unknown }>) : []).filter((m) => m.name === volume);
  const readers = [...CONTAINER_LISTS].flatMap((list) => (Array.isArray(podSpec?.[list]) ? (podSpec[list] as Array<Record<string, Json>>) : []))
    .flatMap((c) => mountsOf(c.volumeMounts).map((m) => ({ container: String(c.name), via: `volume ${String(volume)} at ${String(m.mountPath)}` })));
  // A Prometheus or Alertmanager mounts its `spec.volumes` in its main container by `spec.volumeMounts`.
  if (/^(Prometheus|Alertmanager)$/.test(manifest.kind) && at === 1) {
    readers.push(...mountsOf(podSpec?.volumeMounts).map((m) => ({ container: manifest.kind.toLowerCase(), via: `volume ${String(volume)} at ${String(m.mountPath)}` })));
  }
  return readers.length ? readers : [{ via: `volume ${String(volume)}, which no container mounts` }];
}

/** What a label selector of the operator selects: `{}` all, nothing at all none. */
function describeSelector(selector: Json, namespaceSelector: Json, ownNamespace: string): string {
  if (selector === undefined || selector === null) return 'none';
  const labels = Object.entries((selector as { matchLabels?: Record<string, string> }).matchLabels ?? {}).map(([k, v]) => `\`${k}=${v}\``);
  const expressions = ((selector as { matchExpressions?: unknown[] }).matchExpressions ?? []).length;
  const which = labels.length || expressions ? `those labelled ${labels.join(', ')}${expressions ? ` (and ${expressions} expressions)` : ''}` : 'all';
  const namespaces = namespaceSelector === undefined || namespaceSelector === null
    ? `in ${ownNamespace} only`
    : Object.keys(namespaceSelector as object).length ? 'in the namespaces its namespace selector picks' : 'in every namespace';
  return `${which}, ${namespaces}`;
}

const SELECTED_BY_PROMETHEUS: Array<[string, string, string]> = [
  ['PrometheusRules', 'ruleSelector', 'ruleNamespaceSelector'],
  ['ServiceMonitors', 'serviceMonitorSelector', 'serviceMonitorNamespaceSelector'],
  ['PodMonitors', 'podMonitorSelector', 'podMonitorNamespaceSelector'],
  ['Probes', 'probeSelector', 'probeNamespaceSelector'],
  ['ScrapeConfigs', 'scrapeConfigSelector', 'scrapeConfigNamespaceSelector'],
];

const spec = (m: Manifest) => (m.spec ?? {}) as Record<string, Json>;
const find = (objects: readonly ModelObject[], kind: string) =>
  objects.filter((o) => o.manifest.kind === kind && o.manifest.apiVersion.startsWith('monitoring.coreos.com/')).map((o) => o.manifest);

/** Lines on what each Prometheus and Alertmanager loads from the cluster. */
export function selectionLines(objects: readonly ModelObject[]): string[] {
  const lines: string[] = [];
  for (const p of find(objects, 'Prometheus')) {
    const s = spec(p);
    for (const [what, selector, namespaces] of SELECTED_BY_PROMETHEUS) {
      lines.push(`- Prometheus \`${p.metadata.name}\` loads ${what}: ${describeSelector(s[selector], s[namespaces], p.metadata.namespace ?? 'default')}.`);
    }
  }
  for (const a of find(objects, 'Alertmanager')) {
    const s = spec(a);
    const strategy = (s.alertmanagerConfigMatcherStrategy as { type?: string } | undefined)?.type ?? 'OnNamespace';
    const confined = strategy === 'OnNamespace' ? 'each gets only the alerts of its own namespace' : 'each may route alerts of every namespace';
    lines.push(`- Alertmanager \`${a.metadata.name}\` merges AlertmanagerConfigs: ${describeSelector(s.alertmanagerConfigSelector, s.alertmanagerConfigNamespaceSelector, a.metadata.namespace ?? 'default')}${s.alertmanagerConfigSelector ? `; ${confined}` : ''}.`);
  }
  return lines;
}

/** Lines on each Prometheus' retention, retention size, storage and memory. */
export function storageLines(objects: readonly ModelObject[]): string[] {
  return find(objects, 'Prometheus').map((p) => {
    const s = spec(p);
    const storage = s.storage as { emptyDir?: { sizeLimit?: string }; volumeClaimTemplate?: { spec?: { storageClassName?: string; resources?: { requests?: { storage?: string } } } } } | undefined;
    const claim = storage?.volumeClaimTemplate?.spec;
    const where = storage?.emptyDir
      ? `an emptyDir of ${storage.emptyDir.sizeLimit ?? 'unlimited size'} on the node (lost when the pod moves)`
      : claim
        ? `a ${claim.resources?.requests?.storage ?? '?'} volume per replica of ${claim.storageClassName ? `StorageClass \`${claim.storageClassName}\`` : "the cluster's default StorageClass (the pods wait until one exists)"}`
        : 'an emptyDir without a size limit (lost when the pod moves, may fill the node\'s disk)';
    const resources = (s.resources ?? {}) as { requests?: Record<string, string>; limits?: Record<string, string> };
    const size = s.retentionSize ? `, or ${String(s.retentionSize)}, whichever comes first` : ' (no size limit)';
    return `- Prometheus \`${p.metadata.name}\` keeps samples ${String(s.retention ?? '24h')}${size}, on ${where}; memory ${resources.requests?.memory ?? 'unset'} requested, limit ${resources.limits?.memory ?? 'none'}.`;
  });
}

/** Which jobs the OpenTelemetry Collector scrapes and how their series reach Prometheus. */
export function collectorLines(config: Partial<CollectorConfig> | undefined): string[] {
  if (!config) return [];
  const scrapes = ((config.receivers?.prometheus as { config?: { scrape_configs?: Array<{ relabel_configs?: Array<{ target_label?: string; replacement?: string }> }> } } | undefined)?.config?.scrape_configs ?? [])
    .flatMap((s) => (s.relabel_configs ?? []).filter((r) => r.target_label === 'job' && r.replacement).map((r) => r.replacement!));
  const jobs = [...new Set(scrapes)].sort();
  const how = Object.keys(config.exporters ?? {}).some((e) => e.startsWith('prometheus_remote_write')) ? 'remote write' : 'OTLP';
  return [
    jobs.length
      ? `- The OpenTelemetry Collector scrapes ${jobs.map((j) => `\`${j}\``).join(', ')} (Prometheus does not) and sends their series to Prometheus by ${how}, with the same \`job\` and \`instance\` labels.`
      : '- The OpenTelemetry Collector scrapes nothing itself.',
    `- Applications send OTLP to the Collector: metrics reach Prometheus by ${how}${config.exporters && Object.keys(config.exporters).some((e) => e.startsWith('otlp_grpc/')) ? ', traces the tracing backend' : ''}.`,
  ];
}

/** cert-manager and the issuers the stack's Certificates name: their Secrets exist only once those do. */
function issuerLines(objects: readonly ModelObject[]): string[] {
  const issuers = new Set(objects.filter((o) => o.manifest.kind === 'Certificate' && o.manifest.apiVersion.startsWith('cert-manager.io/')).map((o) => {
    const ref = ((o.manifest.spec ?? {}) as { issuerRef?: { kind?: string; name?: string } }).issuerRef ?? {};
    return ref.kind === 'ClusterIssuer' ? `ClusterIssuer \`${ref.name}\`` : `Issuer \`${o.manifest.metadata.namespace ?? 'default'}/${ref.name}\``;
  }));
  if (!issuers.size) return [];
  return [
    '',
    `Certificates the stack asks cert-manager for: their Secrets (\`<service>-tls\`) are issued, not made by hand, once these exist:`,
    '',
    `- [ ] cert-manager (its CRDs and controller), and ${[...issuers].sort().join(', ')}: a CA or self-signed issuer, which puts \`ca.crt\` in each Secret (Prometheus checks the exporters' certificates with it)`,
  ];
}

/** The SUMMARY.md section: what must exist before the pods start, and what the stack takes in. */
export function prerequisitesReport(objects: readonly ModelObject[], sizingNote: string | undefined, collector?: Partial<CollectorConfig>): string {
  const secrets = referencedSecrets(objects);
  const quote = (t: string) => `\`${t}\``;
  // One row per Secret, for the reviewer to tick off: what to create, and who reads it (how, in the cell's lines).
  const checklist = secrets.length ? [
    '| namespace | name | keys | read by |',
    '|---|---|---|---|',
    ...secrets.map((s) => `| ${[
      quote(s.namespace),
      quote(s.name),
      s.keys.length ? s.keys.map(quote).join(', ') : 'any keys (mounted whole)',
      s.consumers.map((c) => describeConsumer(c, quote)).join('<br>'),
    ].map(cell).join(' | ')} |`),
  ] : [];
  return [
    '## Before you deploy',
    '',
    `Secrets the stack reads and does not create (${secrets.length}): the pods that read them do not start until they exist.`,
    '',
    ...(checklist.length ? checklist : ['None.']),
    ...issuerLines(objects),
    '',
    '## What Prometheus and Alertmanager take in',
    '',
    ...selectionLines(objects),
    ...collectorLines(collector),
    '',
    'Objects of other teams and charts that these select are loaded too; `o11y` checks only the ones it writes.',
    '',
    '## Storage and memory',
    '',
    ...storageLines(objects),
    ...(sizingNote ? ['', sizingNote] : []),
    '',
  ].join('\n');
}
