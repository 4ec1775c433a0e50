// The blackbox exporter's probes, per target: success, duration by phase, HTTP status and TLS certificate expiry.
import { CLUSTER, type DashboardBuilder, RowBuilder, dashboard, labelVariable, query, stat, table, timeseries } from '../house';

export function probesDashboard(): DashboardBuilder {
  // Probes' jobs are `probe/<namespace>/<name>`: the variable lists only those.
  const P = `${CLUSTER}, job=~"$job", instance=~"$instance"`;
  const builder = dashboard({
    uid: 'o11y-blackbox-probes',
    title: 'Blackbox / Probes',
    tags: ['blackbox', 'probes'],
    description: 'What the blackbox exporter probes, target by target: whether each probe succeeds, how long its phases take, the HTTP status and when the TLS certificate expires.',
    variables: [
      labelVariable('job', 'probe_success', 'Probe', true, 'job=~"probe/.*"', true),
      labelVariable('instance', 'probe_success', 'Target', true, 'job=~"$job"', true),
    ],
  });

  builder.withRow(new RowBuilder('Overview'));
  builder.withPanel(stat('Targets', 'short', query(`count(probe_success{${P}})`)));
  builder.withPanel(stat('Failing targets', 'short', query(`count(probe_success{${P}} == 0) or vector(0)`), [[1, 'red']]));
  builder.withPanel(stat('Soonest certificate expiry', 'd', query(`min((probe_ssl_earliest_cert_expiry{${P}} - time()) / 86400)`), [[0, 'red'], [14, 'orange'], [30, 'green']]));

  builder.withRow(new RowBuilder('Per target'));
  builder.withPanel(table(
    'Targets',
    query(`probe_success{${P}}`, 'success'),
    query(`probe_duration_seconds{${P}}`, 'duration'),
    query(`probe_http_status_code{${P}}`, 'status'),
    query(`(probe_ssl_earliest_cert_expiry{${P}} - time()) / 86400`, 'certificate days left'),
  ));
  builder.withPanel(timeseries('Success', 'percentunit', query(`avg by (job, instance) (avg_over_time(probe_success{${P}}[$__rate_interval]))`, '{{instance}}')).min(0).max(1));
  builder.withPanel(timeseries('Probe duration', 's', query(`probe_duration_seconds{${P}}`, '{{instance}}')));

  builder.withRow(new RowBuilder('HTTP'));
  builder.withPanel(timeseries('Duration by phase', 's', query(`sum by (instance, phase) (probe_http_duration_seconds{${P}})`, '{{instance}} {{phase}}')));
  builder.withPanel(timeseries('HTTP status', 'short', query(`probe_http_status_code{${P}}`, '{{instance}}')));
  builder.withPanel(timeseries('TLS certificate expiry', 'd', query(`(probe_ssl_earliest_cert_expiry{${P}} - time()) / 86400`, '{{instance}}')));
  builder.withPanel(timeseries('DNS lookup', 's', query(`probe_dns_lookup_time_seconds{${P}}`, '{{instance}}')));
  return builder;
}
