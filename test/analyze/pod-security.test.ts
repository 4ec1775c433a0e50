// The Pod Security Standards, check by check: GIVEN a pod that meets restricted with one field changed WHEN checked
// at the check's level THEN exactly that check reports exactly that field; and a neighbouring value passes.
import {
  namespaceLevels, podSecurityLevel, podSecurityViolations, POD_SECURITY_CHECKS, type PodSecurityLevel, type PodToCheck,
} from '../../src/analyze/pod-security';
import type { KubernetesObject } from '../../src/core/primitives';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A pod that meets restricted: every check below starts from it. */
function restrictedSpec(): Json {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      { name: 'app', image: 'example.com/app:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
      { name: 'sidecar', image: 'example.com/sidecar:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
    ],
    volumes: [{ name: 'config', configMap: { name: 'app' } }],
  };
}

const pod = (change: (spec: Json, annotations: Record<string, string>) => void): PodToCheck => {
  const spec = restrictedSpec();
  const annotations: Record<string, string> = {};
  change(spec, annotations);
  return { spec, annotations };
};
const sc = (spec: Json, i = 0): Json => spec.containers[i].securityContext;
const found = (p: PodToCheck, level: PodSecurityLevel) => podSecurityViolations(p, level).map((v) => [v.check, v.pointer]);

interface Row {
  readonly id: string;
  /** The change that breaks the check, and the fields it must report (relative to the pod spec). */
  readonly fail: (spec: Json, annotations: Record<string, string>) => void;
  readonly pointers: string[];
  /** A neighbouring change the check admits. */
  readonly pass: (spec: Json, annotations: Record<string, string>) => void;
}

const BASELINE: Row[] = [
  {
    id: 'windowsHostProcess', pointers: ['/securityContext/windowsOptions/hostProcess', '/containers/1/securityContext/windowsOptions/hostProcess'],
    fail: (s) => { s.securityContext.windowsOptions = { hostProcess: true }; sc(s, 1).windowsOptions = { hostProcess: true }; },
    pass: (s) => { s.securityContext.windowsOptions = { hostProcess: false, runAsUserName: 'app' }; },
  },
  {
    id: 'hostNamespaces', pointers: ['/hostNetwork', '/hostPID', '/hostIPC'],
    fail: (s) => Object.assign(s, { hostNetwork: true, hostPID: true, hostIPC: true }),
    pass: (s) => Object.assign(s, { hostNetwork: false, hostPID: false, hostIPC: null }),
  },
  {
    id: 'privileged', pointers: ['/containers/1/securityContext/privileged'],
    fail: (s) => { sc(s, 1).privileged = true; },
    pass: (s) => { sc(s, 1).privileged = false; },
  },
  {
    // Baseline admits the runtimes' default capabilities (CHOWN), not NET_ADMIN or NET_RAW.
    id: 'capabilities_baseline', pointers: ['/containers/1/securityContext/capabilities/add'],
    fail: (s) => { sc(s, 1).capabilities.add = ['CHOWN', 'NET_ADMIN', 'NET_RAW']; },
    pass: (s) => { sc(s, 1).capabilities = { add: ['CHOWN', 'NET_BIND_SERVICE', 'SYS_CHROOT'] }; },
  },
  {
    id: 'hostPathVolumes', pointers: ['/volumes/1/hostPath'],
    fail: (s) => s.volumes.push({ name: 'root', hostPath: { path: '/' } }),
    pass: (s) => s.volumes.push({ name: 'scratch', emptyDir: {} }),
  },
  {
    // hostPort 0 is "no host port".
    id: 'hostPorts', pointers: ['/containers/0/ports/1/hostPort'],
    fail: (s) => { s.containers[0].ports = [{ containerPort: 8080, hostPort: 0 }, { containerPort: 9100, hostPort: 9100 }]; },
    pass: (s) => { s.containers[0].ports = [{ containerPort: 8080, hostPort: 0 }, { containerPort: 9100 }]; },
  },
  {
    id: 'hostProbesAndHostLifecycle', pointers: ['/containers/0/readinessProbe/httpGet/host', '/containers/0/lifecycle/preStop/tcpSocket/host'],
    fail: (s) => Object.assign(s.containers[0], { readinessProbe: { httpGet: { host: '169.254.169.254', port: 80 } }, lifecycle: { preStop: { tcpSocket: { host: 'node', port: 22 } } } }),
    pass: (s) => Object.assign(s.containers[0], { readinessProbe: { httpGet: { host: '', path: '/ready', port: 8080 } }, livenessProbe: { tcpSocket: { port: 8080 } } }),
  },
  {
    id: 'appArmorProfile',
    pointers: ['/securityContext/appArmorProfile/type', '/containers/0/securityContext/appArmorProfile/type', '/annotations/container.apparmor.security.beta.kubernetes.io~1sidecar'],
    fail: (s, a) => {
      s.securityContext.appArmorProfile = { type: 'Unconfined' };
      sc(s).appArmorProfile = { type: 'Unconfined' };
      a['container.apparmor.security.beta.kubernetes.io/sidecar'] = 'unconfined';
    },
    pass: (s, a) => {
      s.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
      sc(s).appArmorProfile = { type: 'Localhost', localhostProfile: 'k8s-app' };
      a['container.apparmor.security.beta.kubernetes.io/app'] = 'localhost/k8s-app';
      a['container.apparmor.security.beta.kubernetes.io/sidecar'] = 'runtime/default';
    },
  },
  {
    id: 'seLinuxOptions', pointers: ['/securityContext/seLinuxOptions/type', '/containers/0/securityContext/seLinuxOptions/user', '/containers/0/securityContext/seLinuxOptions/role'],
    fail: (s) => { s.securityContext.seLinuxOptions = { type: 'spc_t' }; sc(s).seLinuxOptions = { user: 'system_u', role: 'system_r' }; },
    pass: (s) => { s.securityContext.seLinuxOptions = { type: 'container_engine_t', level: 's0:c123,c456' }; sc(s).seLinuxOptions = { type: 'container_init_t' }; },
  },
  {
    id: 'procMount_baseline', pointers: ['/containers/0/securityContext/procMount'],
    fail: (s) => { sc(s).procMount = 'Unmasked'; },
    pass: (s) => { sc(s).procMount = 'Default'; },
  },
  {
    // Baseline only forbids turning seccomp off; no profile at all is fine there.
    id: 'seccompProfile_baseline', pointers: ['/securityContext/seccompProfile/type', '/containers/1/securityContext/seccompProfile/type'],
    fail: (s) => { s.securityContext.seccompProfile = { type: 'Unconfined' }; sc(s, 1).seccompProfile = { type: 'Unconfined' }; },
    pass: (s) => { delete s.securityContext.seccompProfile; sc(s, 1).seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' }; },
  },
  {
    id: 'sysctls', pointers: ['/securityContext/sysctls/1/name'],
    fail: (s) => { s.securityContext.sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'kernel.msgmax', value: '65536' }]; },
    pass: (s) => { s.securityContext.sysctls = [{ name: 'net.ipv4.tcp_keepalive_time', value: '600' }, { name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]; },
  },
];

const RESTRICTED: Row[] = [
  {
    id: 'restrictedVolumes', pointers: ['/volumes/1/nfs', '/volumes/2/hostPath'],
    fail: (s) => s.volumes.push({ name: 'share', nfs: { server: 'nfs', path: '/' } }, { name: 'root', hostPath: { path: '/' } }),
    pass: (s) => s.volumes.push({ name: 'data', persistentVolumeClaim: { claimName: 'data' } }, { name: 'token', projected: { sources: [] } }, { name: 'model', image: { reference: 'example.com/model:1' } }, { name: 'csi', csi: { driver: 'x' } }),
  },
  {
    id: 'allowPrivilegeEscalation', pointers: ['/containers/0/securityContext/allowPrivilegeEscalation', '/containers/1/securityContext/allowPrivilegeEscalation'],
    fail: (s) => { delete sc(s).allowPrivilegeEscalation; sc(s, 1).allowPrivilegeEscalation = true; },
    pass: (s) => { sc(s, 1).allowPrivilegeEscalation = false; },
  },
  {
    id: 'runAsNonRoot', pointers: ['/securityContext/runAsNonRoot', '/containers/1/securityContext/runAsNonRoot'],
    fail: (s) => { s.securityContext.runAsNonRoot = false; sc(s, 1).runAsNonRoot = false; },
    // The pod sets none, every container does.
    pass: (s) => { delete s.securityContext.runAsNonRoot; sc(s).runAsNonRoot = true; sc(s, 1).runAsNonRoot = true; },
  },
  {
    id: 'runAsUser', pointers: ['/securityContext/runAsUser', '/containers/0/securityContext/runAsUser'],
    fail: (s) => { s.securityContext.runAsUser = 0; sc(s).runAsUser = 0; },
    pass: (s) => { delete s.securityContext.runAsUser; sc(s).runAsUser = 1000; },
  },
  {
    // No profile anywhere: each container that inherits none is named.
    id: 'seccompProfile_restricted', pointers: ['/containers/0/securityContext/seccompProfile', '/containers/1/securityContext/seccompProfile'],
    fail: (s) => { delete s.securityContext.seccompProfile; },
    pass: (s) => { delete s.securityContext.seccompProfile; sc(s).seccompProfile = { type: 'RuntimeDefault' }; sc(s, 1).seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' }; },
  },
  {
    // Restricted lets a container add back NET_BIND_SERVICE, and nothing else.
    id: 'capabilities_restricted', pointers: ['/containers/0/securityContext/capabilities/drop', '/containers/1/securityContext/capabilities/add'],
    fail: (s) => { sc(s).capabilities = { drop: ['NET_RAW'] }; sc(s, 1).capabilities.add = ['CHOWN']; },
    pass: (s) => { sc(s).capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }; },
  },
  {
    id: 'procMount_restricted', pointers: ['/containers/1/securityContext/procMount'],
    fail: (s) => { sc(s, 1).procMount = 'Unmasked'; },
    pass: (s) => { sc(s, 1).procMount = 'Default'; },
  },
];

test('the checks: every upstream check, once, with its level; each has a row below', () => {
  const ids = POD_SECURITY_CHECKS.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(POD_SECURITY_CHECKS.filter((c) => c.level === 'baseline').map((c) => c.id).sort()).toEqual(BASELINE.map((r) => r.id).sort());
  expect(POD_SECURITY_CHECKS.filter((c) => c.level === 'restricted').map((c) => c.id).sort()).toEqual(RESTRICTED.map((r) => r.id).sort());
  expect([BASELINE.length, RESTRICTED.length]).toEqual([12, 7]);
  expect(POD_SECURITY_CHECKS.find((c) => c.id === 'hostNamespaces')?.title).toBe('Host Namespaces');
});

test('the starting pod meets restricted, and privileged admits anything', () => {
  expect(podSecurityViolations({ spec: restrictedSpec() }, 'restricted')).toEqual([]);
  expect(podSecurityLevel({ spec: restrictedSpec() })).toBe('restricted');
  const worst = pod((s) => Object.assign(s, { hostNetwork: true, volumes: [{ name: 'root', hostPath: { path: '/' } }] }));
  expect(podSecurityViolations(worst, 'privileged')).toEqual([]);
  expect(podSecurityLevel(worst)).toBe('privileged');
});

describe.each(BASELINE.map((r) => [r.id, r] as const))('baseline check %s', (id, row) => {
  const overrider = POD_SECURITY_CHECKS.find((c) => c.overrides?.includes(id))?.id;

  test('fails at baseline, on exactly the fields it names', () => {
    expect(found(pod(row.fail), 'baseline')).toEqual(row.pointers.map((p) => [id, p]));
  });

  test(`fails at restricted too${overrider ? `, reported by ${overrider}, which overrides it` : ''}`, () => {
    const restricted = found(pod(row.fail), 'restricted');
    expect(restricted).toEqual(expect.arrayContaining(row.pointers.map((p) => [overrider ?? id, expect.stringContaining(p)])));
    expect(restricted.filter(([check]) => check === id)).toEqual(overrider ? [] : row.pointers.map((p) => [id, p]));
  });

  test('a neighbouring value passes baseline', () => {
    expect(podSecurityViolations(pod(row.pass), 'baseline')).toEqual([]);
  });
});

describe.each(RESTRICTED.map((r) => [r.id, r] as const))('restricted check %s', (id, row) => {
  test('fails at restricted, on exactly the fields it names', () => {
    expect(found(pod(row.fail), 'restricted')).toEqual(row.pointers.map((p) => [id, p]));
  });

  test('a neighbouring value passes restricted', () => {
    expect(podSecurityViolations(pod(row.pass), 'restricted')).toEqual([]);
  });
});

describe('the rules between the lines', () => {
  test('baseline admits CHOWN but not NET_ADMIN; restricted admits NET_BIND_SERVICE but not CHOWN', () => {
    const chown = pod((s) => { sc(s).capabilities.add = ['CHOWN']; });
    expect(podSecurityLevel(chown)).toBe('baseline');
    expect(podSecurityViolations(chown, 'restricted')).toEqual([expect.objectContaining({
      check: 'capabilities_restricted', pointer: '/containers/0/securityContext/capabilities/add', problem: 'container app adds CHOWN', allowed: 'unset or only NET_BIND_SERVICE',
    })]);
    expect(podSecurityLevel(pod((s) => { sc(s).capabilities.add = ['NET_ADMIN']; }))).toBe('privileged');
    expect(podSecurityLevel(pod((s) => { sc(s).capabilities.add = ['NET_BIND_SERVICE']; }))).toBe('restricted');
  });

  test('runAsNonRoot: a container may set it when the pod sets none; a container without it inherits the pod\'s', () => {
    const containerOnly = pod((s) => { delete s.securityContext.runAsNonRoot; sc(s).runAsNonRoot = true; });
    expect(podSecurityViolations(containerOnly, 'restricted')).toEqual([expect.objectContaining({
      check: 'runAsNonRoot', pointer: '/containers/1/securityContext/runAsNonRoot', problem: 'container sidecar sets no runAsNonRoot, and the pod sets none for it',
    })]);
    // A container's false is wrong even under the pod's true.
    expect(found(pod((s) => { sc(s).runAsNonRoot = false; }), 'restricted')).toEqual([['runAsNonRoot', '/containers/0/securityContext/runAsNonRoot']]);
  });

  test('seccomp: the pod-level profile is inherited; a container may still not turn it off', () => {
    expect(podSecurityViolations(pod((s) => { sc(s, 1).seccompProfile = null; }), 'restricted')).toEqual([]);
    expect(found(pod((s) => { sc(s, 1).seccompProfile = { type: 'Unconfined' }; }), 'restricted')).toEqual([['seccompProfile_restricted', '/containers/1/securityContext/seccompProfile/type']]);
  });

  test('init and ephemeral containers count, with their own pointers', () => {
    const p = pod((s) => {
      s.initContainers = [{ name: 'setup', image: 'busybox:1', securityContext: { privileged: true } }];
      s.ephemeralContainers = [{ name: 'debug', image: 'busybox:1', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } }];
    });
    expect(found(p, 'baseline')).toEqual([
      ['privileged', '/initContainers/0/securityContext/privileged'],
      ['capabilities_baseline', '/ephemeralContainers/0/securityContext/capabilities/add'],
    ]);
    expect(found(p, 'restricted')).toEqual(expect.arrayContaining([
      ['allowPrivilegeEscalation', '/initContainers/0/securityContext/allowPrivilegeEscalation'],
      ['capabilities_restricted', '/ephemeralContainers/0/securityContext/capabilities/drop'],
    ]));
  });

  test('a pod in its own user namespace (hostUsers: false) skips runAsNonRoot, runAsUser and baseline procMount, not restricted procMount', () => {
    const p = pod((s) => { s.hostUsers = false; s.securityContext.runAsNonRoot = false; s.securityContext.runAsUser = 0; sc(s).procMount = 'Unmasked'; });
    expect(found(p, 'baseline')).toEqual([]);
    expect(found(p, 'restricted')).toEqual([['procMount_restricted', '/containers/0/securityContext/procMount']]);
  });

  test('a Windows pod skips the Linux-only restricted checks', () => {
    const p = pod((s) => { s.os = { name: 'windows' }; delete s.securityContext.seccompProfile; for (const c of s.containers) delete c.securityContext; });
    expect(found(p, 'restricted')).toEqual([]);
    expect(found(pod((s) => { delete s.securityContext.seccompProfile; for (const c of s.containers) delete c.securityContext; }), 'restricted').map(([c]) => c)).toEqual([
      'allowPrivilegeEscalation', 'allowPrivilegeEscalation', 'seccompProfile_restricted', 'seccompProfile_restricted', 'capabilities_restricted', 'capabilities_restricted',
    ]);
  });

  test('with hostNetwork, an unset or 0 hostPort is the containerPort, as the API server defaults it before admission', () => {
    const p = pod((s) => { s.hostNetwork = true; s.containers[0].ports = [{ containerPort: 9100 }, { containerPort: 9101, hostPort: 0 }]; });
    expect(found(p, 'baseline')).toEqual([['hostNamespaces', '/hostNetwork'], ['hostPorts', '/containers/0/ports/0/hostPort'], ['hostPorts', '/containers/0/ports/1/hostPort']]);
    expect(podSecurityViolations(p, 'baseline')[1].problem).toBe('container app uses host port 9100 (with hostNetwork, an unset hostPort is the containerPort)');
  });

  test('each violation says what was wrong and what is allowed', () => {
    expect(podSecurityViolations(pod((s) => { s.hostNetwork = true; }), 'baseline')).toEqual([{
      check: 'hostNamespaces', level: 'baseline', title: 'Host Namespaces', pointer: '/hostNetwork', problem: 'hostNetwork is true', allowed: 'false or unset',
    }]);
  });
});

describe('namespaceLevels', () => {
  const namespace = (name: string, labels: Record<string, string> = {}, apiVersion = 'v1'): KubernetesObject => ({ apiVersion, kind: 'Namespace', metadata: { name, labels } });

  test('reads each mode, privileged when unset, as the controller defaults it', () => {
    const levels = namespaceLevels([
      namespace('monitoring', { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.33' }),
      namespace('monitoring-node'),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-a-namespace' } },
      namespace('other-api', { 'pod-security.kubernetes.io/enforce': 'restricted' }, 'example.com/v1'),
    ]);
    expect([...levels.keys()]).toEqual(['monitoring', 'monitoring-node']);
    expect(levels.get('monitoring')).toEqual({
      enforce: 'restricted', audit: 'privileged', warn: 'restricted', versions: { enforce: 'v1.33', audit: 'latest', warn: 'latest' }, invalid: [],
    });
    expect(levels.get('monitoring-node')).toMatchObject({ enforce: 'privileged', audit: 'privileged', warn: 'privileged' });
  });

  test('an invalid enforce level fails closed (restricted), an invalid audit or warn level fails open (privileged)', () => {
    const levels = namespaceLevels([namespace('typo', {
      'pod-security.kubernetes.io/enforce': 'Baseline', 'pod-security.kubernetes.io/audit': 'strict', 'pod-security.kubernetes.io/warn-version': '1.30',
    })]);
    expect(levels.get('typo')).toEqual({
      enforce: 'restricted', audit: 'privileged', warn: 'privileged', versions: { enforce: 'latest', audit: 'latest', warn: 'latest' },
      invalid: ['pod-security.kubernetes.io/enforce=Baseline', 'pod-security.kubernetes.io/audit=strict', 'pod-security.kubernetes.io/warn-version=1.30'],
    });
  });
});
