// A real Prometheus and Alertmanager on 127.0.0.1 (Debian packages), with the stack's rules and routing scaled.
import * as path from 'path';
import { drillAlertmanagerConfig } from '../../src/drill/alertmanager';
import { runScenario, type DrillScenario } from '../../src/drill/run';
import { scaleRuleGroups } from '../../src/drill/scale';
import { expandSeries } from '../../src/drill/series';
import { renderGroups } from '../../src/rules/render';
import { toYaml } from '../../src/synth/files';
import { loadStackFile } from '../../src/synth/load';
import { buildStack } from '../../src/synth/render';
import { hasTool } from '../tools';

const FACTOR = 60;

describe('series notation', () => {
  test('expands like promtool', () => {
    expect(expandSeries('0+10x3 _ 5x2 _x1')).toEqual([0, 10, 20, 30, undefined, 5, 5, 5, undefined, undefined]);
    expect(() => expandSeries('abc')).toThrow("'abc' is not promtool series notation");
  });
});

const drillable = hasTool('prometheus') && hasTool('prometheus-alertmanager');
const drillTest = drillable ? test : process.env.CI === 'true' ? test : test.skip;

describe('a drill of the teams example stack', () => {
  drillTest(`${drillable ? '' : 'SKIPPED (prometheus or prometheus-alertmanager not installed): '}a target going down fires TargetDown, delivered to the incident tool only`, async () => {
    if (!drillable) throw new Error('prometheus and prometheus-alertmanager must be installed (test/run.sh installs them)');
    const stack = buildStack(loadStackFile(path.resolve(__dirname, '../../stacks/teams.ts')));
    stack.finalize();
    const groups = scaleRuleGroups(stack.rules.effective().flatMap((s) => s.groups), FACTOR);
    const scenario: DrillScenario = {
      name: 'checkout target down',
      series: [
        { series: 'up{job="checkout", namespace="shop", service="checkout", instance="10.0.0.1:8080"}', values: '0x300' },
        { series: 'up{job="checkout", namespace="shop", service="checkout", instance="10.0.0.2:8080"}', values: '1x300' },
      ],
      expect: [{ alert: 'TargetDown', receivers: ['incident-tool'] }],
    };
    const [result] = await runScenario({
      rulesYaml: toYaml(renderGroups(groups, 'https://runbooks.invalid')),
      alertmanagerConfig: (url) => drillAlertmanagerConfig(stack.values.alertmanager, FACTOR, url),
      interval: '1s',
      stepMs: 500,
      timeoutMs: 60000,
    }, scenario);
    expect(result).toMatchObject({ alert: 'TargetDown', expected: ['incident-tool'], passed: true });
    expect(result.delivered['incident-tool']).toBeLessThan(60);
  }, 90000);
});

describe('o11y drill', () => {
  const { spawnSync } = require('child_process');
  const fs = require('fs');
  const os = require('os');
  const REPO = path.resolve(__dirname, '..', '..');
  const o11y = (args: string[]) => spawnSync(process.execPath, [path.join(REPO, 'build/src/cli/main.js'), ...args], { cwd: REPO, encoding: 'utf8' });

  drillTest('plays the chaos example\'s contracts and reports where each alert went, as JSON too', () => {
    const run = o11y(['drill', 'stacks/chaos.ts', '--json', '--timeout', '60']);
    expect(run.status).toBe(0);
    const results = JSON.parse(run.stdout);
    expect(results).toEqual([expect.objectContaining({ alert: 'KubeDeploymentReplicasMismatch', expected: ['incident-tool'], passed: true })]);
  }, 120000);

  drillTest('a broken route makes it fail, saying where the alert went instead', () => {
    const source = fs.readFileSync(path.join(REPO, 'stacks/chaos.ts'), 'utf8')
      .replace("routes: [{ receiver: 'null', matchers: ['alertname=~\"Watchdog|InfoInhibitor\"'] }],", "routes: [{ receiver: 'null', matchers: ['alertname=~\"Watchdog|InfoInhibitor|KubeDeploymentReplicasMismatch\"'] }],");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-drill-stack-')), 'broken.ts');
    fs.writeFileSync(file, source);
    const run = o11y(['drill', file, '--timeout', '40']);
    expect(run.stdout).toContain('FAIL  checkout-pod-failure (PodChaos): KubeDeploymentReplicasMismatch -> null after');
    expect(run.stdout).toMatch(/^0 passed, 1 failed$/m);
    expect(run.status).toBe(1);
  }, 120000);
});
