// Drill scenarios a stack declares are checked at synth, like every other value.
import { renderError } from '../helpers';

const scenario = { name: 'rollout', series: [{ series: 'up{job="api"}', values: '1x5 0x20' }], expect: [{ alert: 'TargetDown' }] };

describe('drill scenarios of a stack', () => {
  test('a chaos schedule that does not exist is named, with the closest one', () => {
    const message = renderError({
      chaos: { schedules: [{ name: 'api-pod-kill', schedule: '@daily', experiment: { kind: 'PodChaos', action: 'pod-kill' }, selector: { namespaces: ['shop'] }, mode: { mode: 'one' } }] },
      drill: { scenarios: [{ ...scenario, chaos: 'api-pod-kil' }] },
    });
    expect(message).toContain("drill.scenarios[0].chaos: no chaos schedule is named 'api-pod-kil'");
    expect(message).toContain("did you mean 'api-pod-kill'?");
  });

  test('series that are not promtool notation, unknown receivers and empty expectations are rejected', () => {
    const message = renderError({
      drill: {
        scenarios: [
          { ...scenario, series: [{ series: 'up{job="api"}', values: '1x5 zero' }] },
          { ...scenario, name: 'two', expect: [{ alert: 'TargetDown', receivers: ['pagerdty'] }] },
          { ...scenario, name: 'three', expect: [] },
          { ...scenario, name: 'three', expect: [{ alert: 'KubeQuotaAlmostFull', inhibited: true, receivers: ['null'] }] },
        ],
      },
    });
    expect(message).toContain("drill.scenarios[0].series[0]: 'zero' is not promtool series notation");
    expect(message).toContain("drill.scenarios[1].expect[0].receivers: no receiver is named 'pagerdty'");
    expect(message).toContain('drill.scenarios[2].expect: the scenario expects nothing');
    expect(message).toContain("drill.scenarios[3].name: 'three' is used by two scenarios");
    expect(message).toContain('drill.scenarios[3].expect[0]: an inhibited alert reaches no receiver');
  });
});
