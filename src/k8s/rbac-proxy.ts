// Authenticated, encrypted scrapes, as kube-prometheus does them: an exporter listens on 127.0.0.1 only, and a
// kube-rbac-proxy sidecar in its pod serves it over TLS to clients whose ServiceAccount token passes a TokenReview
// and whose identity may `get` the path (a SubjectAccessReview): Prometheus, by its ClusterRole's
// `nonResourceURLs: [/metrics]`. Nobody else, in the cluster or on the node's network, reads the metrics.
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { ResourceValues } from '../core/primitives';
import type { Endpoint, SafeTlsConfig } from './monitoring';
import { SERVICE_ACCOUNT_TOKEN } from './names';

/** How scrapes are encrypted (`common.scrapeTls`). */
export interface ScrapeTlsValues {
  /**
   * cert-manager issues each proxy's serving certificate (a Certificate per exporter), and Prometheus verifies it:
   * the issuer's CA from the certificate Secret's `ca.crt` (a CA or self-signed Issuer sets it), and the Service's
   * DNS name as serverName.
   * @default none: each proxy makes itself a self-signed certificate, which Prometheus cannot verify (as in
   *   kube-prometheus): scrapes are encrypted, the token is sent only to the Service's endpoints, but a node able to
   *   take over a pod IP could read it
   */
  readonly certManager?: { readonly issuer: { readonly name: string; readonly kind?: 'Issuer' | 'ClusterIssuer'; readonly group?: string } };
}

/** What a ServiceAccount running kube-rbac-proxy needs: to review the tokens and permissions of its clients. */
export const AUTH_REVIEW_RULES: k8s.PolicyRule[] = [
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];

// Go's secure TLS 1.2 suites (TLS 1.3 has no choice to make); kube-prometheus names the same.
export const TLS_CIPHER_SUITES = [
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
];

const CERT_DIR = '/etc/tls/private';

export interface RbacProxyOptions {
  /** The container's name: `kube-rbac-proxy`, or with a suffix when a pod has two. */
  readonly name: string;
  readonly image: string;
  /** Name and number of the TLS port it serves (what the Service and ServiceMonitor name). */
  readonly portName: string;
  readonly port: number;
  /** The exporter's port on 127.0.0.1. */
  readonly upstreamPort: number;
  /** A host-network pod listens on its node's address only (`$(IP)`), next to an exporter on the node's loopback. */
  readonly hostNetwork?: boolean;
  /** Paths served without authentication: the exporter's health checks, for the kubelet's probes. */
  readonly unauthenticatedPaths?: readonly string[];
  /** The Secret with `tls.crt` and `tls.key` (cert-manager's), mounted as the serving certificate. */
  readonly certificateSecret?: string;
}

/** A container as the components' `container()` takes it (their secure defaults are added there). */
export type ProxyContainer = Omit<k8s.Container, 'imagePullPolicy' | 'securityContext' | 'resources'> & { readonly resources: ResourceValues };

/** The kube-rbac-proxy sidecar in front of one exporter port. */
export function rbacProxyContainer(o: RbacProxyOptions): ProxyContainer {
  const probe: k8s.Probe = { tcpSocket: { port: k8s.IntOrString.fromNumber(o.port) }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
  return {
    name: o.name,
    image: o.image,
    args: [
      `--secure-listen-address=${o.hostNetwork ? '[$(IP)]' : ''}:${o.port}`,
      `--upstream=http://127.0.0.1:${o.upstreamPort}/`,
      `--tls-cipher-suites=${TLS_CIPHER_SUITES.join(',')}`,
      ...(o.unauthenticatedPaths?.length ? [`--ignore-paths=${o.unauthenticatedPaths.join(',')}`] : []),
      ...(o.certificateSecret ? [`--tls-cert-file=${CERT_DIR}/tls.crt`, `--tls-private-key-file=${CERT_DIR}/tls.key`] : []),
    ],
    ...(o.hostNetwork ? { env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] } : {}),
    ports: [{ name: o.portName, containerPort: o.port, ...(o.hostNetwork ? { hostPort: o.port } : {}) }],
    resources: { requests: { cpu: '10m', memory: '20Mi' }, limits: { memory: '40Mi' } },
    readinessProbe: probe,
    livenessProbe: probe,
    ...(o.certificateSecret ? { volumeMounts: [{ name: `${o.name}-tls`, mountPath: CERT_DIR, readOnly: true }] } : {}),
  };
}

/** The volume of a proxy's certificate Secret, for the pod's volumes. */
export function rbacProxyVolumes(o: RbacProxyOptions): k8s.Volume[] {
  return o.certificateSecret ? [{ name: `${o.name}-tls`, secret: { secretName: o.certificateSecret } }] : [];
}

/** The DNS name Prometheus checks a proxy's certificate against: its Service's. */
export function serviceDnsName(service: string, namespace: string): string {
  return `${service}.${namespace}.svc`;
}

/**
 * A cert-manager Certificate for a Service's proxies, in the Secret `<service>-tls`; undefined without cert-manager.
 * Valid for the Service's names: Prometheus scrapes the pods' addresses but checks the name (`serverName`).
 */
export function proxyCertificate(scope: Construct, tls: ScrapeTlsValues, service: string, namespace: string, labels: Record<string, string>): string | undefined {
  if (!tls.certManager) return undefined;
  const secretName = `${service}-tls`;
  const { issuer } = tls.certManager;
  new ApiObject(scope, `Certificate-${service}`, {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: service, namespace, labels },
    spec: {
      secretName,
      dnsNames: [service, `${service}.${namespace}`, serviceDnsName(service, namespace), `${serviceDnsName(service, namespace)}.cluster.local`],
      issuerRef: { name: issuer.name, kind: issuer.kind ?? 'Issuer', group: issuer.group ?? 'cert-manager.io' },
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['server auth'],
    },
  });
  return secretName;
}

/** How Prometheus scrapes a proxied endpoint: TLS, its ServiceAccount token, and the certificate checked when it can be. */
export function proxiedEndpoint(endpoint: Endpoint, service: string, namespace: string, certificateSecret: string | undefined): Endpoint {
  const tlsConfig: SafeTlsConfig = certificateSecret
    ? { ca: { secret: { name: certificateSecret, key: 'ca.crt' } }, serverName: serviceDnsName(service, namespace) }
    : { insecureSkipVerify: true };
  return { ...endpoint, scheme: 'https', bearerTokenFile: SERVICE_ACCOUNT_TOKEN, tlsConfig };
}
