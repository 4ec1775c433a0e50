// Prometheus' memory, volume and retentionSize, sized from the cluster it scrapes and how long it keeps samples.
// The figures are estimates for the stack's own scrape targets (what each node and pod adds in active series), on
// the scale the Prometheus docs and kube-prometheus' sizing notes give; the summary states the estimate, so that a
// reviewer can compare it with `prometheus_tsdb_head_series` once the stack runs.
import { durationSeconds } from '../core/durations';

export interface ClusterSize {
  /** Nodes: node-exporter and the kubelet (with cAdvisor) per node. @default 10 */
  readonly nodes: number;
  /** Pods: cAdvisor and kube-state-metrics series per pod. @default 300 */
  readonly pods: number;
}

/** Active series per node: node-exporter (~1000 with the stack's collectors) and the kubelet's own (~500). */
const SERIES_PER_NODE = 1500;
/** Per pod: cAdvisor's container series (~75 for 1.5 containers) and kube-state-metrics' (~25). */
const SERIES_PER_POD = 100;
/** The API server's histograms, the operator, Alertmanager, Grafana and Prometheus itself. */
const FIXED_SERIES = 20000;
/** Head memory per active series (labels, postings, the chunks of the last 2-3h), with room for rules and queries. */
const BYTES_PER_SERIES = 6 * 1024;
const BASE_MEMORY = 256 * 1024 ** 2;
/** Compressed samples average 1-2 bytes; 2 covers the index, and 1.3 the WAL and compaction's temporary blocks. */
const BYTES_PER_SAMPLE = 2;
const DISK_HEADROOM = 1.3;
/** The TSDB may fill this share of its volume: Prometheus deletes the oldest blocks past it, never fills the disk. */
const RETENTION_SHARE = 0.8;

const Mi = 1024 ** 2;
const Gi = 1024 ** 3;

export interface PrometheusSizing {
  readonly series: number;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
  /** Bytes the retention needs on disk. */
  readonly diskBytes: number;
  /** A volume size that holds it. */
  readonly volume: string;
}

const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;

export function prometheusSizing(cluster: ClusterSize, scrapeInterval: string, retention: string): PrometheusSizing {
  const series = cluster.nodes * SERIES_PER_NODE + cluster.pods * SERIES_PER_POD + FIXED_SERIES;
  const request = roundUp(series * BYTES_PER_SERIES + BASE_MEMORY, 256 * Mi);
  const samplesPerSecond = series / durationSeconds(scrapeInterval);
  const diskBytes = Math.round(samplesPerSecond * durationSeconds(retention) * BYTES_PER_SAMPLE * DISK_HEADROOM);
  return {
    series,
    memoryRequest: `${request / Mi}Mi`,
    // Compaction and heavy queries peak at about twice the steady head.
    memoryLimit: `${(2 * request) / Mi}Mi`,
    diskBytes,
    volume: `${Math.max(1, Math.ceil(diskBytes / Gi))}Gi`,
  };
}

/** The retentionSize that keeps the TSDB within its volume, in Prometheus' base-2 units. */
export function retentionSizeFor(volumeBytes: number): string {
  const bytes = volumeBytes * RETENTION_SHARE;
  return bytes >= 2 * Gi ? `${Math.floor(bytes / Gi)}GB` : `${Math.floor(bytes / Mi)}MB`;
}

/** Bytes in a Kubernetes quantity (`50Gi`, `500M`, `1T`); undefined when it is not one. */
export function quantityBytes(quantity: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|K|M|G|T|P)?$/.exec(quantity);
  if (!m) return undefined;
  const factors: Record<string, number> = { Ki: 1024, Mi: Mi, Gi: Gi, Ti: 1024 * Gi, Pi: 1024 ** 2 * Gi, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
  return Number(m[1]) * (m[2] ? factors[m[2]] : 1);
}

/** Bytes in a Prometheus size (`45GB`, `512MB`, base 2 as Prometheus reads them); undefined when it is not one. */
export function prometheusSizeBytes(size: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(K|M|G|T|P|E)?i?B$/.exec(size);
  if (!m) return undefined;
  return Number(m[1]) * 1024 ** (m[2] ? 'KMGTPE'.indexOf(m[2]) + 1 : 0);
}
