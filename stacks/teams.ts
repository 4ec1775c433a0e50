// Alert routing for several teams, as in our reference talk: every alert goes to the incident tool's webhook
// (bearer token from a Secret), critical alerts continue to PagerDuty, Watchdog goes to a heartbeat, the platform
// team gets its own Slack channel, and the shop team routes its namespace itself (an AlertmanagerConfig).
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
      { name: 'heartbeat', type: 'webhook', url: 'https://heartbeat.example.com/ping/eu-prod-1', sendResolved: false },
      { name: 'platform-slack', type: 'slack', apiUrl: { name: 'alertmanager-slack', key: 'webhook-url' }, channel: '#platform-alerts' },
    ],
    route: {
      receiver: 'incident-tool',
      groupBy: ['alertname', 'namespace'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '4h',
      routes: [
        { receiver: 'heartbeat', matchers: ['alertname="Watchdog"'], groupWait: '0s', repeatInterval: '1m' },
        { receiver: 'null', matchers: ['alertname="InfoInhibitor"'] },
        { receiver: 'pagerduty', matchers: ['severity="critical"'], continue: true },
        { receiver: 'platform-slack', matchers: ['namespace=~"monitoring|kube-system"'], continue: true },
        { receiver: 'incident-tool' },
      ],
    },
    expectations: [
      { labels: { alertname: 'Watchdog', severity: 'none' }, receivers: ['heartbeat'] },
      { labels: { alertname: 'KubeAPIDown', severity: 'critical' }, receivers: ['pagerduty', 'incident-tool'] },
      { labels: { alertname: 'PrometheusRuleFailures', severity: 'critical', namespace: 'monitoring' }, receivers: ['pagerduty', 'platform-slack', 'incident-tool'] },
      { labels: { alertname: 'KubePodCrashLooping', severity: 'warning', namespace: 'shop' }, receivers: ['incident-tool'] },
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
