// `o11y drill` end to end on the example stacks beside the default one (their own file, so that jest runs these long
// drills beside the others): the full and chaos examples pass, and a rule that never fires fails the drill.
import { drillTest } from '../tools';
import { o11y, stackVariant } from './drill-cli';

describe('o11y drill on the examples', () => {
  drillTest('the full example: an SLO\'s fast burn pages and a failing probe alerts, delivered to oncall', () => {
    const run = o11y(['drill', 'stacks/full.ts', '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { results } = JSON.parse(run.stdout);
    const passed = results.filter((r: { passed: boolean }) => r.passed).map((r: { scenario: string; alert: string }) => `${r.scenario}: ${r.alert}`);
    expect(passed).toEqual(expect.arrayContaining(['checkout burns its error budget: SLOErrorBudgetBurn', 'the shop front page stops answering: ProbeFailed']));
    expect(results.every((r: { passed: boolean; delivered: Record<string, number> }) => r.passed)).toBe(true);
    expect(results.find((r: { alert: string }) => r.alert === 'SLOErrorBudgetBurn').delivered.oncall).toBeGreaterThan(0);
  }, 180000);

  drillTest('the chaos example: simulated pod failure and CPU stress, and the declared DNS scenario, reach the incident tool', () => {
    // Factor 40, not 60: the contracts' deadlines keep a few seconds of margin on a busy CI machine.
    const run = o11y(['drill', 'stacks/chaos.ts', '--factor', '40']);
    expect(run.status).toBe(0);
    // Times count from the experiment's start where there is one (after the simulation's healthy 10m), as `within` does.
    expect(run.stdout).toMatch(/checkout-pod-failure \(PodChaos\) {2}\[chaos: simulated [^\]]*\] {2}\(times from the experiment's start, 15s \(~10m\) in\)/);
    expect(run.stdout).toMatch(/Watchdog heartbeat {2}\[built-in: the always-firing alert\] {2}\(times from time zero\)/);
    expect(run.stdout).toMatch(/KubeDeploymentReplicasMismatch +\d+(\.\d)?s \(~\d+m\) +incident-tool [\d.]+s .* PASS/);
    expect(run.stdout).toMatch(/WebLatencyHigh +\d+(\.\d)?s .* PASS/);
    expect(run.stdout).toMatch(/checkout retries pile up while DNS fails {2}\[stack: plays chaos schedule checkout-dns-errors\]/);
    expect(run.stdout).toMatch(/CheckoutMemoryHigh +.* PASS/);
    expect(run.stdout).not.toContain('SKIP');
    expect(run.stdout).toMatch(/^5 passed, 0 failed$/m);
  }, 180000);

  drillTest('a rule whose threshold the scenario never reaches fails the drill, saying it never fired', () => {
    // Only the real servers can tell: the analyzers cannot know what memory the DNS scenario uses.
    const file = stackVariant('threshold', (source) => source.replace('> 500 * 1024 * 1024', '> 5000 * 1024 * 1024'));
    const run = o11y(['drill', file, '--timeout', '35']);
    expect(run.stdout).toMatch(/CheckoutMemoryHigh +never .* FAIL: never fired/);
    expect(run.stdout).toMatch(/^4 passed, 1 failed$/m);
    expect(run.status).toBe(1);
  }, 180000);

});
