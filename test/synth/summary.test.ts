// SUMMARY.md as a reviewer reads it: where each alert goes (one table per receiver), the chaos contracts, the
// Secrets to create, and only warnings that are true of the routing Alertmanager runs (checked against amtool).
import * as path from 'path';
import type { StackValues } from '../../src';
import { alertmanagerConfig } from '../../src/alerting/config';
import { operatorRouting } from '../../src/alerting/operator-routing';
import type { AlertProfile } from '../../src/analyze/alert-match';
import { routingInput } from '../../src/analyze/model';
import { alertProfiles, routeLabels } from '../../src/analyze/routing';
import { alertsHiddenFromDefault } from '../../src/analyze/team-routing';
import { toYaml } from '../../src/core/yaml';
import { loadStackFile } from '../../src/load/stack-file';
import { stackFiles } from '../../src/synth/layout';
import { renderStack, type RenderedStack } from '../../src/synth/pipeline';
import { render } from '../helpers';
import { runTool, testWithTool } from '../tools';

const stackFile = (name: string) => renderStack(loadStackFile(path.resolve(__dirname, `../../stacks/${name}.ts`)));
const summaryOf = (stack: RenderedStack) => stackFiles(stack).find((f) => f.path === `${stack.name}/SUMMARY.md`)!.content;

/** The rows of a receiver's table: alert (without the *may* mark) and severity -> the row's cells. */
function receiverRows(summary: string, receiver: string): Map<string, string[]> {
  const start = summary.indexOf(`### \`${receiver}\` (`);
  expect(start).toBeGreaterThanOrEqual(0);
  const table = summary.slice(start).split('\n\n')[1];
  const rows = table.split('\n').slice(2).map((line) => line.slice(2, -2).split(/ (?<!\\)\| /));
  return new Map(rows.map((cells) => [`${cells[0].replace(/ \*may\*$/, '')} (${cells[1]})`, cells]));
}

describe('SUMMARY.md of stacks/teams.ts', () => {
  const stack = stackFile('teams');
  const summary = summaryOf(stack);
  const expectations = require('../../stacks/teams').default.values.alertmanager.expectations as { labels: Record<string, string>; receivers: string[] }[];
  const receivers = ['incident-tool', 'null', 'pagerduty', 'platform-slack', 'shop/shop-routing/shop-slack'];

  test('has one table per receiver, with a row per alert it receives, as the stack\'s routing expectations say', () => {
    const tables = new Map(receivers.map((r) => [r, receiverRows(summary, r)]));
    // Expectations on alerts the stack has (the others name label sets no rule produces, e.g. an info CrashLooping).
    const real = expectations.filter((e) => [...tables.values()].some((rows) => rows.has(`${e.labels.alertname} (${e.labels.severity})`)));
    expect(real.map((e) => e.labels.alertname)).toEqual(['Watchdog', 'KubeAPIDown', 'PrometheusRuleFailures', 'KubePodCrashLooping']);
    for (const e of real) {
      const key = `${e.labels.alertname} (${e.labels.severity})`;
      for (const receiver of e.receivers) expect([key, receiver, tables.get(receiver)!.has(key)]).toEqual([key, receiver, true]);
    }
    // Watchdog goes to null only; KubeAPIDown carries no namespace: neither the shop team nor platform-slack gets it.
    expect(receivers.filter((r) => tables.get(r)!.has('Watchdog (none)'))).toEqual(['null']);
    expect(receivers.filter((r) => tables.get(r)!.has('KubeAPIDown (critical)'))).toEqual(['incident-tool', 'pagerduty']);
  });

  test('each row says what routes the alert there, its grouping and timing', () => {
    expect(receiverRows(summary, 'pagerduty').get('KubeAPIDown (critical)')).toEqual(['KubeAPIDown', 'critical', '`severity="critical"`', '`alertname`, `namespace`', '30s / 5m / 4h']);
    expect(receiverRows(summary, 'shop/shop-routing/shop-slack').get('KubePodCrashLooping (warning)')).toEqual([
      'KubePodCrashLooping *may*', 'warning', '`severity=~"warning\\|critical"`, `namespace="shop"`', '`alertname`', '30s / 5m / 4h',
    ]);
    expect(receiverRows(summary, 'platform-slack').get('KubePodCrashLooping (warning)')![4]).toBe('30s / 5m / 4h; muted night');
    expect(receiverRows(summary, 'incident-tool').get('KubeAPIDown (critical)')![2]).toBe('catch-all route');
    // The long comma-separated line per receiver is gone.
    expect(summary).not.toContain('| receiver | alerts that may reach it |');
  });

  test('has no warning: the namespace scope of the shop team is a note in the routing section', () => {
    expect(stack.warnings.filter((w) => w.severity === 'warning')).toEqual([]);
    expect(summary).toContain('## Warnings (0)');
    expect(summary).toContain('- Team `shop` (OnNamespace): the operator adds `namespace="shop"` to its routes, so they receive only alerts of that namespace; the 20 cluster-level alerts without a namespace label (KubeAPIDown, KubeAPITerminatedRequests, KubeAggregatedAPIDown, ...) reach only the global routes.');
  });

  test('lists the Secrets to create before deploying as a table', () => {
    expect(summary).toContain('| namespace | name | keys | read by |\n|---|---|---|---|\n| `monitoring` | `alertmanager-incident-tool` | `token` |');
    expect(summary).toContain('| `shop` | `shop-slack` | `webhook-url` | AlertmanagerConfig/shop-routing: spec.receivers[0].slackConfigs[0].apiURL (key `webhook-url`) |');
  });
});

describe('SUMMARY.md of stacks/chaos.ts', () => {
  const summary = summaryOf(stackFile('chaos'));
  const section = summary.slice(summary.indexOf('## Chaos schedules and their contracts'), summary.indexOf('## Security'));
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));

  test('has a row per contract: schedule, experiment, target, cron and duration, alert, deadline, receivers, proof', () => {
    expect(rows).toEqual([
      '| `shop/checkout-dns-errors` | DNSChaos error for payments.example.com, *.psp.example.com | pods `app.kubernetes.io/name=checkout` in `shop` (mode one) | `0 3 * * 1-5` for 10m | CheckoutMemoryHigh | 10m | expects `incident-tool`; reaches `incident-tool` | by its drill scenario (`o11y drill`), not at synth |',
      '| `shop/checkout-pod-failure` | PodChaos pod-failure | pods `app.kubernetes.io/name=checkout` in `shop` (mode fixed-percent 50) | `0 4 * * 2` for 20m | KubeDeploymentReplicasMismatch | 25m | expects `incident-tool`; reaches `incident-tool` | yes: the built-in simulation sets it off in time |',
      '| `web/web-stress` | StressChaos cpu 2 worker(s) at 80%, memory 1 worker(s) of 256MB | pods `app.kubernetes.io/name=web` in `web` (mode all) | `30 4 * * 3` for 15m | WebLatencyHigh | 10m | expects `incident-tool`; reaches `incident-tool` | yes: the built-in simulation sets it off in time |',
    ]);
  });

  test('a stack without chaos schedules has no such section', () => {
    expect(render({}).reports.join('\n')).not.toContain('## Chaos schedules');
  });
});

describe('the team-hides-default warning is true of the routing Alertmanager runs', () => {
  const ops = { name: 'ops', type: 'webhook' as const, url: 'https://ops.example.com/hook' };
  const team = { namespace: 'shop', receivers: [{ name: 'chat', type: 'webhook' as const, url: 'https://chat.example.com/hook' }], route: { receiver: 'chat', matchers: ['severity=~"warning|critical"'] } };
  const values = (routes: object[]): StackValues => ({ alertmanager: { receivers: [{ name: 'null', type: 'null' }, ops], route: { receiver: 'ops', routes }, teams: [team] } as never });
  const watchdog = { receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] };

  /** The merged configuration as Alertmanager loads it, and the alerts the analyzer says the team hides. */
  function analyzed(stack: RenderedStack) {
    const input = routingInput(stack.model)!;
    const merged = operatorRouting(input, stack.model.alerting!.namespace);
    const profiles = alertProfiles(stack.model.rules, stack.model.prometheus!.alertLabels);
    const hidden = alertsHiddenFromDefault(input, merged, profiles).flatMap((h) => h.profiles);
    // Rendered from the values as the operator merges them (the model reads receivers' credentials as file paths).
    const values = stack.model.values.alertmanager;
    const rendered = operatorRouting(values, stack.model.alerting!.namespace);
    return { merged, hidden, yaml: toYaml(alertmanagerConfig({ ...rendered, timeIntervals: values.timeIntervals })) };
  }
  /** Labels of an alert firing in the team's namespace. */
  const firing = (p: AlertProfile) => ({ ...Object.fromEntries(p.known), namespace: 'shop' });
  const amtoolRoutes = (yaml: string, labels: Record<string, string>) => {
    const result = runTool('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yaml', ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)], { 'alertmanager.yaml': yaml });
    if (result.status !== 0) throw new Error(`amtool: ${result.output}`);
    return result.stdout.trim().split(',');
  };

  testWithTool('amtool', 'warned: amtool routes the alerts it names to the team only, never to the default receiver', () => {
    const stack = render(values([watchdog]));
    const [warning] = stack.warnings.filter((w) => w.code === 'routing/team-hides-default');
    expect(warning.where).toBe('alertmanager.teams › shop');
    const { merged, hidden, yaml } = analyzed(stack);
    expect(hidden.length).toBeGreaterThan(10);
    expect(warning.message).toContain(`${new Set(hidden.map((p) => p.alert)).size} alerts (`);
    expect(hidden.every((p) => ['warning', 'critical'].includes(p.known.get('severity')!))).toBe(true);
    // A sample across the list (amtool takes ~50 ms a run), each checked by amtool and by our evaluation.
    for (const p of hidden.filter((_, i) => i % Math.ceil(hidden.length / 8) === 0)) {
      const labels = firing(p);
      expect([p.alert, amtoolRoutes(yaml, labels)]).toEqual([p.alert, ['shop/shop-routing/chat']]);
      expect(routeLabels(merged.route, labels)).toEqual(['shop/shop-routing/chat']);
    }
  });

  testWithTool('amtool', 'not warned when a global route the team\'s alerts also match takes them to the default receiver (amtool agrees)', () => {
    const catchWarnings = { receiver: 'ops', matchers: ['severity=~"warning|critical"'] };
    const stack = render(values([watchdog, catchWarnings]));
    expect(stack.warnings.map((w) => w.code)).not.toContain('routing/team-hides-default');
    const { hidden, yaml } = analyzed(stack);
    expect(hidden).toEqual([]);
    const profiles = alertProfiles(stack.model.rules, stack.model.prometheus!.alertLabels).filter((p) => p.known.get('severity') === 'warning');
    for (const p of profiles.slice(0, 3)) expect(amtoolRoutes(yaml, firing(p))).toEqual(['shop/shop-routing/chat', 'ops']);
  });

  test('stacks/teams.ts (which ends its routes with a catch-all) has no such warning', () => {
    expect(stackFile('teams').warnings.map((w) => w.code)).not.toContain('routing/team-hides-default');
  });
});
