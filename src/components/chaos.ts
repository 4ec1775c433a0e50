import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { renderSchedule } from '../chaos/schedule';
import type { ChaosSchedule } from '../chaos/types';
import { chaosDashboard, verificationRules } from '../chaos/verification';
import { Component, type ComponentProps, type WithDefaults } from './component';

export interface ChaosValues {
  /**
   * Pause every schedule (the pause annotation on each Schedule).
   * @default false
   */
  readonly pauseAll?: boolean;
  /** @default [] */
  readonly schedules?: ChaosSchedule[];
}

export const CHAOS_DEFAULTS = { pauseAll: false, schedules: [] as ChaosSchedule[] } satisfies ChaosValues;

/** ChaosValues with every default filled in. */
export type ResolvedChaosValues = WithDefaults<ChaosValues, typeof CHAOS_DEFAULTS>;

export interface ChaosProps extends ComponentProps, ResolvedChaosValues {}

/** Chaos Mesh Schedules: each a cron-driven experiment in the namespace it targets. */
export class Chaos extends Component {
  constructor(scope: Construct, id: string, props: ChaosProps) {
    super(scope, id, props);
    const schedules = props.schedules;
    this.addRules('chaos-verification-rules', verificationRules(schedules));
    if (schedules.some((s) => s.expects?.length)) this.addDashboards('Chaos', [chaosDashboard(schedules)]);
    for (const schedule of schedules) {
      const { metadata, spec } = renderSchedule(schedule, props.pauseAll);
      new ApiObject(this, `Schedule-${String(metadata.namespace)}-${schedule.name}`, {
        apiVersion: 'chaos-mesh.org/v1alpha1',
        kind: 'Schedule',
        metadata: { ...metadata, labels: this.labels(schedule.name, 'chaos-experiment') } as never,
        spec,
      });
    }
  }
}
