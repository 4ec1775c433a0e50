// The chaos section of SUMMARY.md: every schedule with what it does to what and when, and its contracts (the alerts
// it must set off, by when, to whom), with how each contract was shown to hold at synth.
import type { ChaosExperiment, ChaosSchedule } from '../chaos/types';
import { scheduleNamespace } from '../chaos/schedule';
import type { ChaosContractOutcome } from './chaos';
import { cell } from './markdown';

function experimentText(e: ChaosExperiment): string {
  switch (e.kind) {
    case 'StressChaos':
      return `StressChaos ${[e.cpu ? `cpu ${e.cpu.workers} worker(s)${e.cpu.load !== undefined ? ` at ${e.cpu.load}%` : ''}` : '', e.memory ? `memory ${e.memory.workers} worker(s)${e.memory.size ? ` of ${e.memory.size}` : ''}` : ''].filter(Boolean).join(', ')}`;
    case 'HTTPChaos':
      return `HTTPChaos ${e.target} on port ${e.port}`;
    case 'TimeChaos':
      return `TimeChaos clock offset ${e.timeOffset}`;
    case 'DNSChaos':
      return `DNSChaos ${e.action}${e.patterns?.length ? ` for ${e.patterns.join(', ')}` : ''}`;
    default:
      return `${e.kind} ${e.action}`;
  }
}

function targetText(s: ChaosSchedule): string {
  const labels = Object.entries(s.selector.labels ?? {}).map(([k, v]) => `\`${k}=${v}\``);
  const mode = 'value' in s.mode ? `${s.mode.mode} ${s.mode.value}` : s.mode.mode;
  return `${labels.length ? `pods ${labels.join(', ')}` : 'every pod'} in ${s.selector.namespaces.map((n) => `\`${n}\``).join(', ')} (mode ${mode})`;
}

function proofText(o: ChaosContractOutcome): string {
  switch (o.proof.kind) {
    case 'simulated':
      return 'yes: the built-in simulation sets it off in time';
    case 'scenario':
      return 'by its drill scenario (`o11y drill`), not at synth';
    case 'not-simulated':
      return `no simulation (${o.proof.reason}): \`o11y drill\` plays it`;
    case 'failed':
      return '**no: the contract fails** (see the errors)';
  }
}

function receiversText(o: ChaosContractOutcome): string {
  const reaches = o.receivers ? o.receivers.map((r) => `\`${r}\``).join(', ') : 'no Alertmanager';
  return o.expectation.receivers?.length ? `expects ${o.expectation.receivers.map((r) => `\`${r}\``).join(', ')}; reaches ${reaches}` : `reaches ${reaches}`;
}

export function chaosReport(schedules: readonly ChaosSchedule[], outcomes: readonly ChaosContractOutcome[]): string | undefined {
  if (!schedules.length) return undefined;
  const lines = [
    '## Chaos schedules and their contracts',
    '',
    'Each experiment and the alerts it must set off (its contract): synth refuses a contract that cannot hold; `o11y drill` plays them on a real Prometheus and Alertmanager.',
    '',
    '| schedule | experiment | target | cron / duration | must set off | within | receivers | proven by simulation |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const s of schedules) {
    const when = `\`${s.schedule}\`${s.duration ? ` for ${s.duration}` : ''}${s.paused ? ' (paused)' : ''}`;
    const head = [`\`${scheduleNamespace(s)}/${s.name}\``, experimentText(s.experiment), targetText(s), when];
    const contracts = outcomes.filter((o) => o.schedule.name === s.name && scheduleNamespace(o.schedule) === scheduleNamespace(s));
    if (!contracts.length) lines.push(`| ${head.map(cell).join(' | ')} | no contract | | | |`);
    contracts.forEach((o, i) => {
      const alert = `${o.expectation.alert}${o.expectation.slo ? ` (SLO ${o.expectation.slo}${o.expectation.tier ? `, ${o.expectation.tier}` : ''})` : ''}`;
      // Later contracts of one schedule leave its columns empty, so that each schedule reads as one block.
      const first = i === 0 ? head : head.map(() => '');
      lines.push(`| ${[...first, alert, o.expectation.within, receiversText(o), proofText(o)].map(cell).join(' | ')} |`);
    });
  }
  return `${lines.join('\n')}\n`;
}
