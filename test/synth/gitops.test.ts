// The GitOps output (values `gitops`): an Argo CD Application and a Flux Kustomization per stack that apply exactly
// the stack's manifests, validated against the Argo CD and Flux schemas.
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import type { StackValues } from '../../src';
import { defineFleet } from '../../src';
import { fleetClusters } from '../../src/stack/fleet';
import { stackFiles, type OutputFile } from '../../src/synth/layout';
import { gitopsFiles, SYNC_WAVE } from '../../src/synth/gitops';
import { writeStack } from '../../src/synth/writer';
import { render, renderError, tempFolder } from '../helpers';

const GITOPS: StackValues['gitops'] = {
  argocd: { repoURL: 'https://github.com/acme/observability.git', syncPolicy: { prune: true, selfHeal: true } },
  flux: { sourceRef: { name: 'observability' }, interval: '10m' },
};
/** The operator's CRDs in the stack, so that the apply order has all four steps. */
const CRDS = { paths: [path.resolve(__dirname, '..', '..', '..', 'shared', 'crds', 'prometheus-operator')] };

const stack = render({ name: 'prod', gitops: GITOPS, crds: CRDS });
const files = stackFiles(stack);
const file = (p: string): OutputFile => {
  const found = files.find((f) => f.path === `prod/${p}`);
  if (!found) throw new Error(`no file prod/${p}`);
  return found;
};
const yamlOf = (p: string) => parse(file(p).content) as Record<string, any>;

/** Every file written to the stack folder, relative to it: what a directory source of the repository sees. */
function writtenFiles(): string[] {
  const out = tempFolder('o11y-gitops-');
  writeStack(out, 'prod', files);
  const result: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(out, 'prod', rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else result.push(child);
    }
  };
  walk('');
  return result.sort();
}

/** Argo CD's glob (gobwas, no separators): `*` matches any characters, `/` too; `{a,b}` is either. */
function argoGlob(pattern: string): RegExp {
  const body = pattern.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\{([^}]*)\}/g, (_, list: string) => `(?:${list.split(',').join('|')})`);
  return new RegExp(`^${body}$`);
}

describe('Argo CD Application', () => {
  const application = yamlOf('gitops/argocd-application.yaml');

  test('GIVEN gitops.argocd WHEN synthesized THEN the Application validates against the Argo CD schema', () => {
    expect(() => new Application(application as never).validate()).not.toThrow();
    expect(application.spec).toMatchObject({
      project: 'default',
      source: { repoURL: 'https://github.com/acme/observability.git', targetRevision: 'main', path: 'dist/prod', directory: { recurse: true } },
      destination: { server: 'https://kubernetes.default.svc' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
  });

  test('GIVEN the directory source WHEN Argo CD selects files THEN it applies exactly the manifests: no dashboard JSON, SUMMARY.md, gitops/ nor kustomization.yaml', () => {
    const { include, exclude } = application.spec.source.directory as { include: string; exclude: string };
    const applied = writtenFiles().filter((f) => argoGlob(include).test(f) && !argoGlob(exclude).test(f));
    const manifests = stack.objects.map((o) => `${o.component}/${o.manifest.kind}-${o.manifest.metadata.name}.yaml`).sort();
    expect(applied).toEqual(manifests);
    expect(writtenFiles().some((f) => f.startsWith('dashboards/') && f.endsWith('.json'))).toBe(true);
    expect(applied.some((f) => f.endsWith('.json') || f === 'SUMMARY.md' || f.startsWith('gitops/'))).toBe(false);
  });

  test('GIVEN plain files an administrator installs by hand WHEN the Application is made THEN they are excluded too', () => {
    const [app] = gitopsFiles({ stackName: 's', gitops: { argocd: { repoURL: 'https://x/y.git' } }, manifests: [], plainFiles: ['control-plane-config/audit-policy.yaml'] });
    const exclude = argoGlob((parse(app.content) as { spec: { source: { directory: { exclude: string } } } }).spec.source.directory.exclude);
    expect(exclude.test('control-plane-config/audit-policy.yaml')).toBe(true);
    expect(exclude.test('prometheus/Prometheus-k8s.yaml')).toBe(false);
  });

  test('GIVEN gitops.argocd WHEN synthesized THEN every manifest has its sync wave: CRDs, then namespaces, then the operator, then the rest', () => {
    const wave = (o: (typeof stack.objects)[number]) => Number((parse(file(`${o.component}/${o.manifest.kind}-${o.manifest.metadata.name}.yaml`).content) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.[SYNC_WAVE]);
    const waves = stack.objects.map((o) => ({ kind: o.manifest.kind, component: o.component, wave: wave(o) }));
    expect(waves.every((w) => Number.isInteger(w.wave))).toBe(true);
    const of = (pick: (w: (typeof waves)[number]) => boolean) => new Set(waves.filter(pick).map((w) => w.wave));
    const crd = of((w) => w.kind === 'CustomResourceDefinition');
    const namespace = of((w) => w.kind === 'Namespace');
    const operator = of((w) => w.component === 'prometheus-operator');
    const rest = of((w) => w.kind !== 'CustomResourceDefinition' && w.kind !== 'Namespace' && w.component !== 'prometheus-operator');
    expect([crd.size, namespace.size, operator.size, rest.size]).toEqual([1, 1, 1, 1]);
    expect(Math.max(...crd)).toBeLessThan(Math.min(...namespace));
    expect(Math.max(...namespace)).toBeLessThan(Math.min(...operator));
    expect(Math.max(...operator)).toBeLessThan(Math.min(...rest));
    const crdFile = parse(file('crds/CustomResourceDefinition-prometheuses.monitoring.coreos.com.yaml').content) as { metadata: { annotations: Record<string, string> } };
    expect(crdFile.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('ServerSideApply=true');
  });

  test('GIVEN a fleet with gitops.argocd in its base WHEN expanded THEN each cluster deploys to the Argo CD cluster of its name', () => {
    const clusters = fleetClusters(defineFleet({ base: { gitops: { argocd: { repoURL: 'https://x/y.git' } } }, clusters: { 'eu-1': {}, 'us-1': {} } }), 'stacks/fleet.ts');
    const app = parse(stackFiles(render(clusters[1].definition.values)).find((f) => f.path === 'us-1/gitops/argocd-application.yaml')!.content) as Record<string, any>;
    expect(() => new Application(app as never).validate()).not.toThrow();
    expect(app.metadata.name).toBe('us-1');
    expect(app.spec.destination).toEqual({ name: 'us-1' });
    expect(app.spec.source.path).toBe('dist/us-1');
  });
});

describe('Flux', () => {
  test('GIVEN gitops.flux WHEN synthesized THEN the Kustomization validates against the Flux schema and applies the stack folder', () => {
    const kustomization = yamlOf('gitops/flux-kustomization.yaml');
    expect(() => new Kustomization(kustomization as never).validate()).not.toThrow();
    expect(kustomization).toMatchObject({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      metadata: { name: 'prod', namespace: 'flux-system' },
      spec: { interval: '10m', path: './dist/prod', prune: true, sourceRef: { kind: 'GitRepository', name: 'observability' } },
    });
  });

  test('GIVEN gitops.flux WHEN synthesized THEN kustomization.yaml lists exactly the manifest files written, CRDs first, no JSON', () => {
    const kustomization = yamlOf('kustomization.yaml') as { apiVersion: string; kind: string; resources: string[] };
    expect(kustomization.apiVersion).toBe('kustomize.config.k8s.io/v1beta1');
    expect(kustomization.kind).toBe('Kustomization');
    const manifests = writtenFiles().filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && !f.startsWith('gitops/'));
    expect([...kustomization.resources].sort()).toEqual(manifests);
    expect(new Set(kustomization.resources).size).toBe(kustomization.resources.length);
    expect(kustomization.resources.some((r) => r.endsWith('.json'))).toBe(false);
    const firstOther = kustomization.resources.findIndex((r) => !r.startsWith('crds/'));
    expect(firstOther).toBeGreaterThan(0);
    expect(kustomization.resources.slice(firstOther).some((r) => r.startsWith('crds/'))).toBe(false);
    for (const resource of kustomization.resources) expect(parse(file(resource).content)).toHaveProperty('kind');
  });
});

describe('without gitops values', () => {
  test('GIVEN no gitops values WHEN synthesized THEN no GitOps files are written and the manifests carry no sync waves', () => {
    const plain = stackFiles(render({ name: 'plain' }));
    expect(plain.some((f) => f.path.startsWith('plain/gitops/') || f.path === 'plain/kustomization.yaml')).toBe(false);
    expect(plain.some((f) => f.content.includes(SYNC_WAVE))).toBe(false);
  });

  test('GIVEN only Argo CD WHEN synthesized THEN no kustomization.yaml is written', () => {
    const argoOnly = stackFiles(render({ name: 'a', gitops: { argocd: GITOPS!.argocd } }));
    expect(argoOnly.map((f) => f.path).filter((p) => p.startsWith('a/gitops/') || p === 'a/kustomization.yaml')).toEqual(['a/gitops/argocd-application.yaml']);
  });
});

describe('wrong gitops values', () => {
  const errorOf = (gitops: StackValues['gitops']) => {
    try {
      stackFiles(render({ name: 'bad', gitops }));
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected the gitops values to be rejected');
  };

  test.each([
    [{ argocd: { repoURL: ' ' } }, /gitops\.argocd\.repoURL: is empty/],
    [{ argocd: { repoURL: 'https://x/y.git', destination: { server: 'https://k', name: 'k' } } }, /gitops\.argocd\.destination: sets both server and name/],
    [{ flux: { sourceRef: { name: 'repo' }, interval: 'five minutes' } }, /gitops\.flux\.interval: 'five minutes' is not a duration/],
    [{ flux: { sourceRef: { name: '' } } }, /gitops\.flux\.sourceRef\.name: is empty/],
    [{ path: '../out', flux: { sourceRef: { name: 'repo' } } }, /gitops\.path: '\.\.\/out' is not a folder of the repository/],
  ])('GIVEN %j WHEN synthesized THEN the field is named', (gitops, message) => {
    expect(errorOf(gitops as StackValues['gitops'])).toMatch(message);
  });

  test('GIVEN an unknown gitops option WHEN rendered THEN the values check names it', () => {
    expect(renderError({ gitops: { argo: {} } as never })).toMatch(/gitops\.argo: unknown option 'argo'/);
  });
});
