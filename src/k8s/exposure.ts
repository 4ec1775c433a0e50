// How Prometheus, Alertmanager and Grafana are reached from outside the cluster: an Ingress or a Gateway API
// HTTPRoute to the component's Service, the URL users open (what alert links and Grafana's redirects must name), and
// the NetworkPolicy rule that lets the proxy in. The proxy runs outside the stack, so it must be named
// (`common.ingressController`, `common.gatewayController`): without it the policy would block it silently.
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { StackError, type StackProblem } from '../core/problems';
import { HttpRoute, type ParentReference } from './gateway-api';
import type { PeerAllowance } from './network';
import type { ObjectMeta } from './objects';
import { DNS_LABEL } from '../core/checks';

/** An Ingress (networking.k8s.io/v1) to the component's Service. */
export interface IngressValues {
  /** The host name users open, e.g. `prometheus.example.com` (no wildcard: it is also the component's external URL). */
  readonly host: string;
  /** The IngressClass. @default the cluster's default IngressClass */
  readonly className?: string;
  /** HTTPS with the certificate of this Secret (`tls.crt`, `tls.key`, in the stack namespace). @default plain http */
  readonly tls?: { readonly secretName: string };
  /**
   * The path the component is served under (pathType Prefix), e.g. `/prometheus`. Another path than `/` becomes
   * Prometheus' and Alertmanager's routePrefix and Grafana's sub path: the proxy forwards it unchanged.
   * @default "/"
   */
  readonly path?: string;
  /** Annotations of the Ingress, for the controller (e.g. `cert-manager.io/cluster-issuer`). @default {} */
  readonly annotations?: Record<string, string>;
}

/** A Gateway API HTTPRoute (gateway.networking.k8s.io/v1) to the component's Service. */
export interface HttpRouteValues {
  /** Host names the route matches; the first is the component's external URL (no wildcard there). */
  readonly hostnames: string[];
  /** The Gateways (or their listeners) the route attaches to; each must admit routes from the stack namespace. */
  readonly parentRefs: ParentReference[];
  /**
   * The path prefix the component is served under, as for an Ingress.
   * @default "/"
   */
  readonly path?: string;
  /**
   * The scheme users open: the Gateway's listener terminates TLS (or not), the route cannot tell.
   * @default "https"
   */
  readonly scheme?: 'http' | 'https';
}

/** How a component is reached from outside the cluster: an Ingress, or an HTTPRoute (one of them). */
export interface ExposureValues {
  /** An Ingress to this component; needs `common.ingressController`. @default none: not exposed */
  readonly ingress?: IngressValues;
  /** A Gateway API HTTPRoute to this component; needs `common.gatewayController`. @default none: not exposed */
  readonly httpRoute?: HttpRouteValues;
}

/** The pods that proxy traffic to the stack: their namespace, and their labels when known. */
export interface TrafficSource {
  /** e.g. `ingress-nginx`. */
  readonly namespace: string;
  /** Labels of the proxy pods. @default every pod of the namespace */
  readonly podLabels?: Record<string, string>;
}

/** The proxies of `common`. */
export interface ExposureProxies {
  /** The ingress controller's pods: let in when a component has an `ingress`. */
  readonly ingressController?: TrafficSource;
  /** The Gateway's data-plane pods (e.g. Envoy Gateway's envoy pods): let in when a component has an `httpRoute`. */
  readonly gatewayController?: TrafficSource;
}

/** `/` or `/a/b`: no trailing slash, no query, characters a URL path takes unescaped. */
const PATH = /^\/$|^(\/[A-Za-z0-9._~-]+)+$/;
const HOST = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN = HOST;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** The path the component is served under: `/` when not exposed or not given. */
export function exposurePath(exposure: ExposureValues): string {
  return exposure.ingress?.path ?? exposure.httpRoute?.path ?? '/';
}

/** The URL users open, `https://<host><path>` (http without TLS), when the component is exposed. */
export function exposureUrl(exposure: ExposureValues): string | undefined {
  const path = exposurePath(exposure);
  if (exposure.ingress) return `${exposure.ingress.tls ? 'https' : 'http'}://${exposure.ingress.host}${path}`;
  if (exposure.httpRoute) return `${exposure.httpRoute.scheme ?? 'https'}://${exposure.httpRoute.hostnames[0]}${path}`;
  return undefined;
}

/** The problems of a component's `ingress` and `httpRoute` (at `field`), and of the proxy they need. */
export function checkExposure(exposure: ExposureValues, field: string, proxies: ExposureProxies, proxiesField = 'common'): StackProblem[] {
  const problems: StackProblem[] = [];
  const check = (ok: boolean, at: string, message: string, fix: string) => {
    if (!ok) problems.push({ field: at, message, fix });
  };
  const host = (value: string, at: string) =>
    check(HOST.test(value), at, `'${value}' is not a host name`, 'write the DNS name users open, e.g. grafana.example.com (lowercase, no scheme, port, path or wildcard)');
  const path = (value: string | undefined, at: string) =>
    check(value === undefined || PATH.test(value), at, `'${value}' is not a path prefix`, "write '/' or a path like '/prometheus' (starting with '/', no trailing '/', query or '#')");
  const { ingress, httpRoute } = exposure;
  check(!(ingress && httpRoute), field, 'has both ingress and httpRoute: the component has one external URL', `keep one of ${field}.ingress and ${field}.httpRoute`);
  if (ingress) {
    host(ingress.host, `${field}.ingress.host`);
    path(ingress.path, `${field}.ingress.path`);
    if (ingress.className !== undefined) check(DNS_SUBDOMAIN.test(ingress.className), `${field}.ingress.className`, `'${ingress.className}' is not an IngressClass name`, 'name an IngressClass of the cluster (kubectl get ingressclass)');
    if (ingress.tls) check(DNS_SUBDOMAIN.test(ingress.tls.secretName), `${field}.ingress.tls.secretName`, `'${ingress.tls.secretName}' is not a Secret name`, 'name a kubernetes.io/tls Secret of the stack namespace');
    for (const key of Object.keys(ingress.annotations ?? {})) {
      check(LABEL_KEY.test(key) && key.length <= 316, `${field}.ingress.annotations.${key}`, `'${key}' is not an annotation key`, 'use a name of letters, digits, "-", "_" and ".", optionally prefixed by a DNS subdomain and "/"');
    }
    check(proxies.ingressController !== undefined, `${proxiesField}.ingressController`, `is not set, but ${field}.ingress exposes the component: its NetworkPolicy would block the ingress controller`,
      `name the ingress controller's namespace (and its pods' labels), e.g. ingressController: { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } }`);
  }
  if (httpRoute) {
    check(httpRoute.hostnames.length > 0 && httpRoute.hostnames.length <= 16, `${field}.httpRoute.hostnames`, `must list 1 to 16 host names, got ${httpRoute.hostnames.length}`, 'list the host names users open, e.g. [\'grafana.example.com\']');
    httpRoute.hostnames.forEach((h, i) => host(h, `${field}.httpRoute.hostnames[${i}]`));
    path(httpRoute.path, `${field}.httpRoute.path`);
    check(httpRoute.parentRefs.length > 0 && httpRoute.parentRefs.length <= 32, `${field}.httpRoute.parentRefs`, `must list 1 to 32 Gateways, got ${httpRoute.parentRefs.length}`, "name the Gateway the route attaches to, e.g. [{ name: 'public', namespace: 'gateway' }]");
    httpRoute.parentRefs.forEach((ref, i) => {
      const at = `${field}.httpRoute.parentRefs[${i}]`;
      check(DNS_SUBDOMAIN.test(ref.name), `${at}.name`, `'${ref.name}' is not a Gateway name`, 'name a Gateway of the cluster (kubectl get gateways -A)');
      if (ref.namespace !== undefined) check(DNS_LABEL.test(ref.namespace), `${at}.namespace`, `'${ref.namespace}' is not a namespace name`, 'name the Gateway\'s namespace');
      if (ref.sectionName !== undefined) check(DNS_SUBDOMAIN.test(ref.sectionName), `${at}.sectionName`, `'${ref.sectionName}' is not a listener name`, 'name a listener of the Gateway, or leave sectionName out');
    });
    check(proxies.gatewayController !== undefined, `${proxiesField}.gatewayController`, `is not set, but ${field}.httpRoute exposes the component: its NetworkPolicy would block the Gateway's proxy pods`,
      "name the namespace of the Gateway's data-plane pods (and their labels), e.g. gatewayController: { namespace: 'envoy-gateway-system', podLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'public' } }");
  }
  return problems;
}

/** The problems of `common.ingressController` and `common.gatewayController`, when given. */
export function checkProxies(proxies: ExposureProxies, field = 'common'): StackProblem[] {
  return (['ingressController', 'gatewayController'] as const).flatMap((key) => {
    const proxy = proxies[key];
    if (!proxy) return [];
    const at = `${field}.${key}`;
    return [
      ...(DNS_LABEL.test(proxy.namespace) && proxy.namespace.length <= 63 ? [] : [{ field: `${at}.namespace`, message: `'${proxy.namespace}' is not a namespace name`, fix: 'name the namespace the proxy pods run in, e.g. ingress-nginx' }]),
      ...Object.entries(proxy.podLabels ?? {}).flatMap(([k, v]) => (LABEL_KEY.test(k) && LABEL_VALUE.test(v) && v.length <= 63 ? [] : [{ field: `${at}.podLabels.${k}`, message: `'${k}: ${v}' is not a valid label`, fix: 'copy the labels from the proxy pods (kubectl get pods --show-labels)' }])),
    ];
  });
}

/** Who the exposure lets in: the proxy of each way it is exposed, on the pods' port. */
export function exposureIngress(exposure: ExposureValues, proxies: ExposureProxies, port: number): PeerAllowance[] {
  const from = [...(exposure.ingress ? [proxies.ingressController] : []), ...(exposure.httpRoute ? [proxies.gatewayController] : [])]
    .filter((p): p is TrafficSource => p !== undefined);
  return from.map((p) => ({ podsIn: [{ namespace: p.namespace, pods: { ...p.podLabels } }], ports: [{ port }] }));
}

export interface ExposedService {
  /** The component's objects are named and labelled so; the Ingress and HTTPRoute too. */
  readonly meta: ObjectMeta;
  readonly exposure: ExposureValues;
  readonly proxies: ExposureProxies;
  /** The Service's name and port (the proxy's backend). */
  readonly service: string;
  readonly servicePort: number;
  /** The pods' port, which the NetworkPolicy opens. */
  readonly podPort: number;
  /** The values field of the component, e.g. `grafana`: named in errors. */
  readonly field: string;
  /** The stack, named in errors. */
  readonly instance: string;
}

/**
 * The Ingress or HTTPRoute of a component, and the NetworkPolicy ingress it needs (nothing when not exposed).
 * Throws a StackError for exposure values the stack's checks reject, for a component built on its own.
 */
export function exposeService(scope: Construct, s: ExposedService): PeerAllowance[] {
  const problems = checkExposure(s.exposure, s.field, s.proxies);
  if (problems.length) throw new StackError(s.instance, problems);
  const path = exposurePath(s.exposure);
  const { ingress, httpRoute } = s.exposure;
  if (ingress) {
    new k8s.KubeIngress(scope, `Ingress-${s.meta.name}`, {
      metadata: { ...s.meta, ...(ingress.annotations && Object.keys(ingress.annotations).length ? { annotations: { ...ingress.annotations } } : {}) },
      spec: {
        ...(ingress.className ? { ingressClassName: ingress.className } : {}),
        ...(ingress.tls ? { tls: [{ hosts: [ingress.host], secretName: ingress.tls.secretName }] } : {}),
        rules: [{
          host: ingress.host,
          http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: s.service, port: { number: s.servicePort } } } }] },
        }],
      },
    });
  }
  if (httpRoute) {
    new HttpRoute(scope, `HTTPRoute-${s.meta.name}`, {
      metadata: s.meta,
      spec: {
        parentRefs: httpRoute.parentRefs.map((ref) => ({ ...ref })),
        hostnames: [...httpRoute.hostnames],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [{ name: s.service, port: s.servicePort }] }],
      },
    });
  }
  return exposureIngress(s.exposure, s.proxies, s.podPort);
}
