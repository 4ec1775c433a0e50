// What a cluster must have before the stack's pods can start, and what the stack takes in from others, read from
// the written objects: the Secrets they reference (by name, namespace and key), what Prometheus and Alertmanager
// select, and Prometheus' storage and memory.
import type { Manifest, ModelObject } from '../model/stack-model';
import type { CollectorConfig } from '../otel/config';

export interface SecretReference {
  readonly namespace: string;
  readonly name: string;
  /** Keys the objects read; empty when an object mounts or imports the whole Secret. */
  readonly keys: string[];
  /** `Kind/name` of each object that reads it. */
  readonly usedBy: string[];
}

type Json = unknown;

/** Files that Prometheus and Alertmanager read from Secrets the operator mounts (`spec.secrets`). */
const MOUNTED_SECRET_FILE = /\/etc\/(?:prometheus|alertmanager)\/secrets\/([a-z0-9][a-z0-9.-]*)\/([A-Za-z0-9._-]+)/g;

/** Every Secret the objects read and the stack does not write itself, sorted by namespace and name. */
export function referencedSecrets(objects: readonly ModelObject[]): SecretReference[] {
  const found = new Map<string, { namespace: string; name: string; keys: Set<string>; usedBy: Set<string> }>();
  const written = new Set(objects.filter((o) => o.manifest.kind === 'Secret').map((o) => `${o.manifest.metadata.namespace ?? 'default'}/${o.manifest.metadata.name}`));
  for (const { manifest } of objects) {
    const namespace = manifest.metadata.namespace ?? 'default';
    const user = `${manifest.kind}/${manifest.metadata.name}`;
    const add = (name: string, key?: string) => {
      const id = `${namespace}/${name}`;
      const entry = found.get(id) ?? { namespace, name, keys: new Set<string>(), usedBy: new Set<string>() };
      if (key !== undefined) entry.keys.add(key);
      entry.usedBy.add(user);
      found.set(id, entry);
    };
    walk(manifest, undefined, (node, parentKey) => {
      if (typeof node === 'string') {
        for (const m of node.matchAll(MOUNTED_SECRET_FILE)) add(m[1], m[2]);
        return;
      }
      if (!node || typeof node !== 'object' || Array.isArray(node)) return;
      const o = node as Record<string, Json>;
      // A key of a Secret (`secretKeyRef`, and the operator's SecretKeySelectors: credentials, password, apiKey ...);
      // ConfigMap keys have the same shape and are skipped.
      if (manifest.kind !== 'Secret' && typeof o.name === 'string' && typeof o.key === 'string' && !/configMap/i.test(parentKey ?? '')) add(o.name, o.key);
      // A Secret volume: its listed items, or all of it.
      if (parentKey === 'secret' && typeof o.secretName === 'string') {
        const items = Array.isArray(o.items) ? (o.items as Array<{ key?: string }>).flatMap((i) => (i.key ? [i.key] : [])) : [];
        if (items.length) items.forEach((k) => add(o.secretName as string, k));
        else add(o.secretName);
      }
      if (parentKey === 'secretRef' && typeof o.name === 'string') add(o.name);
    });
    // The operator mounts these whole; the configuration says which files (keys) are read.
    const specSecrets = (manifest.spec as { secrets?: unknown } | undefined)?.secrets;
    if (/^(Prometheus|Alertmanager)$/.test(manifest.kind) && Array.isArray(specSecrets)) specSecrets.filter((s): s is string => typeof s === 'string').forEach((s) => add(s));
  }
  return [...found.entries()]
    .filter(([id]) => !written.has(id))
    .map(([, e]) => ({ namespace: e.namespace, name: e.name, keys: [...e.keys].sort(), usedBy: [...e.usedBy].sort() }))
    .sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1));
}

function walk(node: Json, parentKey: string | undefined, visit: (node: Json, parentKey: string | undefined) => void): void {
  visit(node, parentKey);
  if (Array.isArray(node)) node.forEach((n) => walk(n, parentKey, visit));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k, visit);
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

/** The SUMMARY.md section: what must exist before the pods start, and what the stack takes in. */
export function prerequisitesReport(objects: readonly ModelObject[], sizingNote: string | undefined, collector?: Partial<CollectorConfig>): string {
  const secrets = referencedSecrets(objects);
  const checklist = secrets.map((s) => `- [ ] Secret \`${s.namespace}/${s.name}\`, ${s.keys.length ? `keys ${s.keys.map((k) => `\`${k}\``).join(', ')}` : 'any keys (mounted whole)'} (read by ${s.usedBy.join(', ')})`);
  return [
    '## Before you deploy',
    '',
    `Secrets the stack reads and does not create (${secrets.length}): the pods that read them do not start until they exist.`,
    '',
    ...(checklist.length ? checklist : ['None.']),
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
