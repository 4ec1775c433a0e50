// The SLO dashboard: per SLO, availability against its objective, the error budget left and how fast it burns.
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { burnWindows, errorBudget, errorRatioRecord, formatDuration, recordedWindows } from '../../rules/slo';
import { SLO_DEFAULTS, type SloValues } from '../../rules/slo-types';
import { durationSeconds } from '../../core/durations';
import { CLUSTER, RowBuilder, dashboard, query, stat, timeseries, type DashboardBuilder } from '../house';

/** Red below `value`, green from it. */
function atLeast(value: number, warn?: number): ThresholdsConfigBuilder {
  const steps = [{ value: null as number | null, color: 'red' }, ...(warn !== undefined ? [{ value: warn, color: 'orange' }] : []), { value, color: 'green' }];
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

function sloPanels(builder: DashboardBuilder, slo: SloValues): void {
  const window = formatDuration(durationSeconds(slo.window ?? SLO_DEFAULTS.window));
  const budget = errorBudget(slo);
  const objective = slo.objective / 100;
  const ratio = (w: string) => `${errorRatioRecord(w)}{${CLUSTER}, slo="${slo.name}"}`;
  const shortest = recordedWindows(slo)[0];
  const longWindows = burnWindows(slo).map((w) => w.long);
  const fastest = burnWindows(slo)[0];
  builder
    .withRow(new RowBuilder(`${slo.name} (${slo.service}): ${slo.objective}% over ${window}`))
    .withPanel(stat(`Availability over ${window}`, 'percentunit', query(`1 - ${ratio(window)}`)).span(6).decimals(3)
      .thresholds(atLeast(objective))
      .description(`Share of good events over the SLO window (the average of the ${shortest} error ratio), red below the objective of ${slo.objective}%.`))
    .withPanel(stat('Objective', 'percentunit', query(`vector(${objective})`)).span(6).decimals(3)
      .description('What the service promises: the share of good events over the window.'))
    .withPanel(stat('Error budget remaining', 'percentunit', query(`1 - ${ratio(window)} / ${budget}`)).span(6)
      .thresholds(atLeast(0.25, 0))
      .description(`Share of the ${window} error budget (${budget * 100}% of events) not yet spent; negative once the objective is missed.`))
    .withPanel(stat(`Burn rate (${fastest.long})`, 'suffix:x', query(`${ratio(fastest.long)} / ${budget}`), [[1, 'orange'], [fastest.factor, 'red']]).span(6)
      .description(`How many times faster than sustainable the budget burns over ${fastest.long}; the page tier fires above ${fastest.factor}x.`))
    .withPanel(timeseries('Availability vs objective', 'percentunit',
      query(`1 - ${ratio(shortest)}`, `availability (${shortest})`),
      query(`1 - ${ratio(window)}`, `availability (${window})`),
      query(`vector(${objective})`, 'objective'))
      .description('Good events over the shortest alert window and over the SLO window, against the objective.'))
    .withPanel(timeseries('Burn rate by window', 'suffix:x',
      ...[shortest, ...longWindows].filter((w, i, all) => all.indexOf(w) === i).map((w) => query(`${ratio(w)} / ${budget}`, w)))
      .description(`Error ratio over each alert window divided by the budget (1 = spending it exactly in ${window}). Alerts: ${burnWindows(slo).map((w) => `${w.tier} ${w.factor}x over ${w.long}/${w.short}`).join(', ')}.`));
}

/** One dashboard for every SLO of the stack, a row each. */
export function slosDashboard(slos: readonly SloValues[]): DashboardBuilder {
  const builder = dashboard({
    uid: 'o11y-slos',
    title: 'SLOs / Error budgets',
    tags: ['slo'],
    description: 'Per SLO: availability against its objective, the error budget left over its window, and the burn rates its alerts fire on.',
  }).time({ from: 'now-7d', to: 'now' });
  for (const slo of slos) sloPanels(builder, slo);
  return builder;
}
