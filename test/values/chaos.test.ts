// Chaos schedules: an unreadable cron or Chaos Mesh value is a problem at its field.
import type { ChaosSchedule } from '../../src/chaos/types';
import { renderError } from '../helpers';

const base: ChaosSchedule = {
  name: 'checkout-pod-failure',
  schedule: '0 4 * * 2',
  experiment: { kind: 'PodChaos', action: 'pod-failure' },
  selector: { namespaces: ['shop'], labels: { app: 'checkout' } },
  mode: { mode: 'one' },
  duration: '5m',
};

describe('chaos schedule values', () => {
  test.each(['every tuesday', '0 4 * *', '61 * * * *', '0 4 * * 2 extra'])('the unreadable cron %p names chaos.schedules[i].schedule', (schedule) => {
    const message = renderError({ chaos: { schedules: [{ ...base, schedule }] } });
    expect(message).toContain(`chaos.schedules[0].schedule: '${schedule}' is not a schedule`);
    expect(message).toContain('write 5 cron fields (minute hour day month weekday)');
  });

  test('a bad duration is still named when the cron is unreadable too', () => {
    const message = renderError({ chaos: { schedules: [{ ...base, schedule: 'weekly', duration: '5 min' }] } });
    expect(message).toContain('chaos.schedules[0].schedule');
    expect(message).toContain("chaos.schedules[0].duration: '5 min' is not a Prometheus duration");
  });

  test('bandwidth rates, stress sizes and correlations are checked', () => {
    const message = renderError({
      chaos: {
        schedules: [
          { ...base, experiment: { kind: 'NetworkChaos', action: 'bandwidth', rate: '1 Mbit/s', limit: 1, buffer: 1 } },
          { ...base, name: 'stress', schedule: '0 5 * * 2', experiment: { kind: 'StressChaos', memory: { workers: 1, size: '256 megabytes' } } },
          { ...base, name: 'delay', schedule: '0 6 * * 2', experiment: { kind: 'NetworkChaos', action: 'delay', latency: '100ms', correlation: 'high' } },
        ],
      },
    });
    expect(message).toContain("chaos.schedules[0].experiment.rate: '1 Mbit/s' is not a rate");
    expect(message).toContain("chaos.schedules[1].experiment.memory.size: '256 megabytes' is not a memory size");
    expect(message).toContain("chaos.schedules[2].experiment.correlation: 'high' is not a percentage");
  });
});
