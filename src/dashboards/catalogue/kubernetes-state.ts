// Dashboards about the state of Kubernetes objects, from kube-state-metrics: workloads' rollouts, pods' phases
// and restarts, Jobs and CronJobs, and the cluster's capacity against what its pods request.
import { CLUSTER, type DashboardBuilder, RowBuilder, dashboard, labelVariable, query, stat, timeseries } from '../house';
import { drillDown, mergedTable, ratioColumn, type TableColumn } from './tables';

const JOB = 'job="kube-state-metrics"';
const KSM = `${JOB}, ${CLUSTER}`;
/** The namespaces the (multi-value) namespace variable selects. */
const IN_NS = `${KSM}, namespace=~"$namespace"`;
/** Pods that hold or wait for their resources. */
const ACTIVE_POD = `on (namespace, pod) (kube_pod_status_phase{${KSM}, phase=~"Pending|Running"} == 1)`;

const UID = {
  workloads: 'o11y-k8s-workloads-status',
  pods: 'o11y-k8s-pods-status',
  jobs: 'o11y-k8s-jobs',
  capacity: 'o11y-k8s-cluster-capacity',
  /** Dashboards of the compute resources catalogue these link to. */
  workload: 'o11y-k8s-resources-workload',
  pod: 'o11y-k8s-resources-pod',
  node: 'o11y-k8s-resources-node',
};
const TAGS = ['kubernetes', 'kubernetes-state'];
const SOME_BAD: Array<[number, string]> = [[1, 'red']];

const namespacesVariable = () => labelVariable('namespace', 'kube_namespace_status_phase', 'Namespace', true, JOB, true);
const max = (by: string, expr: string) => `max by (${by}) (${expr})`;

// ---- Workloads status ----

interface WorkloadKind {
  readonly title: string;
  /** The label naming the object, and the `workload_type` the compute dashboards know it by. */
  readonly label: string;
  readonly type: string;
  /** Desired, ready, updated and available replicas (or scheduled pods). */
  readonly desired: string;
  readonly ready: string;
  readonly updated: string;
  readonly available: string;
}

const WORKLOAD_KINDS: WorkloadKind[] = [
  {
    title: 'Deployments', label: 'deployment', type: 'deployment', desired: 'kube_deployment_spec_replicas',
    ready: 'kube_deployment_status_replicas_ready', updated: 'kube_deployment_status_replicas_updated', available: 'kube_deployment_status_replicas_available',
  },
  {
    title: 'StatefulSets', label: 'statefulset', type: 'statefulset', desired: 'kube_statefulset_replicas',
    ready: 'kube_statefulset_status_replicas_ready', updated: 'kube_statefulset_status_replicas_updated', available: 'kube_statefulset_status_replicas_available',
  },
  {
    title: 'DaemonSets', label: 'daemonset', type: 'daemonset', desired: 'kube_daemonset_status_desired_number_scheduled',
    ready: 'kube_daemonset_status_number_ready', updated: 'kube_daemonset_status_updated_number_scheduled', available: 'kube_daemonset_status_number_available',
  },
];

function addWorkloadKind(d: DashboardBuilder, kind: WorkloadKind): void {
  const by = `namespace, ${kind.label}`;
  const series = (metric: string) => max(by, `${metric}{${IN_NS}}`);
  const notReady = `${series(kind.desired)}\n- ${series(kind.ready)}`;
  d.withRow(new RowBuilder(kind.title))
    .withPanel(stat(kind.title, 'short', query(`count(${series(kind.desired)})`)).span(6))
    .withPanel(stat(`${kind.title} not fully ready`, 'short', query(`count((${notReady}) > 0) or vector(0)`), SOME_BAD).span(6)
      .description(`${kind.title} with fewer ready replicas than desired.`))
    .withPanel(stat(`${kind.title} not fully updated`, 'short', query(`count((${series(kind.desired)}\n- ${series(kind.updated)}) > 0) or vector(0)`), [[1, 'orange']]).span(6)
      .description(`${kind.title} with replicas still on an older revision: a rollout in progress or stuck.`))
    .withPanel(stat(`${kind.title}: replicas not ready`, 'short', query(`sum(clamp_min(${notReady}, 0)) or vector(0)`), SOME_BAD).span(6))
    .withPanel(mergedTable(kind.title, [['namespace', 'Namespace'], [kind.label, kind.title.replace(/s$/, '')]], [
      { header: 'Desired', expr: series(kind.desired), unit: 'short' },
      { header: 'Ready', expr: series(kind.ready), unit: 'short' },
      { header: 'Updated', expr: series(kind.updated), unit: 'short' },
      { header: 'Available', expr: series(kind.available), unit: 'short' },
      { header: 'Not ready', expr: notReady, unit: 'short' },
    ], {
      [kind.title.replace(/s$/, '')]: drillDown('Compute resources of the workload', UID.workload, `var-namespace=\${__data.fields.namespace}&var-type=${kind.type}&var-workload=\${__value.raw}`),
    }).height(8).description(`Desired, ready, updated (current revision) and available replicas of each of the ${kind.title}.`))
    .withPanel(timeseries(`${kind.title}: replicas not ready over time`, 'short', query(`(${notReady}) > 0`, `{{namespace}}/{{${kind.label}}}`)).min(0).span(24).height(6)
      .description('Desired minus ready replicas, for the workloads that have fewer ready than desired.'));
}

function workloadsStatusDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.workloads,
    title: 'Kubernetes / Workloads status',
    tags: TAGS,
    description: 'Rollout state of Deployments, StatefulSets and DaemonSets: desired, ready, updated and available replicas.',
    variables: [namespacesVariable()],
  });
  for (const kind of WORKLOAD_KINDS) addWorkloadKind(d, kind);
  return d;
}

// ---- Pods status ----

function podsStatusDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.pods,
    title: 'Kubernetes / Pods status',
    tags: TAGS,
    description: 'Pods by phase, pods not ready, container restarts, waiting reasons (CrashLoopBackOff, ImagePullBackOff...) and OOM kills.',
    variables: [namespacesVariable()],
  });
  const phase = (name: string) => `sum(kube_pod_status_phase{${IN_NS}, phase="${name}"}) or vector(0)`;
  const notReady = `max by (namespace, pod) (kube_pod_status_ready{${IN_NS}, condition="false"}) == 1\nand on (namespace, pod) (kube_pod_status_phase{${IN_NS}, phase="Running"} == 1)`;
  const restarts = `increase(kube_pod_container_status_restarts_total{${IN_NS}}[$__range])`;
  const oomKilled = `kube_pod_container_status_last_terminated_reason{${IN_NS}, reason="OOMKilled"} == 1`;
  const waiting = `kube_pod_container_status_waiting_reason{${IN_NS}} == 1`;
  const podLink = { Pod: drillDown('Compute resources of the pod', UID.pod, 'var-namespace=${__data.fields.namespace}&var-pod=${__value.raw}') };

  d.withRow(new RowBuilder('Headlines'))
    .withPanel(stat('Running', 'short', query(phase('Running'))))
    .withPanel(stat('Pending', 'short', query(phase('Pending')), [[1, 'orange']]))
    .withPanel(stat('Failed', 'short', query(phase('Failed')), SOME_BAD))
    .withPanel(stat('Unknown', 'short', query(phase('Unknown')), SOME_BAD)
      .description('Pods whose node stopped reporting them.'))
    .withPanel(stat('Running, not ready', 'short', query(`count(${notReady}) or vector(0)`), [[1, 'orange']]))
    .withPanel(stat('Restarts (time range)', 'short', query(`round(sum(${restarts})) or vector(0)`), [[1, 'orange'], [10, 'red']])
      .description('Container restarts within the dashboard\'s time range.'));

  d.withRow(new RowBuilder('Phases'))
    .withPanel(timeseries('Pods by phase', 'short', query(`sum by (phase) (kube_pod_status_phase{${IN_NS}})`, '{{phase}}')).min(0))
    .withPanel(timeseries('Pods by namespace', 'short', query(`sum by (namespace) (kube_pod_status_phase{${IN_NS}, phase=~"Pending|Running"})`, '{{namespace}}')).min(0)
      .description('Pending and Running pods per namespace.'));

  d.withRow(new RowBuilder('Restarts and waiting containers'))
    .withPanel(timeseries('Container restarts', 'short', query(
      `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{${IN_NS}}[$__rate_interval])) > 0`, '{{namespace}}/{{pod}}',
    )).min(0).description('Restarts per pod in each interval: pods that keep restarting stand out.'))
    .withPanel(timeseries('Waiting containers by reason', 'short', query(`sum by (reason) (${waiting})`, '{{reason}}')).min(0)
      .description('Containers that cannot run, by why: CrashLoopBackOff, ImagePullBackOff, CreateContainerConfigError...'))
    .withPanel(mergedTable('Waiting containers', [['namespace', 'Namespace'], ['pod', 'Pod'], ['container', 'Container'], ['reason', 'Reason']], [
      { header: 'Waiting', expr: max('namespace, pod, container, reason', waiting), unit: 'short' },
    ], podLink).height(8))
    .withPanel(mergedTable('Pods restarting (time range)', [['namespace', 'Namespace'], ['pod', 'Pod']], [
      { header: 'Restarts', expr: `round(sum by (namespace, pod) (${restarts})) > 0`, unit: 'short' },
    ], podLink).height(8));

  d.withRow(new RowBuilder('Out of memory and not ready'))
    .withPanel(mergedTable('Containers last killed for running out of memory', [['namespace', 'Namespace'], ['pod', 'Pod'], ['container', 'Container']], [
      { header: 'OOMKilled', expr: max('namespace, pod, container', oomKilled), unit: 'short' },
      { header: 'Restarts', expr: `max by (namespace, pod, container) (kube_pod_container_status_restarts_total{${IN_NS}})\nand on (namespace, pod, container) (${oomKilled})`, unit: 'short' },
    ], podLink).span(12).height(8).description('Containers whose last termination was OOMKilled: raise their memory limit or find the leak.'))
    .withPanel(mergedTable('Running pods not ready', [['namespace', 'Namespace'], ['pod', 'Pod']], [
      { header: 'Not ready', expr: notReady, unit: 'short' },
    ], podLink).span(12).height(8).description('Running pods whose readiness probe fails: Services send them no traffic.'));
  return d;
}

// ---- Jobs and CronJobs ----

function jobsDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.jobs,
    title: 'Kubernetes / Jobs and CronJobs',
    tags: TAGS,
    description: 'Jobs (active, succeeded, failed, how long they take) and CronJobs (last schedule, last success, suspended).',
    variables: [namespacesVariable()],
  });
  const job = (metric: string) => max('namespace, job_name', `${metric}{${IN_NS}}`);
  const cronjob = (metric: string) => max('namespace, cronjob', `${metric}{${IN_NS}}`);
  const failed = `kube_job_failed{${IN_NS}, condition="true"} == 1`;

  d.withRow(new RowBuilder('Headlines'))
    .withPanel(stat('Jobs', 'short', query(`count(kube_job_info{${IN_NS}}) or vector(0)`)))
    .withPanel(stat('Active jobs', 'short', query(`sum(kube_job_status_active{${IN_NS}}) or vector(0)`)).description('Pods of Jobs running now.'))
    .withPanel(stat('Failed jobs', 'short', query(`count(${failed}) or vector(0)`), SOME_BAD)
      .description('Jobs that failed for good (backoff limit or deadline reached).'))
    .withPanel(stat('CronJobs', 'short', query(`count(kube_cronjob_info{${IN_NS}}) or vector(0)`)))
    .withPanel(stat('Suspended CronJobs', 'short', query(`count(kube_cronjob_spec_suspend{${IN_NS}} == 1) or vector(0)`), [[1, 'orange']]))
    .withPanel(stat('CronJobs active', 'short', query(`sum(kube_cronjob_status_active{${IN_NS}}) or vector(0)`)));

  d.withRow(new RowBuilder('CronJobs'))
    .withPanel(mergedTable('CronJobs', [['namespace', 'Namespace'], ['cronjob', 'CronJob']], [
      { header: 'Active jobs', expr: cronjob('kube_cronjob_status_active'), unit: 'short' },
      { header: 'Last scheduled', expr: `time() - ${cronjob('kube_cronjob_status_last_schedule_time')}`, unit: 's' },
      { header: 'Last succeeded', expr: `time() - ${cronjob('kube_cronjob_status_last_successful_time')}`, unit: 's' },
      { header: 'Next schedule in', expr: `${cronjob('kube_cronjob_next_schedule_time')} - time()`, unit: 's' },
      { header: 'Suspended', expr: cronjob('kube_cronjob_spec_suspend'), unit: 'bool_yes_no' },
    ]).description('How long ago each CronJob last started a Job and last succeeded, and when it starts the next one.'))
    .withPanel(timeseries('Active jobs by CronJob', 'short', query(`${cronjob('kube_cronjob_status_active')} > 0`, '{{namespace}}/{{cronjob}}')).min(0).span(24).height(6));

  d.withRow(new RowBuilder('Jobs'))
    .withPanel(mergedTable('Jobs', [['namespace', 'Namespace'], ['job_name', 'Job']], [
      { header: 'Completions', expr: job('kube_job_spec_completions'), unit: 'short' },
      { header: 'Active', expr: job('kube_job_status_active'), unit: 'short' },
      { header: 'Succeeded', expr: job('kube_job_status_succeeded'), unit: 'short' },
      { header: 'Failed pods', expr: job('kube_job_status_failed'), unit: 'short' },
      { header: 'Started', expr: `time() - ${job('kube_job_status_start_time')}`, unit: 's' },
      { header: 'Duration', expr: `${job('kube_job_status_completion_time')}\n- ${job('kube_job_status_start_time')}`, unit: 's' },
    ]).description('Every Job: completions wanted, pods active, succeeded and failed, when it started and (once complete) how long it took.'))
    .withPanel(timeseries('Active job pods by namespace', 'short', query(`sum by (namespace) (kube_job_status_active{${IN_NS}})`, '{{namespace}}')).min(0))
    .withPanel(timeseries('Failed jobs by namespace', 'short', query(`count by (namespace) (${failed})`, '{{namespace}}')).min(0));
  return d;
}

// ---- Cluster capacity ----

function capacityDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.capacity,
    title: 'Kubernetes / Cluster capacity',
    tags: TAGS,
    description: 'What the nodes can give (allocatable) against what the Pending and Running pods request and may use (limits): commitment and overcommit per node and for the cluster.',
  });
  const allocatable = (resource: string, by = '') => `sum${by ? ` by (${by})` : ''} (kube_node_status_allocatable{${KSM}, resource="${resource}"})`;
  // One series per container, even while a restarted kube-state-metrics briefly reports it twice.
  const spec = (kind: 'requests' | 'limits', resource: string, by = '') =>
    `sum${by ? ` by (${by})` : ''} (max by (namespace, pod, container, node) (\n  kube_pod_container_resource_${kind}{${KSM}, resource="${resource}"}\n  and ${ACTIVE_POD}\n))`;
  const share = (kind: 'requests' | 'limits', resource: string) => `${spec(kind, resource)}\n/ ${allocatable(resource)}`;
  const commitment: Array<[number, string]> = [[0.8, 'orange'], [1, 'red']];
  const overcommit: Array<[number, string]> = [[1, 'orange'], [2, 'red']];

  d.withRow(new RowBuilder('Cluster'))
    .withPanel(stat('CPU requests commitment', 'percentunit', query(share('requests', 'cpu')), commitment)
      .description('CPU requested by Pending and Running pods, as a share of all nodes\' allocatable CPU: at 100% no pod requesting CPU can be scheduled.'))
    .withPanel(stat('CPU limits overcommit', 'percentunit', query(share('limits', 'cpu')), overcommit)
      .description('CPU limits of Pending and Running pods, as a share of all nodes\' allocatable CPU: above 100%, pods may together want more than there is.'))
    .withPanel(stat('Memory requests commitment', 'percentunit', query(share('requests', 'memory')), commitment))
    .withPanel(stat('Memory limits overcommit', 'percentunit', query(share('limits', 'memory')), overcommit)
      .description('Memory limits of Pending and Running pods, as a share of all nodes\' allocatable memory: above 100%, nodes may run out of memory and evict or OOM-kill.'))
    .withPanel(stat('Pods', 'percentunit', query(`count(kube_pod_info{${KSM}, node!=""} and ${ACTIVE_POD})\n/ ${allocatable('pods')}`), commitment)
      .description('Pending and Running pods on nodes, as a share of the pods the nodes may run.'))
    .withPanel(stat('Schedulable nodes', 'short', query(`count(kube_node_info{${KSM}}) - (sum(kube_node_spec_unschedulable{${KSM}}) or vector(0))`))
      .description('Nodes not cordoned.'));

  const series = (resource: string, unit: string, title: string) => timeseries(title, unit,
    query(allocatable(resource), 'allocatable'),
    query(spec('requests', resource), 'requests'),
    query(spec('limits', resource), 'limits'),
  ).min(0);
  d.withRow(new RowBuilder('Over time'))
    .withPanel(series('cpu', 'short', 'CPU: allocatable, requests and limits').description('CPU cores of the cluster: what the nodes can give, what the pods request and their limits.'))
    .withPanel(series('memory', 'bytes', 'Memory: allocatable, requests and limits'));

  const nodeLink = { Node: drillDown('Compute resources of the node\'s pods', UID.node, 'var-node=${__value.raw}') };
  const perNode = (kind: 'requests' | 'limits', resource: string) => spec(kind, resource, 'node');
  const nodeTable = (resource: string, name: string, unit: string): TableColumn[] => [
    { header: `${name} allocatable`, expr: allocatable(resource, 'node'), unit },
    { header: `${name} requests`, expr: perNode('requests', resource), unit },
    ratioColumn(`${name} requests %`, perNode('requests', resource), allocatable(resource, 'node')),
    { header: `${name} limits`, expr: perNode('limits', resource), unit },
    ratioColumn(`${name} limits %`, perNode('limits', resource), allocatable(resource, 'node')),
  ];
  d.withRow(new RowBuilder('Nodes'))
    .withPanel(mergedTable('CPU by node', [['node', 'Node']], nodeTable('cpu', 'CPU', 'short'), nodeLink)
      .description('Per node: allocatable CPU, and the requests and limits of its Pending and Running pods (limits % above 100%: overcommitted).'))
    .withPanel(mergedTable('Memory by node', [['node', 'Node']], nodeTable('memory', 'Memory', 'bytes'), nodeLink))
    .withPanel(mergedTable('Pods by node', [['node', 'Node']], [
      { header: 'Pods allocatable', expr: allocatable('pods', 'node'), unit: 'short' },
      { header: 'Pods', expr: `count by (node) (kube_pod_info{${KSM}, node!=""} and ${ACTIVE_POD})`, unit: 'short' },
      ratioColumn('Pods %', `count by (node) (kube_pod_info{${KSM}, node!=""} and ${ACTIVE_POD})`, allocatable('pods', 'node')),
    ], nodeLink).height(8))
    .withPanel(timeseries('CPU limits overcommit by node', 'percentunit', query(`${perNode('limits', 'cpu')}\n/ ${allocatable('cpu', 'node')}`, '{{node}}')).min(0))
    .withPanel(timeseries('Memory limits overcommit by node', 'percentunit', query(`${perNode('limits', 'memory')}\n/ ${allocatable('memory', 'node')}`, '{{node}}')).min(0));
  return d;
}

export function kubernetesStateDashboards(): DashboardBuilder[] {
  return [workloadsStatusDashboard(), podsStatusDashboard(), jobsDashboard(), capacityDashboard()];
}
