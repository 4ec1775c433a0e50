// Alerts about what the blackbox exporter probes (endpoints as their users see them) and about the exporter itself.
import { alertingRule, ruleGroup, series } from '../builders';
import type { RuleGroupDefinition } from '../types';
import { GO_PROCESS_METRICS } from './general';

/** Thresholds of these alerts; every field documents its @default. */
export interface BlackboxThresholds {
  /** How long a probe must keep failing before ProbeFailed fires. @default "5m" */
  readonly probeFailedFor: string;
  /** ProbeSlow fires when a probe takes longer than this many seconds on average over 5 minutes. @default 1 */
  readonly probeSlowSeconds: number;
  /** @default "10m" */
  readonly probeSlowFor: string;
  /** @default "5m" */
  readonly httpStatusCodeFor: string;
  /** SslCertificateWillExpireSoon fires when a probed certificate expires within this many days. @default 14 */
  readonly certificateExpiryDays: number;
  /** @default "5m" */
  readonly configReloadFailureFor: string;
}

export const DEFAULT_BLACKBOX_THRESHOLDS: BlackboxThresholds = {
  probeFailedFor: '5m',
  probeSlowSeconds: 1,
  probeSlowFor: '10m',
  httpStatusCodeFor: '5m',
  certificateExpiryDays: 14,
  configReloadFailureFor: '5m',
};

/** What every probe returns, whatever its prober (the exporter's /probe endpoint, blackbox_exporter v0.28). */
const PROBE_METRICS = ['probe_success', 'probe_duration_seconds', 'probe_ip_protocol', 'probe_ip_addr_hash', 'probe_dns_lookup_time_seconds'];
const HTTP_METRICS = [
  'probe_http_status_code', 'probe_http_duration_seconds', 'probe_http_content_length', 'probe_http_uncompressed_body_length',
  'probe_http_redirects', 'probe_http_ssl', 'probe_http_version', 'probe_http_last_modified_timestamp_seconds', 'probe_failed_due_to_regex',
  'probe_failed_due_to_cel',
];
const TLS_METRICS = ['probe_ssl_earliest_cert_expiry', 'probe_ssl_last_chain_expiry_timestamp_seconds', 'probe_ssl_last_chain_info', 'probe_tls_version_info', 'probe_tls_cipher_info'];
const TCP_METRICS = ['probe_expect_info', 'probe_failed_due_to_bytes'];
const ICMP_METRICS = ['probe_icmp_duration_seconds', 'probe_icmp_reply_hop_limit'];
const DNS_METRICS = ['probe_dns_duration_seconds', 'probe_dns_answer_rrs', 'probe_dns_authority_rrs', 'probe_dns_additional_rrs', 'probe_dns_query_succeeded', 'probe_dns_serial'];
const GRPC_METRICS = ['probe_grpc_duration_seconds', 'probe_grpc_healthcheck_response', 'probe_grpc_ssl', 'probe_grpc_status_code'];

/** The metrics of the probes (scraped through Probe objects) and of the exporter's own /metrics. */
export const BLACKBOX_METRICS: readonly string[] = [
  ...PROBE_METRICS, ...HTTP_METRICS, ...TLS_METRICS, ...TCP_METRICS, ...ICMP_METRICS, ...DNS_METRICS, ...GRPC_METRICS,
  'blackbox_exporter_config_last_reload_successful', 'blackbox_exporter_config_last_reload_success_timestamp_seconds',
  'blackbox_exporter_build_info', 'blackbox_module_unknown_total',
  ...GO_PROCESS_METRICS,
];

const DAY = 86400;

/**
 * @param ns the stack namespace, where the exporter runs (its own job is `blackbox-exporter` there)
 * @param job the exporter's job: its Service's name
 */
export function blackboxRules(t: BlackboxThresholds, ns: string, job: string): RuleGroupDefinition[] {
  const sel = `job="${job}", namespace="${ns}"`;
  // A Probe's series: the operator names the job `probe/<namespace>/<name>`; the instance is the target.
  const probe = (instance: string, name = 'website') => ({ job: `probe/${ns}/${name}`, instance });
  const site = probe('https://shop.example.com');
  const other = probe('https://www.example.com');
  const left = (comparison: string) => `(probe_ssl_earliest_cert_expiry - time()) / ${DAY} ${comparison}`;

  return [
    ruleGroup('blackbox-probes.rules', [
      alertingRule({
        alert: 'ProbeFailed',
        expr: 'probe_success == 0',
        for: t.probeFailedFor,
        severity: 'critical',
        summary: 'A probed endpoint fails.',
        description: 'The probe of {{ $labels.instance }} (job {{ $labels.job }}) has failed for more than ' + t.probeFailedFor + '.',
        tests: {
          fires: {
            input: [{ series: series('probe_success', site), values: '0x20' }, { series: series('probe_success', other), values: '1x20' }],
            at: '10m',
            expect: [site],
          },
          silent: {
            // One failed probe in between is a blip, not an outage.
            input: [{ series: series('probe_success', site), values: '1x5 0 1x14' }],
            at: '10m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'ProbeSlow',
        expr: `avg_over_time(probe_duration_seconds[5m]) > ${t.probeSlowSeconds}`,
        for: t.probeSlowFor,
        severity: 'warning',
        summary: 'A probed endpoint answers slowly.',
        description: 'The probe of {{ $labels.instance }} (job {{ $labels.job }}) takes {{ $value | humanizeDuration }} on average.',
        tests: {
          fires: {
            input: [{ series: series('probe_duration_seconds', site), values: '2.5x30' }, { series: series('probe_duration_seconds', other), values: '0.2x30' }],
            at: '20m',
            expect: [site],
          },
          silent: {
            input: [{ series: series('probe_duration_seconds', site), values: '0.3x30' }],
            at: '20m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'ProbeHttpStatusCode',
        // 0 is no answer at all: ProbeFailed says so, this alert is about the answers.
        expr: '(probe_http_status_code > 0 and probe_http_status_code < 200) or probe_http_status_code >= 400',
        for: t.httpStatusCodeFor,
        severity: 'warning',
        summary: 'A probed HTTP endpoint answers with an error status.',
        description: '{{ $labels.instance }} (job {{ $labels.job }}) answers with HTTP status {{ $value }}.',
        tests: {
          fires: {
            input: [{ series: series('probe_http_status_code', site), values: '503x20' }, { series: series('probe_http_status_code', other), values: '200x20' }],
            at: '10m',
            expect: [site],
          },
          silent: {
            input: [
              { series: series('probe_http_status_code', site), values: '301x20' },
              // Nothing answered: that is ProbeFailed's alert.
              { series: series('probe_http_status_code', other), values: '0x20' },
            ],
            at: '10m',
            expect: [],
          },
        },
      }),
    ], { runbookArea: 'blackbox' }),

    ruleGroup('blackbox-certificates.rules', [
      alertingRule({
        alert: 'SslCertificateWillExpireSoon',
        expr: `${left(`< ${t.certificateExpiryDays}`)} and ${left('> 0')}`,
        severity: 'warning',
        summary: 'A probed TLS certificate expires soon.',
        description: 'The certificate of {{ $labels.instance }} (job {{ $labels.job }}) expires in {{ $value | humanize }} days.',
        tests: {
          fires: {
            // Evaluated at 10m (600 s after the epoch): 5 days left, and 30 days left for the other.
            input: [
              { series: series('probe_ssl_earliest_cert_expiry', site), values: `${600 + 5 * DAY}x20` },
              { series: series('probe_ssl_earliest_cert_expiry', other), values: `${600 + 30 * DAY}x20` },
            ],
            at: '10m',
            expect: [site],
          },
          silent: {
            // Already expired: SslCertificateExpired says so.
            input: [{ series: series('probe_ssl_earliest_cert_expiry', site), values: '300x20' }],
            at: '10m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'SslCertificateExpired',
        expr: 'probe_ssl_earliest_cert_expiry - time() <= 0',
        severity: 'critical',
        summary: 'A probed TLS certificate has expired.',
        description: 'The certificate of {{ $labels.instance }} (job {{ $labels.job }}) has expired: clients refuse it.',
        tests: {
          fires: {
            input: [{ series: series('probe_ssl_earliest_cert_expiry', site), values: '300x20' }],
            at: '10m',
            expect: [site],
          },
          silent: {
            input: [{ series: series('probe_ssl_earliest_cert_expiry', site), values: `${600 + 5 * DAY}x20` }],
            at: '10m',
            expect: [],
          },
        },
      }),
    ], { runbookArea: 'blackbox' }),

    ruleGroup('blackbox-exporter.rules', [
      alertingRule({
        alert: 'BlackboxConfigReloadFailure',
        expr: `blackbox_exporter_config_last_reload_successful{${sel}} == 0`,
        for: t.configReloadFailureFor,
        severity: 'warning',
        summary: 'The blackbox exporter cannot load its configuration.',
        description: 'The blackbox exporter {{ $labels.pod }} in {{ $labels.namespace }} failed to reload its modules: it probes with the previous ones.',
        tests: {
          fires: {
            input: [{ series: series('blackbox_exporter_config_last_reload_successful', { job, namespace: ns, pod: 'blackbox-exporter-7d9f8c6b5-k2x4q' }), values: '1x3 0x20' }],
            at: '15m',
            expect: [{ job, namespace: ns, pod: 'blackbox-exporter-7d9f8c6b5-k2x4q' }],
          },
          silent: {
            input: [{ series: series('blackbox_exporter_config_last_reload_successful', { job, namespace: ns, pod: 'blackbox-exporter-7d9f8c6b5-k2x4q' }), values: '1x3 0x2 1x20' }],
            at: '15m',
            expect: [],
          },
        },
      }),
    ], { runbookArea: 'blackbox' }),
  ];
}

