// A typed wrapper for the one Gateway API resource the stack writes (gateway.networking.k8s.io/v1 HTTPRoute). The
// spec types cover the fields we set; the Gateway API CRDs are not shipped with the stack, so the tests check the
// required fields by hand.
import { ApiObject, type ApiObjectMetadata } from 'cdk8s';
import type { Construct } from 'constructs';

export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';

/** A Gateway (or one of its listeners) the route attaches to. */
export interface ParentReference {
  /** @default "gateway.networking.k8s.io" */
  readonly group?: string;
  /** @default "Gateway" */
  readonly kind?: string;
  readonly name: string;
  /** @default the route's namespace */
  readonly namespace?: string;
  /** A listener of the Gateway. @default every listener that admits the route */
  readonly sectionName?: string;
}

export interface HttpRouteMatch {
  readonly path: { readonly type: 'PathPrefix' | 'Exact'; readonly value: string };
}

/** A Service and its port (a Service backend needs the port). */
export interface HttpBackendRef {
  readonly name: string;
  readonly port: number;
}

export interface HttpRouteRule {
  readonly matches: HttpRouteMatch[];
  readonly backendRefs: HttpBackendRef[];
}

export interface HttpRouteSpec {
  readonly parentRefs: ParentReference[];
  readonly hostnames: string[];
  readonly rules: HttpRouteRule[];
}

export class HttpRoute extends ApiObject {
  constructor(scope: Construct, id: string, props: { readonly metadata: ApiObjectMetadata; readonly spec: HttpRouteSpec }) {
    super(scope, id, { apiVersion: GATEWAY_API_VERSION, kind: 'HTTPRoute', ...props });
  }
}
