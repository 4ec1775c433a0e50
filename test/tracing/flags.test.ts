// Every flag the stack passes to Kelemetry and Jaeger is one their pinned versions define: the table in
// src/components/tracing-flags.ts was read from their source at the tag, and says where each flag comes from.
import type { StackValues } from '../../src';
import { JAEGER_FLAGS, KELEMETRY_FLAGS, flagProblems, type FlagTable } from '../../src/components/tracing-flags';
import type { RenderedStack } from '../../src/synth/pipeline';
import { podTemplate, render } from '../helpers';

const base = { enabled: true, webhook: { clusterIP: '10.96.0.50', apiServerCidrs: ['10.0.0.0/24'] } };
const VARIANTS: Record<string, StackValues> = {
  default: { controlPlaneTracing: base },
  memory: { controlPlaneTracing: { ...base, storage: { type: 'memory', maxTraces: 1000 } } },
  tls: { controlPlaneTracing: { ...base, webhook: { ...base.webhook, tls: { secretName: 'tls' } } } },
  viaCollector: { controlPlaneTracing: { ...base, viaCollector: { endpoint: 'otel-collector.monitoring.svc:4317' } } },
};

const TABLES: Record<string, FlagTable> = {
  kelemetry: KELEMETRY_FLAGS,
  'kelemetry-storage-plugin': KELEMETRY_FLAGS,
  'jaeger-collector': JAEGER_FLAGS.collector,
  'jaeger-query': JAEGER_FLAGS.query,
  'jaeger-storage': JAEGER_FLAGS['remote-storage'],
};

/** container name -> args of every tracing container. */
function tracingArgs(stack: RenderedStack): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const o of stack.objects.filter((x) => x.component === 'control-plane-tracing' && ['Deployment', 'StatefulSet'].includes(x.manifest.kind))) {
    for (const c of podTemplate(o.manifest).spec.containers) found.set(c.name, (c.args as string[] | undefined) ?? []);
  }
  return found;
}

describe('the flags of the tracing programs', () => {
  for (const [variant, values] of Object.entries(VARIANTS)) {
    test(`every generated flag is in the table of its program's pinned version (${variant})`, () => {
      const args = tracingArgs(render(values));
      expect([...args.keys()].sort()).toEqual(Object.keys(TABLES).sort());
      for (const [name, list] of args) {
        expect(list.length).toBeGreaterThan(2);
        expect({ container: name, problems: flagProblems(list, TABLES[name]) }).toEqual({ container: name, problems: [] });
      }
    });
  }

  test('every table entry says where in the source it is defined', () => {
    for (const table of [KELEMETRY_FLAGS, ...Object.values(JAEGER_FLAGS)]) {
      for (const [name, definition] of Object.entries(table.flags)) {
        expect({ name, source: definition.source }).toEqual({ name, source: expect.stringMatching(/^(pkg|cmd|internal|jaeger v1\.57\.0 plugin)\/[a-z0-9/_.-]+\.go\b/) });
        if (definition.kind === 'choice') expect(definition.values?.length).toBeGreaterThan(0);
      }
    }
  });

  test('refuses an unknown flag, a missing value, a bool or choice out of range, a malformed duration', () => {
    expect(flagProblems(['--audit-webhook-enable', '--audit-webhook-enable=false'], KELEMETRY_FLAGS)).toEqual([]);
    expect(flagProblems(['--audit-webhook-port=1'], KELEMETRY_FLAGS)).toEqual(['--audit-webhook-port is not an option of kelemetry v0.2.7']);
    expect(flagProblems(['--kube-target-cluster'], KELEMETRY_FLAGS)).toEqual(['--kube-target-cluster needs a value']);
    expect(flagProblems(['--owner-linker-enable=yes'], KELEMETRY_FLAGS)).toEqual(['--owner-linker-enable=yes: expected true or false']);
    expect(flagProblems(['--diff-cache=redis'], KELEMETRY_FLAGS)).toEqual(['--diff-cache=redis: expected one of etcd, local']);
    expect(flagProblems(['--badger.span-store-ttl=3d'], JAEGER_FLAGS['remote-storage'])).toEqual(['--badger.span-store-ttl=3d: expected a Go duration such as 30s or 72h']);
    expect(flagProblems(['-v'], KELEMETRY_FLAGS)).toEqual(["'-v' is not of the form --name or --name=value"]);
    // A flag of one Jaeger program is not one of another's.
    expect(flagProblems(['--memory.max-traces=1'], JAEGER_FLAGS.query)).toEqual(['--memory.max-traces is not an option of jaeger-query v1.75.0']);
  });

  test('an image of another version than the table is a warning that says which table was used', () => {
    const stack = render({ common: { images: { kelemetry: { repository: 'ghcr.io/kubewharf/kelemetry', tag: 'v0.2.8' } } }, ...VARIANTS.default });
    const warnings = stack.warnings.filter((w) => w.code === 'tracing/flags-version').map((w) => w.where);
    expect(warnings).toEqual(['Deployment monitoring/kelemetry › container kelemetry', 'Deployment monitoring/jaeger-query › container kelemetry-storage-plugin']);
  });
});
