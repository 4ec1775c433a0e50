// Control-plane tracing, checked as written: every flag a Kelemetry or Jaeger container is given against the options
// its pinned version defines (components/tracing-flags.ts), the audit policy file against audit.k8s.io/v1, and the
// webhook kubeconfig against the cluster Kelemetry traces. Also the SUMMARY.md section that tells the cluster
// administrator what to install on the kube-apiserver's nodes, read from the written files and objects.
import { parse } from 'yaml';
import type { Diagnostic } from '../core/diagnostic';
import { auditPolicyProblems } from '../k8s/audit-policy';
import type { ModelObject, StackModel } from '../model/stack-model';
import { AUDIT_CONFIG_HOST_DIR, AUDIT_POLICY_FILE, AUDIT_WEBHOOK_KUBECONFIG_FILE, TRACING_NAMES } from '../components/control-plane-tracing';
import { JAEGER_FLAGS, JAEGER_STORAGE_TYPES, KELEMETRY_FLAGS, flagProblems, type FlagTable } from '../components/tracing-flags';
import { objectName } from './object-name';

interface Container {
  readonly name: string;
  readonly image?: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: Array<{ name?: string; value?: string }>;
}

/** The flag table of a container's program, by the image's repository name (a mirror keeps the last path part). */
function tableOf(image: string | undefined): FlagTable | undefined {
  const repository = /(?:^|\/)([a-z0-9-]+)(?::[^/]*|@sha256:[0-9a-f]+)?$/.exec(image ?? '')?.[1];
  if (repository === 'kelemetry') return KELEMETRY_FLAGS;
  if (repository === 'jaeger-collector') return JAEGER_FLAGS.collector;
  if (repository === 'jaeger-query') return JAEGER_FLAGS.query;
  if (repository === 'jaeger-remote-storage') return JAEGER_FLAGS['remote-storage'];
  return undefined;
}

function containersOf(o: ModelObject): Container[] {
  const spec = o.manifest.spec as { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } } | undefined;
  return [...(spec?.template?.spec?.containers ?? []), ...(spec?.template?.spec?.initContainers ?? [])];
}

function flagDiagnostics(objects: readonly ModelObject[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const o of objects) {
    for (const c of containersOf(o)) {
      const table = tableOf(c.image);
      if (!table) continue;
      const where = `${objectName(o.manifest)} › container ${c.name}`;
      const tag = /:([^/:@]+)$/.exec(c.image ?? '')?.[1]?.replace(/^v/, '');
      if (tag !== undefined && tag !== table.version.replace(/^v/, '')) {
        found.push({ severity: 'warning', code: 'tracing/flags-version', where, message: `runs ${c.image}, but its flags are checked against ${table.program}'s options`, fix: 'read the options of that version in its source and update src/components/tracing-flags.ts' });
      }
      // A command's first word is the program; the rest are flags like args.
      for (const message of flagProblems([...(c.command ?? []).slice(1), ...(c.args ?? [])], table)) {
        found.push({ severity: 'error', code: 'tracing/unknown-flag', where, message, fix: `use the options ${table.program} defines (src/components/tracing-flags.ts names where each is in its source)` });
      }
      const storageType = c.env?.find((e) => e.name === 'SPAN_STORAGE_TYPE')?.value;
      if (table !== KELEMETRY_FLAGS && storageType !== undefined && !(JAEGER_STORAGE_TYPES as readonly string[]).includes(storageType)) {
        found.push({ severity: 'error', code: 'tracing/unknown-flag', where, message: `SPAN_STORAGE_TYPE=${storageType} is not a storage type of ${table.program}`, fix: `use one of ${JAEGER_STORAGE_TYPES.join(', ')}` });
      }
    }
  }
  return found;
}

function readYaml(model: StackModel, path: string, found: Diagnostic[]): unknown {
  const file = model.files.find((f) => f.path === path);
  if (!file) return undefined;
  try {
    return parse(file.content) as unknown;
  } catch (error) {
    found.push({ severity: 'error', code: 'tracing/unreadable-file', where: `file ${path}`, message: `is not valid YAML: ${(error as Error).message.split('\n')[0]}` });
    return undefined;
  }
}

/** The argument of `--name=` in the Kelemetry container, if any. */
function kelemetryFlag(model: StackModel, name: string): string | undefined {
  const deployment = model.objects.find((o) => o.manifest.kind === 'Deployment' && o.manifest.metadata.name === TRACING_NAMES.kelemetry);
  const args = deployment ? containersOf(deployment).find((c) => c.name === TRACING_NAMES.kelemetry)?.args ?? [] : [];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function webhookServer(kubeconfig: unknown): string | undefined {
  const clusters = (kubeconfig as { clusters?: Array<{ cluster?: { server?: unknown } }> } | undefined)?.clusters;
  const server = clusters?.[0]?.cluster?.server;
  return typeof server === 'string' ? server : undefined;
}

export interface TracingAnalysis {
  readonly diagnostics: Diagnostic[];
  /** The SUMMARY.md section; undefined when the stack writes no audit configuration. */
  readonly report: string | undefined;
}

export function analyzeControlPlaneTracing(model: StackModel): TracingAnalysis {
  const diagnostics = flagDiagnostics(model.objects);
  const policy = readYaml(model, AUDIT_POLICY_FILE, diagnostics);
  if (policy !== undefined) {
    for (const message of auditPolicyProblems(policy)) {
      diagnostics.push({ severity: 'error', code: 'tracing/audit-policy', where: `file ${AUDIT_POLICY_FILE}`, message: `not an audit.k8s.io/v1 Policy: ${message}`, fix: 'the kube-apiserver refuses to start with it; check the patches and values that shape it' });
    }
  }
  const kubeconfig = readYaml(model, AUDIT_WEBHOOK_KUBECONFIG_FILE, diagnostics);
  const server = webhookServer(kubeconfig);
  const cluster = kelemetryFlag(model, 'kube-target-cluster');
  if (kubeconfig !== undefined && cluster !== undefined && !server?.endsWith(`/audit/${cluster}`)) {
    diagnostics.push({ severity: 'error', code: 'tracing/webhook-cluster', where: `file ${AUDIT_WEBHOOK_KUBECONFIG_FILE}`, message: `sends audit events to ${server ?? 'no server'}, not to /audit/${cluster}, the cluster Kelemetry traces: no diff would join them`, fix: 'leave the webhook path as the stack writes it' });
  }
  return { diagnostics, report: policy === undefined ? undefined : report(model, server) };
}

function report(model: StackModel, server: string | undefined): string {
  const ns = model.values.common.namespace;
  const policy = model.objects.find((o) => o.manifest.kind === 'NetworkPolicy' && o.manifest.metadata.name === TRACING_NAMES.kelemetry);
  const ingress = ((policy?.manifest.spec as { ingress?: Array<{ from?: Array<{ ipBlock?: { cidr?: string } }> }> } | undefined)?.ingress ?? []);
  const cidrs = ingress.flatMap((rule) => (rule.from ?? []).flatMap((peer) => (peer.ipBlock?.cidr ? [peer.ipBlock.cidr] : [])));
  const file = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  const grafana = model.objects.some((o) => o.manifest.kind === 'ConfigMap' && typeof (o.manifest.data as Record<string, string> | undefined)?.['datasources.yaml'] === 'string' && (o.manifest.data as Record<string, string>)['datasources.yaml'].includes('type: jaeger'));
  return [
    '## Control-plane tracing (Kelemetry)',
    '',
    'Kelemetry traces nothing until every kube-apiserver sends it audit events. On each control-plane node:',
    '',
    `1. Copy \`${AUDIT_POLICY_FILE}\` and \`${AUDIT_WEBHOOK_KUBECONFIG_FILE}\` (from this folder) to \`${AUDIT_CONFIG_HOST_DIR}/\`.`,
    `2. Add to the kube-apiserver (on kubeadm, \`/etc/kubernetes/manifests/kube-apiserver.yaml\`, with \`${AUDIT_CONFIG_HOST_DIR}\` mounted read-only as a hostPath):`,
    `   \`--audit-policy-file=${AUDIT_CONFIG_HOST_DIR}/${file(AUDIT_POLICY_FILE)}\`, \`--audit-webhook-config-file=${AUDIT_CONFIG_HOST_DIR}/${file(AUDIT_WEBHOOK_KUBECONFIG_FILE)}\`, \`--audit-webhook-mode=batch\`.`,
    '   The kube-apiserver has one audit policy for all its audit backends: if it has one already (for a log backend), merge the rules.',
    `3. The kube-apiserver then posts to \`${server ?? '(no server in the kubeconfig)'}\`; the webhook lets in ${cidrs.length ? cidrs.map((c) => `\`${c}\``).join(', ') : 'nobody (no CIDR in its NetworkPolicy)'} only.`,
    '',
    `Traces: \`kubectl -n ${ns} port-forward svc/${TRACING_NAMES.query} 16686\`, then http://localhost:16686${grafana ? ', or Grafana\'s Kelemetry (Jaeger) datasource' : ''}.`,
    'Managed control planes (EKS, GKE, AKS) take no audit webhook: their audit logs reach Kelemetry only through a vendor queue, which this stack does not set up.',
    '',
  ].join('\n');
}
