// The Kubernetes Pod Security Standards as data: one entry per check of the Pod Security Admission controller
// (k8s.io/pod-security-admission/policy, check_<id>.go), with its id, its level and its title in the published
// table (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
//
// Evaluated as the controller evaluates a namespace at policy version `latest` on a current API server (1.37):
// - restricted is every baseline check plus the restricted ones, except the baseline checks a restricted check
//   overrides (it checks the same fields more strictly, so a pod is reported once, as upstream reports it);
// - init, regular and ephemeral containers are all visited (upstream's visitContainers); sidecars (init containers
//   with restartPolicy: Always) get no special treatment;
// - a field set to null counts as unset (Go's nil pointer);
// - the pod is the one admission sees, after the API server's defaulting: with hostNetwork, a port's hostPort is
//   its containerPort (the only defaulting that changes a verdict's fields);
// - pods with `hostUsers: false` (their own user namespace) skip runAsNonRoot, runAsUser and the baseline
//   procMount check, as upstream does from policy version 1.35;
// - pods with `os.name: windows` skip allowPrivilegeEscalation, seccompProfile_restricted and
//   capabilities_restricted (from 1.25);
// - the seccomp annotations, which only policy versions below 1.19 read, are not checked.
// What a namespace pins with `enforce-version` is not modelled: a pin below 1.34 does not check probe hosts, one
// below 1.37 accepts fewer sysctls (SAFE_SYSCTLS says since when each one is safe).
import type { KubernetesObject } from '../core/primitives';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** A pod as the checks see it: its spec, and the annotations of its metadata (AppArmor's legacy annotations). */
export interface PodToCheck {
  readonly spec: unknown;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One offending field of a pod. */
export interface PodSecurityFinding {
  /** JSON pointer of the field, relative to the pod spec (`/containers/1/securityContext/capabilities/add`). */
  readonly pointer: string;
  /** Set when the pointer is relative to the pod metadata instead (`/annotations/…`). */
  readonly in?: 'metadata';
  /** What is wrong: `hostNetwork is true`. */
  readonly problem: string;
  /** What the check allows there: `false or unset`. */
  readonly allowed: string;
}

export interface PodSecurityCheck {
  /** Upstream's check ID. */
  readonly id: string;
  readonly level: 'baseline' | 'restricted';
  /** The control's name in the published table. */
  readonly title: string;
  /** Baseline checks this one replaces at the restricted level (upstream's OverrideCheckIDs). */
  readonly overrides?: readonly string[];
  readonly evaluate: (pod: PodToCheck) => PodSecurityFinding[];
}

export interface Violation extends PodSecurityFinding {
  readonly check: string;
  readonly level: 'baseline' | 'restricted';
  readonly title: string;
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const obj = (value: unknown): Json => (isRecord(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/** A field that is set: neither absent nor null. */
const isSet = (value: unknown): boolean => value !== undefined && value !== null;
/** JSON pointer escaping of one key (RFC 6901). */
const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

interface VisitedContainer {
  readonly container: Json;
  /** `/initContainers/0`, `/containers/1`, `/ephemeralContainers/0`. */
  readonly path: string;
  readonly name: string;
}

/** Every container of a pod, in upstream's order: init containers, containers, ephemeral containers. */
function containersOf(spec: Json): VisitedContainer[] {
  return (['initContainers', 'containers', 'ephemeralContainers'] as const).flatMap((field) =>
    list(spec[field]).map((c, i) => ({ container: obj(c), path: `/${field}/${i}`, name: String(obj(c).name ?? i) })));
}

const securityContextOf = (c: Json): Json => obj(c.securityContext);
const podSecurityContext = (spec: Json): Json => obj(spec.securityContext);
/** `hostUsers: false`: the pod runs in its own user namespace, where its root is not the node's. */
const inUserNamespace = (spec: Json): boolean => spec.hostUsers === false;
const onWindows = (spec: Json): boolean => obj(spec.os).name === 'windows';

const finding = (pointer: string, problem: string, allowed: string): PodSecurityFinding => ({ pointer, problem, allowed });

/** Every container's security context field `field`, when `bad` says its value is not allowed. */
function containerFields(spec: Json, field: string[], bad: (value: unknown) => boolean, problem: (c: VisitedContainer, value: unknown) => string, allowed: string): PodSecurityFinding[] {
  return containersOf(spec).flatMap((c) => {
    const value = field.reduce<unknown>((v, k) => obj(v)[k], c.container.securityContext);
    return isSet(value) && bad(value) ? [finding(`${c.path}/securityContext/${field.join('/')}`, problem(c, value), allowed)] : [];
  });
}

/**
 * A field that the pod's securityContext sets for every container, and each container may set (or override):
 * runAsNonRoot and seccompProfile in restricted. Reported as upstream does: the pod and the containers that set a
 * wrong value if any do (at `valuePath` within the field), otherwise the containers that inherit no right value.
 */
function inheritedField(spec: Json, field: string, good: (value: unknown) => boolean, describe: (value: unknown) => string, allowed: string, valuePath = ''): PodSecurityFinding[] {
  const podValue = podSecurityContext(spec)[field];
  const explicit: PodSecurityFinding[] = [];
  if (isSet(podValue) && !good(podValue)) explicit.push(finding(`/securityContext/${field}${valuePath}`, `the pod sets ${field} ${describe(podValue)}`, allowed));
  const podGood = isSet(podValue) && good(podValue);
  const implicit: PodSecurityFinding[] = [];
  for (const c of containersOf(spec)) {
    const value = securityContextOf(c.container)[field];
    if (isSet(value)) {
      if (!good(value)) explicit.push(finding(`${c.path}/securityContext/${field}${valuePath}`, `container ${c.name} sets ${field} ${describe(value)}`, allowed));
    } else if (!podGood) {
      implicit.push(finding(`${c.path}/securityContext/${field}`, `container ${c.name} sets no ${field}, and the pod sets none for it`, `${allowed}, here or in the pod's securityContext`));
    }
  }
  return explicit.length ? explicit : implicit;
}

/** The pod's and every container's security context field, when `bad` says its value is not allowed. */
function podAndContainerFields(spec: Json, field: string[], bad: (value: unknown) => boolean, problem: (who: string, value: unknown) => string, allowed: string): PodSecurityFinding[] {
  const podValue = field.reduce<unknown>((v, k) => obj(v)[k], spec.securityContext);
  return [
    ...(isSet(podValue) && bad(podValue) ? [finding(`/securityContext/${field.join('/')}`, problem('the pod', podValue), allowed)] : []),
    ...containerFields(spec, field, bad, (c, value) => problem(`container ${c.name}`, value), allowed),
  ];
}

/** Capabilities the baseline level lets a container add: the container runtimes' default set, without NET_RAW. */
export const BASELINE_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/** The sysctls baseline admits, each with the policy version that made it safe. */
export const SAFE_SYSCTLS: Readonly<Record<string, string>> = {
  'kernel.shm_rmid_forced': '1.0',
  'net.ipv4.ip_local_port_range': '1.0',
  'net.ipv4.tcp_syncookies': '1.0',
  'net.ipv4.ping_group_range': '1.0',
  'net.ipv4.ip_unprivileged_port_start': '1.0',
  'net.ipv4.ip_local_reserved_ports': '1.27',
  'net.ipv4.tcp_keepalive_time': '1.29',
  'net.ipv4.tcp_fin_timeout': '1.29',
  'net.ipv4.tcp_keepalive_intvl': '1.29',
  'net.ipv4.tcp_keepalive_probes': '1.29',
  'net.ipv4.tcp_rmem': '1.32',
  'net.ipv4.tcp_wmem': '1.32',
  'net.ipv4.tcp_slow_start_after_idle': '1.37',
  'net.ipv4.tcp_notsent_lowat': '1.37',
};

/** SELinux types baseline admits (`container_engine_t` since 1.31); the empty type is the runtime's default. */
export const SELINUX_TYPES: readonly string[] = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

/** The volume types restricted admits (`image` since 1.33, though the published table does not list it yet). */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

const CONFINING_PROFILES = ['RuntimeDefault', 'Localhost'];
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
const HANDLERS = ['postStart', 'preStop'];

const hostNamespaces = (pod: PodToCheck): PodSecurityFinding[] => {
  const spec = obj(pod.spec);
  return ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => spec[f] === true).map((f) => finding(`/${f}`, `${f} is true`, 'false or unset'));
};

const baselineCapabilities = (pod: PodToCheck): PodSecurityFinding[] =>
  containersOf(obj(pod.spec)).flatMap((c) => {
    const added = list(obj(securityContextOf(c.container).capabilities).add).map(String).filter((cap) => !BASELINE_CAPABILITIES.includes(cap));
    return added.length ? [finding(`${c.path}/securityContext/capabilities/add`, `container ${c.name} adds ${added.join(', ')}`, `unset or a subset of ${BASELINE_CAPABILITIES.join(', ')}`)] : [];
  });

const hostPathVolumes = (pod: PodToCheck): PodSecurityFinding[] =>
  list(obj(pod.spec).volumes).flatMap((v, i) => (isSet(obj(v).hostPath) ? [finding(`/volumes/${i}/hostPath`, `volume ${String(obj(v).name ?? i)} mounts host path ${String(obj(obj(v).hostPath).path ?? '')}`.trimEnd(), 'unset')] : []));

// With hostNetwork, the API server's defaulting (which runs before admission) sets each unset hostPort to the
// containerPort: the controller sees those host ports too.
const hostPorts = (pod: PodToCheck): PodSecurityFinding[] => {
  const spec = obj(pod.spec);
  return containersOf(spec).flatMap((c) => list(c.container.ports).flatMap((p, j) => {
    const written = obj(p).hostPort;
    const defaulted = spec.hostNetwork === true && (!isSet(written) || written === 0);
    const hostPort = defaulted ? obj(p).containerPort : written;
    if (!isSet(hostPort) || hostPort === 0) return [];
    return [finding(`${c.path}/ports/${j}/hostPort`, `container ${c.name} uses host port ${show(hostPort)}${defaulted ? ' (with hostNetwork, an unset hostPort is the containerPort)' : ''}`, '0 or unset, without hostNetwork')];
  }));
};

const hostProbesAndLifecycle = (pod: PodToCheck): PodSecurityFinding[] =>
  containersOf(obj(pod.spec)).flatMap((c) => {
    const handlers: Array<[string, unknown]> = [
      ...PROBES.map((p): [string, unknown] => [`/${p}`, c.container[p]]),
      ...HANDLERS.map((h): [string, unknown] => [`/lifecycle/${h}`, obj(c.container.lifecycle)[h]]),
    ];
    return handlers.flatMap(([path, handler]) => (['httpGet', 'tcpSocket'] as const).flatMap((action) => {
      const host = obj(obj(handler)[action]).host;
      return isSet(host) && host !== '' ? [finding(`${c.path}${path}/${action}/host`, `container ${c.name} sends ${path.slice(path.lastIndexOf('/') + 1)} to host ${show(host)}`, '"" or unset (the pod\'s own IP)')] : [];
    }));
  });

const appArmor = (pod: PodToCheck): PodSecurityFinding[] => {
  const spec = obj(pod.spec);
  const allowed = 'RuntimeDefault or Localhost';
  // A profile with no type is as wrong as Unconfined (the API requires a type).
  const bad = (profile: unknown) => !CONFINING_PROFILES.includes(String(obj(profile).type));
  const fields: PodSecurityFinding[] = [];
  if (isSet(podSecurityContext(spec).appArmorProfile) && bad(podSecurityContext(spec).appArmorProfile)) {
    fields.push(finding('/securityContext/appArmorProfile/type', `the pod sets AppArmor profile ${show(obj(podSecurityContext(spec).appArmorProfile).type)}`, allowed));
  }
  for (const c of containersOf(spec)) {
    const profile = securityContextOf(c.container).appArmorProfile;
    if (isSet(profile) && bad(profile)) fields.push(finding(`${c.path}/securityContext/appArmorProfile/type`, `container ${c.name} sets AppArmor profile ${show(obj(profile).type)}`, allowed));
  }
  const annotations = Object.entries(pod.annotations ?? {})
    .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION) && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/')))
    .map(([k, v]): PodSecurityFinding => ({ pointer: `/annotations/${escape(k)}`, in: 'metadata', problem: `annotation ${k} is ${show(v)}`, allowed: 'runtime/default or localhost/<profile>' }));
  return [...fields, ...annotations];
};

const seLinux = (pod: PodToCheck): PodSecurityFinding[] => {
  const spec = obj(pod.spec);
  const check = (options: unknown, path: string, who: string): PodSecurityFinding[] => {
    if (!isSet(options)) return [];
    const o = obj(options);
    return [
      ...(SELINUX_TYPES.includes(String(o.type ?? '')) ? [] : [finding(`${path}/type`, `${who} sets SELinux type ${show(o.type)}`, `one of ${SELINUX_TYPES.filter(Boolean).join(', ')}, or unset`)]),
      ...(['user', 'role'] as const).filter((f) => isSet(o[f]) && o[f] !== '').map((f) => finding(`${path}/${f}`, `${who} sets SELinux ${f} ${show(o[f])}`, 'unset')),
    ];
  };
  return [
    ...check(podSecurityContext(spec).seLinuxOptions, '/securityContext/seLinuxOptions', 'the pod'),
    ...containersOf(spec).flatMap((c) => check(securityContextOf(c.container).seLinuxOptions, `${c.path}/securityContext/seLinuxOptions`, `container ${c.name}`)),
  ];
};

const procMount = (pod: PodToCheck): PodSecurityFinding[] =>
  containerFields(obj(pod.spec), ['procMount'], (v) => v !== 'Default', (c, v) => `container ${c.name} sets procMount ${show(v)}`, 'Default or unset');

const seccompBaseline = (pod: PodToCheck): PodSecurityFinding[] =>
  podAndContainerFields(obj(pod.spec), ['seccompProfile'], (p) => !CONFINING_PROFILES.includes(String(obj(p).type)),
    (who, p) => `${who} sets seccomp profile ${show(obj(p).type)}`, 'RuntimeDefault, Localhost or unset').map((f) => ({ ...f, pointer: `${f.pointer}/type` }));

const sysctls = (pod: PodToCheck): PodSecurityFinding[] =>
  list(podSecurityContext(obj(pod.spec)).sysctls).flatMap((s, i) => {
    const name = String(obj(s).name ?? '');
    return name in SAFE_SYSCTLS ? [] : [finding(`/securityContext/sysctls/${i}/name`, `the pod sets sysctl ${name || '(no name)'}`, `one of the safe sysctls (${Object.keys(SAFE_SYSCTLS).join(', ')})`)];
  });

const windowsHostProcess = (pod: PodToCheck): PodSecurityFinding[] =>
  podAndContainerFields(obj(pod.spec), ['windowsOptions', 'hostProcess'], (v) => v === true, (who) => `${who} runs as a Windows HostProcess`, 'false or unset');

const restrictedVolumes = (pod: PodToCheck): PodSecurityFinding[] =>
  list(obj(pod.spec).volumes).flatMap((v, i) => {
    const volume = obj(v);
    if (RESTRICTED_VOLUME_TYPES.some((t) => isSet(volume[t]))) return [];
    const type = Object.keys(volume).find((k) => k !== 'name' && isSet(volume[k])) ?? '(no type)';
    return [finding(`/volumes/${i}${type.startsWith('(') ? '' : `/${type}`}`, `volume ${String(volume.name ?? i)} is of type ${type}`, `unset: restricted admits only volumes of type ${RESTRICTED_VOLUME_TYPES.join(', ')}`)];
  });

const allowPrivilegeEscalation = (pod: PodToCheck): PodSecurityFinding[] => {
  const spec = obj(pod.spec);
  if (onWindows(spec)) return [];
  return containersOf(spec).flatMap((c) => {
    const value = securityContextOf(c.container).allowPrivilegeEscalation;
    return value === false ? [] : [finding(`${c.path}/securityContext/allowPrivilegeEscalation`, `container ${c.name} ${isSet(value) ? `sets allowPrivilegeEscalation ${show(value)}` : 'does not set allowPrivilegeEscalation: false'}`, 'false')];
  });
};

const runAsNonRoot = (pod: PodToCheck): PodSecurityFinding[] => {
  const spec = obj(pod.spec);
  if (inUserNamespace(spec)) return [];
  return inheritedField(spec, 'runAsNonRoot', (v) => v === true, show, 'true');
};

const runAsUser = (pod: PodToCheck): PodSecurityFinding[] => {
  const spec = obj(pod.spec);
  if (inUserNamespace(spec)) return [];
  return podAndContainerFields(spec, ['runAsUser'], (v) => v === 0, (who) => `${who} runs as user 0 (root)`, 'a non-zero user, or unset');
};

const seccompRestricted = (pod: PodToCheck): PodSecurityFinding[] => {
  const spec = obj(pod.spec);
  if (onWindows(spec)) return [];
  return inheritedField(spec, 'seccompProfile', (p) => CONFINING_PROFILES.includes(String(obj(p).type)), (p) => `to type ${show(obj(p).type)}`, 'RuntimeDefault or Localhost', '/type');
};

const restrictedCapabilities = (pod: PodToCheck): PodSecurityFinding[] => {
  const spec = obj(pod.spec);
  if (onWindows(spec)) return [];
  return containersOf(spec).flatMap((c) => {
    const capabilities = obj(securityContextOf(c.container).capabilities);
    const path = `${c.path}/securityContext/capabilities`;
    const added = list(capabilities.add).map(String).filter((cap) => cap !== 'NET_BIND_SERVICE');
    return [
      ...(list(capabilities.drop).includes('ALL') ? [] : [finding(`${path}/drop`, `container ${c.name} does not drop ALL capabilities`, 'a list that includes ALL')]),
      ...(added.length ? [finding(`${path}/add`, `container ${c.name} adds ${added.join(', ')}`, 'unset or only NET_BIND_SERVICE')] : []),
    ];
  });
};

/** Every check of the standards, baseline first, in the published table's order. */
export const POD_SECURITY_CHECKS: readonly PodSecurityCheck[] = [
  { id: 'windowsHostProcess', level: 'baseline', title: 'HostProcess', evaluate: windowsHostProcess },
  { id: 'hostNamespaces', level: 'baseline', title: 'Host Namespaces', evaluate: hostNamespaces },
  { id: 'privileged', level: 'baseline', title: 'Privileged Containers', evaluate: (pod) => containerFields(obj(pod.spec), ['privileged'], (v) => v === true, (c) => `container ${c.name} is privileged`, 'false or unset') },
  { id: 'capabilities_baseline', level: 'baseline', title: 'Capabilities', evaluate: baselineCapabilities },
  { id: 'hostPathVolumes', level: 'baseline', title: 'HostPath Volumes', evaluate: hostPathVolumes },
  { id: 'hostPorts', level: 'baseline', title: 'Host Ports', evaluate: hostPorts },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', title: 'Host Probes / Lifecycle Hooks (v1.34+)', evaluate: hostProbesAndLifecycle },
  { id: 'appArmorProfile', level: 'baseline', title: 'AppArmor', evaluate: appArmor },
  { id: 'seLinuxOptions', level: 'baseline', title: 'SELinux', evaluate: seLinux },
  { id: 'procMount_baseline', level: 'baseline', title: '/proc Mount Type', evaluate: (pod) => (inUserNamespace(obj(pod.spec)) ? [] : procMount(pod)) },
  { id: 'seccompProfile_baseline', level: 'baseline', title: 'Seccomp', evaluate: seccompBaseline },
  { id: 'sysctls', level: 'baseline', title: 'Sysctls', evaluate: sysctls },
  { id: 'restrictedVolumes', level: 'restricted', title: 'Volume Types', overrides: ['hostPathVolumes'], evaluate: restrictedVolumes },
  { id: 'allowPrivilegeEscalation', level: 'restricted', title: 'Privilege Escalation (v1.8+)', evaluate: allowPrivilegeEscalation },
  { id: 'runAsNonRoot', level: 'restricted', title: 'Running as Non-root', evaluate: runAsNonRoot },
  { id: 'runAsUser', level: 'restricted', title: 'Running as Non-root user (v1.23+)', evaluate: runAsUser },
  { id: 'seccompProfile_restricted', level: 'restricted', title: 'Seccomp (v1.19+)', overrides: ['seccompProfile_baseline'], evaluate: seccompRestricted },
  { id: 'capabilities_restricted', level: 'restricted', title: 'Capabilities (v1.22+)', overrides: ['capabilities_baseline'], evaluate: restrictedCapabilities },
  // Restricted keeps /proc masked even in a user namespace, where baseline lets it go.
  { id: 'procMount_restricted', level: 'restricted', title: '/proc Mount Type', overrides: ['procMount_baseline'], evaluate: procMount },
];

/** The checks a level runs: none for privileged; baseline's; restricted's and the baseline ones it does not override. */
export function checksOf(level: PodSecurityLevel): readonly PodSecurityCheck[] {
  if (level === 'privileged') return [];
  if (level === 'baseline') return POD_SECURITY_CHECKS.filter((c) => c.level === 'baseline');
  const overridden = new Set(POD_SECURITY_CHECKS.flatMap((c) => c.overrides ?? []));
  return POD_SECURITY_CHECKS.filter((c) => c.level === 'restricted' || !overridden.has(c.id));
}

/** Every field of the pod that the level does not admit; empty when the admission controller would admit it. */
export function podSecurityViolations(pod: PodToCheck, level: PodSecurityLevel): Violation[] {
  return checksOf(level).flatMap((check) => check.evaluate(pod).map((f) => ({ check: check.id, level: check.level, title: check.title, ...f })));
}

/** The strictest level the pod meets. */
export function podSecurityLevel(pod: PodToCheck): PodSecurityLevel {
  if (podSecurityViolations(pod, 'restricted').length === 0) return 'restricted';
  return podSecurityViolations(pod, 'baseline').length === 0 ? 'baseline' : 'privileged';
}

export const POD_SECURITY_LABEL = 'pod-security.kubernetes.io/';
const LEVELS: readonly string[] = ['privileged', 'baseline', 'restricted'];
const VERSION = /^(latest|v1\.(0|[1-9][0-9]*))$/;

/** A namespace's Pod Security Admission labels, resolved as the controller resolves them. */
export interface NamespacePodSecurity {
  readonly enforce: PodSecurityLevel;
  readonly audit: PodSecurityLevel;
  readonly warn: PodSecurityLevel;
  /** Each mode's `-version` label; `latest` when unset or invalid. */
  readonly versions: { readonly enforce: string; readonly audit: string; readonly warn: string };
  /** Labels whose value the controller does not accept, as `label=value`. */
  readonly invalid: readonly string[];
}

/**
 * The Pod Security levels of every `v1 Namespace` among the manifests, by name. Unset modes are `privileged`, the
 * controller's default configuration; an invalid enforce level is `restricted` (the controller fails closed), an
 * invalid audit or warn level `privileged` (it fails open there).
 */
export function namespaceLevels(manifests: readonly KubernetesObject[]): ReadonlyMap<string, NamespacePodSecurity> {
  const levels = new Map<string, NamespacePodSecurity>();
  for (const m of manifests) {
    if (m.kind !== 'Namespace' || m.apiVersion !== 'v1') continue;
    const labels = m.metadata.labels ?? {};
    const invalid: string[] = [];
    const level = (mode: 'enforce' | 'audit' | 'warn'): PodSecurityLevel => {
      const value = labels[`${POD_SECURITY_LABEL}${mode}`];
      if (value === undefined) return 'privileged';
      if (LEVELS.includes(value)) return value as PodSecurityLevel;
      invalid.push(`${POD_SECURITY_LABEL}${mode}=${value}`);
      return mode === 'enforce' ? 'restricted' : 'privileged';
    };
    const version = (mode: 'enforce' | 'audit' | 'warn'): string => {
      const value = labels[`${POD_SECURITY_LABEL}${mode}-version`];
      if (value === undefined) return 'latest';
      if (VERSION.test(value)) return value;
      invalid.push(`${POD_SECURITY_LABEL}${mode}-version=${value}`);
      return 'latest';
    };
    levels.set(m.metadata.name, {
      enforce: level('enforce'), audit: level('audit'), warn: level('warn'),
      versions: { enforce: version('enforce'), audit: version('audit'), warn: version('warn') },
      invalid,
    });
  }
  return levels;
}
