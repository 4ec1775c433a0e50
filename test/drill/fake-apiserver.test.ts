// The drill's API server answers TokenReviews and SubjectAccessReviews as the real one does for the RBAC it is given,
// refuses callers whose ServiceAccount may not create reviews, serves nothing else, and its certificates verify.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { certificateAuthority, serverCertificate } from '../../src/drill/certificates';
import { allows, FakeApiServer, serviceAccountUser } from '../../src/drill/fake-apiserver';
import { tempFolder } from '../helpers';

const REVIEWER = serviceAccountUser('monitoring-node', 'node-exporter', [
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
]);
const SCRAPER = serviceAccountUser('monitoring', 'prometheus-k8s', [{ nonResourceURLs: ['/metrics', '/debug/*'], verbs: ['get'] }]);
const NOBODY = serviceAccountUser('default', 'app', []);

let api: FakeApiServer;
let ca: string;
beforeAll(async () => {
  api = await FakeApiServer.start({ reviewer: REVIEWER, scraper: SCRAPER, nobody: NOBODY });
  // The CA a client gets is the one in the kubeconfig the server writes.
  const file = path.join(tempFolder('o11y-fake-apiserver-'), 'kubeconfig');
  api.writeKubeconfig(file, 'reviewer');
  ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(fs.readFileSync(file, 'utf8'))![1], 'base64').toString();
});
afterAll(() => api.stop());

/** POSTs to the server, verifying its certificate with the CA its kubeconfig names. */
function post(path: string, token: string | undefined, body: unknown): Promise<{ status: number; body: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${api.url}${path}`, { method: 'POST', ca, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) } }, (res) => {
      let data = '';
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
const tokenReview = (token: string) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
const accessReview = (user: string, path: string, verb = 'get') => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, groups: [], nonResourceAttributes: { path, verb } } });

test('a known token is authenticated as its ServiceAccount, with the groups the API server gives it; an unknown one is not', async () => {
  const known = await post('/apis/authentication.k8s.io/v1/tokenreviews', 'reviewer', tokenReview('scraper'));
  expect(known.status).toBe(201);
  expect(known.body.status).toEqual({
    authenticated: true,
    user: { username: 'system:serviceaccount:monitoring:prometheus-k8s', uid: 'uid-system:serviceaccount:monitoring:prometheus-k8s', groups: ['system:serviceaccounts', 'system:serviceaccounts:monitoring', 'system:authenticated'] },
    audiences: [],
  });
  const unknown = await post('/apis/authentication.k8s.io/v1/tokenreviews', 'reviewer', tokenReview('stolen'));
  expect(unknown.body.status).toMatchObject({ authenticated: false });
});

test('a SubjectAccessReview is allowed only for a path and verb the user\'s rules grant', async () => {
  const review = async (user: string, path: string, verb?: string) => (await post('/apis/authorization.k8s.io/v1/subjectaccessreviews', 'reviewer', accessReview(user, path, verb))).body.status.allowed;
  expect(await review(SCRAPER.username, '/metrics')).toBe(true);
  expect(await review(SCRAPER.username, '/debug/pprof')).toBe(true);
  expect(await review(SCRAPER.username, '/metrics/cadvisor')).toBe(false);
  expect(await review(SCRAPER.username, '/metrics', 'post')).toBe(false);
  expect(await review(NOBODY.username, '/metrics')).toBe(false);
  expect(await review('system:serviceaccount:monitoring:unknown', '/metrics')).toBe(false);
});

test('a caller without a token, or whose ServiceAccount may not create reviews, is refused as the API server refuses it', async () => {
  expect((await post('/apis/authentication.k8s.io/v1/tokenreviews', undefined, tokenReview('scraper'))).status).toBe(401);
  const forbidden = await post('/apis/authorization.k8s.io/v1/subjectaccessreviews', 'scraper', accessReview(SCRAPER.username, '/metrics'));
  expect(forbidden.status).toBe(403);
  expect(forbidden.body.message).toBe('subjectaccessreviews.authorization.k8s.io is forbidden: User "system:serviceaccount:monitoring:prometheus-k8s" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope');
});

test('nothing else is served, and every request is recorded with its caller and answer', async () => {
  const before = api.requests.length;
  expect((await post('/api/v1/namespaces', 'reviewer', {})).status).toBe(404);
  await post('/apis/authorization.k8s.io/v1/subjectaccessreviews', 'reviewer', accessReview(NOBODY.username, '/metrics'));
  expect(api.requests.slice(before)).toEqual([
    { method: 'POST', path: '/api/v1/namespaces', caller: REVIEWER.username, status: 404 },
    { method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', caller: REVIEWER.username, status: 201, review: { user: NOBODY.username, attributes: { path: '/metrics', verb: 'get' }, allowed: false } },
  ]);
});

test('RBAC matching: * is any, a trailing * a prefix, resources by group', () => {
  expect(allows([{ nonResourceURLs: ['*'], verbs: ['get'] }], { path: '/anything', verb: 'get' })).toBe(true);
  expect(allows([{ nonResourceURLs: ['/metrics'], verbs: ['*'] }], { path: '/metrics', verb: 'post' })).toBe(true);
  expect(allows([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }], { path: '/metricsx', verb: 'get' })).toBe(false);
  expect(allows([{ apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] }], { group: '', resource: 'nodes/metrics', verb: 'get' })).toBe(true);
  expect(allows([{ apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] }], { path: '/metrics', verb: 'get' })).toBe(false);
});

test('a certificate the drill\'s CA issues verifies against it, for its names only', () => {
  const authority = certificateAuthority('test CA');
  const issued = serverCertificate(authority, { commonName: 'node-exporter', dnsNames: ['node-exporter.monitoring-node.svc'], ips: ['127.0.0.1'] });
  const cert = new crypto.X509Certificate(issued.certificate);
  const caCert = new crypto.X509Certificate(authority.certificate);
  expect(cert.verify(caCert.publicKey)).toBe(true);
  expect(cert.checkIssued(caCert)).toBe(true);
  expect(caCert.ca).toBe(true);
  expect(cert.ca).toBe(false);
  expect(cert.checkHost('node-exporter.monitoring-node.svc')).toBe('node-exporter.monitoring-node.svc');
  expect(cert.checkHost('node-exporter.other.svc')).toBeUndefined();
  expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  expect(cert.subjectAltName).toBe('DNS:node-exporter.monitoring-node.svc, IP Address:127.0.0.1');
  expect(crypto.createPrivateKey(issued.privateKey).asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
});
