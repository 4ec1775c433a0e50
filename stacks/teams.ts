// Alert routing for several teams, as in our reference talk: every alert goes to the incident tool's webhook
// (bearer token from a Secret), critical alerts continue to PagerDuty, Watchdog goes to the null receiver, the
// platform team gets its own Slack channel (quiet at night), and the shop team routes its namespace itself (an
// AlertmanagerConfig).
// `npx o11y synth stacks/teams.ts` proves where every alert goes: see dist/teams/SUMMARY.md.
import { defineStack } from 'cdk8s-o11y';

export default defineStack({
  common: { clusterName: 'eu-prod-1' },
  alertmanager: {
    receivers: [
      { name: 'null', type: 'null' },
      {
        name: 'incident-tool',
        type: 'webhook',
        url: 'https://incidents.example.com/api/v1/alertmanager',
        bearerToken: { name: 'alertmanager-incident-tool', key: 'token' },
      },
      { name: 'pagerduty', type: 'pagerduty', routingKey: { name: 'alertmanager-pagerduty', key: 'routing-key' } },
      { name: 'platform-slack', type: 'slack', apiUrl: { name: 'alertmanager-slack', key: 'webhook-url' }, channel: '#platform-alerts' },
    ],
    route: {
      receiver: 'incident-tool',
      groupBy: ['alertname', 'namespace'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '4h',
      routes: [
        { receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
        { receiver: 'pagerduty', matchers: ['severity="critical"'], continue: true },
        { receiver: 'platform-slack', matchers: ['namespace=~"monitoring|kube-system"'], continue: true, muteTimeIntervals: ['night'] },
        { receiver: 'incident-tool' },
      ],
    },
    timeIntervals: [{ name: 'night', times: [{ startTime: '22:00', endTime: '24:00' }, { startTime: '00:00', endTime: '07:00' }], location: 'Europe/Berlin' }],
    expectations: [
      { labels: { alertname: 'Watchdog', severity: 'none' }, receivers: ['null'] },
      { labels: { alertname: 'KubeAPIDown', severity: 'critical' }, receivers: ['pagerduty', 'incident-tool'] },
      { labels: { alertname: 'PrometheusRuleFailures', severity: 'critical', namespace: 'monitoring' }, receivers: ['pagerduty', 'platform-slack', 'incident-tool'] },
      // The operator puts the shop team's route first, with continue: its receivers are named <namespace>/<config>/<name>.
      { labels: { alertname: 'KubePodCrashLooping', severity: 'warning', namespace: 'shop' }, receivers: ['shop/shop-routing/shop-slack', 'incident-tool'] },
      { labels: { alertname: 'KubePodCrashLooping', severity: 'info', namespace: 'shop' }, receivers: ['incident-tool'] },
    ],
    teams: [
      {
        namespace: 'shop',
        receivers: [{ name: 'shop-slack', type: 'slack', apiUrl: { name: 'shop-slack', key: 'webhook-url' }, channel: '#shop-oncall' }],
        route: { receiver: 'shop-slack', groupBy: ['alertname'], matchers: ['severity=~"warning|critical"'] },
      },
    ],
  },
});
