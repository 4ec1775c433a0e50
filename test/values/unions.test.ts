// One mistake in a union value (a receiver, a chaos experiment, a metric) gives one problem: the branch meant.
import { renderError } from '../helpers';

const schedule = { name: 'latency', schedule: '0 4 * * 2', selector: { namespaces: ['shop'] }, mode: { mode: 'one' as const }, duration: '5m' };

describe('union values are reported against the branch the user meant', () => {
  test('an unknown receiver type is one problem that lists the types and suggests the closest', () => {
    const message = renderError({ alertmanager: { receivers: [{ name: 'x', type: 'slak', channel: '#a' } as never] } });
    expect(message).toContain('stack test: 1 problem\n');
    expect(message).toContain('alertmanager.receivers[0].type: "slak" is not allowed');
    expect(message).toContain('did you mean "slack"?');
  });

  test('a receiver without a type is reported against the branch with the fewest errors', () => {
    const message = renderError({ alertmanager: { receivers: [{ name: 'relay', url: 'https://relay.example.com/hook' } as never] } });
    expect(message).toContain('stack test: 1 problem\n');
    expect(message).toContain("alertmanager.receivers[0]: missing required field 'type'");
  });

  test('a nested union (NetworkChaos by action) gives the problem of the action meant', () => {
    const message = renderError({ chaos: { schedules: [{ ...schedule, experiment: { kind: 'NetworkChaos', action: 'delay', latency: 200 } as never }] } });
    expect(message).toContain('stack test: 1 problem\n');
    expect(message).toContain('chaos.schedules[0].experiment.latency: must be string, got number 200');
  });

  test('an unknown option in a receiver is one problem and the rest is still checked', () => {
    const message = renderError({ alertmanager: { receivers: [{ name: 'null', type: 'null' }, { name: 'x', type: 'slack', apiUrl: { name: 'slack', key: 'url' }, channel: '#a', titel: 't' } as never] } });
    expect(message).toContain("alertmanager.receivers[1].titel: unknown option 'titel'");
    expect(message).toContain("did you mean 'title'?");
    expect(message).not.toContain('must match a schema in anyOf');
  });

  test('a custom resource metric with an unknown type names the type', () => {
    const message = renderError({ kubeStateMetrics: { customResources: [{ group: 'example.com', version: 'v1', kind: 'Thing', plural: 'things', metrics: [{ name: 'x', help: 'x', type: 'Counter', path: ['a'] } as never] }] } });
    expect(message).toContain('stack test: 1 problem\n');
    expect(message).toContain('kubeStateMetrics.customResources[0].metrics[0].type: "Counter" is not allowed');
  });
});
