// Chaos schedules as Chaos Mesh will run them, read back from the written Schedule objects: the safety rules and the
// chaos contracts are checked on what is written (a patch that points an experiment at kube-system is caught).
import { TEMPLATE_KEY } from './schedule';
import type { ChaosExperiment, ChaosMode, ChaosSchedule } from './types';

interface WrittenSchedule {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: Record<string, unknown>;
}

type Raw = Record<string, unknown>;

/**
 * The schedule a Schedule object describes. `declared` is the stack's value of the same name, if any: it brings what
 * the object does not hold (the contract's expectations, the allowances); every fact the object holds wins.
 */
export function scheduleFromObject(object: WrittenSchedule, declared?: ChaosSchedule): ChaosSchedule {
  const spec = object.spec ?? {};
  const kind = String(spec.type ?? declared?.experiment.kind ?? 'PodChaos') as ChaosExperiment['kind'];
  const template = (spec[TEMPLATE_KEY[kind] ?? ''] ?? {}) as Raw;
  const selector = (template.selector ?? {}) as Raw;
  const mode = String(template.mode ?? 'one');
  const experiment = declared && declared.experiment.kind === kind
    ? ({ ...declared.experiment, ...(template.action !== undefined ? { action: template.action } : {}) } as ChaosExperiment)
    : ({ kind, ...(template.action !== undefined ? { action: template.action } : {}) } as ChaosExperiment);
  return {
    ...declared,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
    schedule: String(spec.schedule ?? ''),
    experiment,
    selector: {
      namespaces: Array.isArray(selector.namespaces) ? selector.namespaces.map(String) : [],
      ...(selector.labelSelectors ? { labels: selector.labelSelectors as Record<string, string> } : {}),
      ...(selector.pods ? { pods: selector.pods as Record<string, string[]> } : {}),
    },
    mode: (template.value !== undefined ? { mode, value: Number(template.value) } : { mode }) as ChaosMode,
    duration: template.duration === undefined ? undefined : String(template.duration),
  };
}
