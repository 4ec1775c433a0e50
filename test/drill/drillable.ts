// Drills need the real prometheus, prometheus-alertmanager and prometheus-node-exporter (test/run.sh installs them):
// without them the tests say they were skipped, and under CI=true they fail.
import { hasTool } from '../tools';

const TOOLS = ['prometheus', 'prometheus-alertmanager', 'prometheus-node-exporter'];
const missing = TOOLS.filter((t) => !hasTool(t));

export function drillTest(title: string, body: jest.ProvidesCallback, timeoutMs?: number): void {
  if (!missing.length) test(title, body, timeoutMs);
  else if (process.env.CI === 'true') test(title, () => { throw new Error(`${missing.join(', ')} not installed; CI must have them`); });
  else test.skip(`SKIPPED (${missing.join(', ')} not installed): ${title}`, body);
}
