// Secure-by-default building blocks for pods and containers.
import { k8s } from 'cdk8s-plus-27';
import type { ResourceAmounts, ResourceValues } from '../core/primitives';

/** The `nobody` user: every workload of the stack runs as it unless its image needs another. */
export const NOBODY = 65534;

/** Restricted pod security: non-root, RuntimeDefault seccomp. */
export function podSecurityContext(user = NOBODY): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: user, runAsGroup: user, fsGroup: user, seccompProfile: { type: 'RuntimeDefault' } };
}

/** Read-only root filesystem, no privilege escalation, every capability dropped. */
export function containerSecurityContext(): k8s.SecurityContext {
  return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
}

function presentAmounts(amounts: ResourceAmounts | undefined): Record<string, string> | undefined {
  const entries = Object.entries(amounts ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** Plain-string resources, as custom resources (Prometheus, Alertmanager) take them. */
export function plainResources(values: ResourceValues): { requests?: Record<string, string>; limits?: Record<string, string> } {
  return { requests: presentAmounts(values.requests), limits: presentAmounts(values.limits) };
}

export function containerResources(values: ResourceValues): k8s.ResourceRequirements {
  const asQuantities = (amounts: Record<string, string> | undefined) =>
    amounts && Object.fromEntries(Object.entries(amounts).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
  const plain = plainResources(values);
  return { requests: asQuantities(plain.requests), limits: asQuantities(plain.limits) };
}

export function httpProbe(path: string, port: string, periodSeconds = 10): k8s.Probe {
  return { httpGet: { path, port: k8s.IntOrString.fromString(port) }, periodSeconds, timeoutSeconds: 5, failureThreshold: 3 };
}

/** A probe through a TLS port (the kubelet does not check the certificate of a probe). */
export function httpsProbe(path: string, port: string): k8s.Probe {
  return { httpGet: { path, port: k8s.IntOrString.fromString(port), scheme: 'HTTPS' }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
}
