// The part of a Kubernetes API server kube-rbac-proxy talks to, on 127.0.0.1: TokenReviews (a fixed table of tokens
// and the users they stand for) and SubjectAccessReviews (allowed iff the user's RBAC rules grant the path and verb,
// matched as RBAC matches them). Its own two endpoints are authorized the same way, so a proxy whose ServiceAccount
// may not create reviews is refused as the real API server refuses it. Nothing else is served: every other request is
// a 404 and is recorded, so a test sees what a client asked for. Over TLS, with a CA of its own in the kubeconfig it
// writes: client-go reads a kubeconfig's credentials only for an https:// server (over http:// it sends no token).
import * as fs from 'fs';
import type * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import { toYaml } from '../core/yaml';
import { certificateAuthority, serverCertificate } from './certificates';

/** An RBAC rule as a ClusterRole writes it: resources of API groups, or non-resource URLs (`/metrics`, `/debug/*`). */
export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
  readonly verbs: readonly string[];
}

/** Who a token authenticates as, and what RBAC grants that user. */
export interface FakeUser {
  readonly username: string;
  readonly groups?: readonly string[];
  readonly rules: readonly PolicyRule[];
}

/** What an access review asks: a non-resource path, or a resource of an API group (`resource/subresource`). */
export type AccessAttributes =
  | { readonly path: string; readonly verb: string }
  | { readonly group: string; readonly resource: string; readonly verb: string };

/** A request the server answered: who sent it (by token), and what it answered. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  /** The caller's user, when its bearer token is known. */
  readonly caller?: string;
  readonly status: number;
  /** A TokenReview: the user it authenticated, or null; a SubjectAccessReview: whom, for what, and the answer. */
  readonly review?: { readonly authenticated: string | null } | { readonly user: string; readonly attributes: AccessAttributes; readonly allowed: boolean };
}

/** The groups the API server gives a ServiceAccount's token. */
export function serviceAccountUser(namespace: string, name: string, rules: readonly PolicyRule[]): FakeUser {
  return { username: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'], rules };
}

/** RBAC's matching: `*` is any; a non-resource URL ending in `*` is a prefix. */
export function allows(rules: readonly PolicyRule[], attributes: AccessAttributes): boolean {
  const any = (list: readonly string[] | undefined, value: string) => (list ?? []).some((v) => v === '*' || v === value);
  return rules.some((rule) => {
    if (!any(rule.verbs, attributes.verb)) return false;
    if ('path' in attributes) return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === attributes.path || (u.endsWith('*') && attributes.path.startsWith(u.slice(0, -1))));
    return any(rule.apiGroups, attributes.group) && any(rule.resources, attributes.resource);
  });
}

const TOKEN_REVIEWS = '/apis/authentication.k8s.io/v1/tokenreviews';
const ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

interface TokenReview { spec?: { token?: string; audiences?: string[] } }
interface AccessReview {
  spec?: {
    user?: string;
    groups?: string[];
    nonResourceAttributes?: { path?: string; verb?: string };
    resourceAttributes?: { group?: string; resource?: string; subresource?: string; verb?: string };
  };
}

/** The fake API server, listening on 127.0.0.1 at a free port until `stop()`. */
export class FakeApiServer {
  /** Every request, in order. */
  readonly requests: ApiRequest[] = [];
  private readonly users: ReadonlyMap<string, FakeUser>;

  private constructor(private readonly server: https.Server, readonly url: string, private readonly ca: string, users: Readonly<Record<string, FakeUser>>) {
    this.users = new Map(Object.entries(users));
  }

  /** Starts it with a table of bearer tokens and their users. Whoever starts it stops it (`stop()`), also on failure. */
  static async start(users: Readonly<Record<string, FakeUser>>): Promise<FakeApiServer> {
    const ca = certificateAuthority('cdk8s-o11y drill API server CA');
    const serving = serverCertificate(ca, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    let api: FakeApiServer | undefined;
    const server = https.createServer({ cert: serving.certificate, key: serving.privateKey }, (req, res) => api!.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    api = new FakeApiServer(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`, ca.certificate, users);
    return api;
  }

  /** A kubeconfig that reaches this server with `token` (the client's own ServiceAccount token). */
  writeKubeconfig(file: string, token: string): void {
    fs.writeFileSync(file, toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'drill', cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.ca).toString('base64') } }],
      users: [{ name: 'drill', user: { token } }],
      contexts: [{ name: 'drill', context: { cluster: 'drill', user: 'drill' } }],
      'current-context': 'drill',
    }), { mode: 0o600 });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      const method = req.method ?? 'GET';
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const caller = token === undefined ? undefined : this.users.get(token);
      const answer = (status: number, object: Record<string, unknown>, review?: ApiRequest['review']) => {
        this.requests.push({ method, path, caller: caller?.username, status, ...(review ? { review } : {}) });
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(object));
      };
      const status = (code: number, reason: string, message: string) => answer(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
      const resource = path === TOKEN_REVIEWS ? 'tokenreviews' : path === ACCESS_REVIEWS ? 'subjectaccessreviews' : undefined;
      if (!resource || method !== 'POST') return status(404, 'NotFound', 'the page could not be found');
      if (!caller) return status(401, 'Unauthorized', 'Unauthorized');
      const group = resource === 'tokenreviews' ? 'authentication.k8s.io' : 'authorization.k8s.io';
      if (!allows(caller.rules, { group, resource, verb: 'create' })) {
        return status(403, 'Forbidden', `${resource}.${group} is forbidden: User "${caller.username}" cannot create resource "${resource}" in API group "${group}" at the cluster scope`);
      }
      let parsed: TokenReview & AccessReview;
      try {
        parsed = JSON.parse(body) as TokenReview & AccessReview;
      } catch {
        return status(400, 'BadRequest', 'the request body is not JSON');
      }
      if (resource === 'tokenreviews') {
        const user = this.users.get(parsed.spec?.token ?? '');
        const reviewed = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: parsed.spec ?? {} };
        if (!user) return answer(201, { ...reviewed, status: { authenticated: false, error: 'invalid bearer token' } }, { authenticated: null });
        const userInfo = { username: user.username, uid: `uid-${user.username}`, groups: [...(user.groups ?? [])] };
        return answer(201, { ...reviewed, status: { authenticated: true, user: userInfo, audiences: parsed.spec?.audiences ?? [] } }, { authenticated: user.username });
      }
      const spec = parsed.spec ?? {};
      const attributes: AccessAttributes = spec.nonResourceAttributes
        ? { path: spec.nonResourceAttributes.path ?? '', verb: spec.nonResourceAttributes.verb ?? '' }
        : {
          group: spec.resourceAttributes?.group ?? '',
          resource: [spec.resourceAttributes?.resource, spec.resourceAttributes?.subresource].filter(Boolean).join('/'),
          verb: spec.resourceAttributes?.verb ?? '',
        };
      // Rules are the user's: reviews name users by name, as RBAC bindings to ServiceAccounts do.
      const subject = [...this.users.values()].find((u) => u.username === spec.user);
      const allowed = subject !== undefined && allows(subject.rules, attributes);
      const reason = allowed ? `RBAC: allowed by the rules of ${spec.user}` : '';
      return answer(201, {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec,
        status: { allowed, ...(reason ? { reason } : {}) },
      }, { user: spec.user ?? '', attributes, allowed });
    });
  }
}
