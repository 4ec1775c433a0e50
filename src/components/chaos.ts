import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { renderSchedule } from '../chaos/schedule';
import { chaosDashboard, verificationRules } from '../chaos/verification';
import { Component, type StackContext } from './component';

/** Chaos Mesh Schedules: each a cron-driven experiment in the namespace it targets. */
export class Chaos extends Component {
  constructor(scope: Construct, context: StackContext) {
    super(scope, 'chaos', context);
    const schedules = this.values.chaos.schedules;
    this.addRules('chaos-verification-rules', verificationRules(schedules));
    if (schedules.some((s) => s.expects?.length)) this.addDashboards('Chaos', [chaosDashboard(schedules)]);
    for (const schedule of schedules) {
      const { metadata, spec } = renderSchedule(schedule, this.values.chaos.pauseAll);
      new ApiObject(this, `Schedule-${String(metadata.namespace)}-${schedule.name}`, {
        apiVersion: 'chaos-mesh.org/v1alpha1',
        kind: 'Schedule',
        metadata: { ...metadata, labels: this.labels(schedule.name, 'chaos-experiment') } as never,
        spec,
      });
    }
  }
}
