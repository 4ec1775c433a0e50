// A chaos contract on an SLO (`expects: [{ alert: 'SLOErrorBudgetBurn', slo, tier }]`): the burn alerts of that
// SLO, and of that tier, are the ones that count.
import type { ChaosExpectation } from '../chaos/types';
import { closestNames } from '../core/suggest';
import { SLO_BURN_ALERT } from '../rules/slo';
import type { AlertDefinition } from '../rules/types';

type Candidate = { readonly alert: AlertDefinition };

/** The alerts an expectation may be met by, or why an SLO expectation names none. */
export function sloExpectationCandidates<T extends Candidate>(
  expectation: ChaosExpectation,
  named: readonly T[],
): { readonly candidates: readonly T[] } | { readonly problem: { readonly message: string; readonly fix: string } } {
  if (expectation.slo === undefined && expectation.tier === undefined) return { candidates: named };
  if (expectation.slo === undefined) return { problem: { message: 'names a tier but no slo', fix: "add the SLO: slo: '<name of one of slos>'" } };
  if (expectation.alert !== SLO_BURN_ALERT) {
    return { problem: { message: `names slo '${expectation.slo}', whose burn alert is ${SLO_BURN_ALERT}, not ${expectation.alert}`, fix: `write alert: '${SLO_BURN_ALERT}'` } };
  }
  const slos = [...new Set(named.map((a) => a.alert.labels?.slo).filter((s): s is string => s !== undefined))].sort();
  if (!slos.includes(expectation.slo)) {
    const near = closestNames(expectation.slo, slos, 3);
    return {
      problem: {
        message: `the stack has no SLO named '${expectation.slo}'${slos.length ? ` (SLOs: ${slos.join(', ')})` : ''}`,
        fix: near.length ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : 'declare it in slos, or fix the name',
      },
    };
  }
  const ofSlo = named.filter((a) => a.alert.labels?.slo === expectation.slo && (expectation.tier === undefined || a.alert.labels?.slo_tier === expectation.tier));
  if (!ofSlo.length) return { problem: { message: `SLO '${expectation.slo}' has no ${expectation.tier} alert (disabled?)`, fix: 'expect the other tier, or enable the alert' } };
  return { candidates: ofSlo };
}
