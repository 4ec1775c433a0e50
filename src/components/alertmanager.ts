import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { alertmanagerConfig, teamConfigSpec } from '../alerting/config';
import { teamConfigName } from '../alerting/operator-routing';
import { secretsOf } from '../alerting/receivers';
import { Alertmanager as AlertmanagerResource, ServiceMonitor } from '../k8s/monitoring';
import { networkPolicy, podDisruptionBudget, service, serviceAccount } from '../k8s/objects';
import { plainResources } from '../k8s/pod';
import { Component, type StackContext } from './component';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { spreadOverNodes, storageSpec } from './prometheus';
import { ALERTMANAGER_METRICS, alertmanagerRules } from '../rules/catalogue/alertmanager';
import { toYaml } from '../core/yaml';

/** The Alertmanager custom resource, its configuration Secret, Service, self-monitoring and policies. */
export class Alertmanager extends Component {
  constructor(scope: Construct, context: StackContext) {
    super(scope, 'alertmanager', context);
    const v = this.values.alertmanager;
    const image = this.values.common.images.alertmanager;
    const name = NAMES.alertmanager;
    const meta = { name, namespace: this.namespace, labels: this.labels('alertmanager', 'alert-router', image) };
    const selector = OPERATOR_POD_SELECTORS.alertmanager;
    const secrets = secretsOf(v.receivers);
    this.declareMetrics(ALERTMANAGER_METRICS);
    this.addRules('alertmanager-main-rules', alertmanagerRules(v.thresholds, context));

    serviceAccount(this, meta, false);
    new k8s.KubeSecret(this, `Secret-${NAMES.alertmanagerConfigSecret}`, {
      metadata: { ...meta, name: NAMES.alertmanagerConfigSecret },
      type: 'Opaque',
      stringData: { 'alertmanager.yaml': toYaml(alertmanagerConfig(v)) },
    });

    new AlertmanagerResource(this, `Alertmanager-${NAMES.alertmanagerCr}`, {
      metadata: { ...meta, name: NAMES.alertmanagerCr },
      spec: {
        image: this.image(image),
        version: image.tag,
        replicas: v.replicas,
        serviceAccountName: name,
        configSecret: NAMES.alertmanagerConfigSecret,
        // Receivers read their credentials from these, mounted under /etc/alertmanager/secrets/<name>/.
        ...(secrets.length ? { secrets } : {}),
        ...(v.teams.length
          ? {
              alertmanagerConfigSelector: { matchLabels: { 'app.kubernetes.io/instance': this.values.name, 'app.kubernetes.io/part-of': 'cdk8s-o11y' } },
              alertmanagerConfigNamespaceSelector: {},
              alertmanagerConfigMatcherStrategy: { type: v.teamMatcherStrategy },
            }
          : {}),
        podMetadata: { labels: meta.labels },
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
        resources: plainResources(v.resources),
        retention: v.retention,
        ...(v.storage ? { storage: storageSpec(v.storage) } : {}),
        ...(v.externalUrl ? { externalUrl: v.externalUrl } : {}),
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        affinity: spreadOverNodes(selector),
      },
    });

    service(this, meta, selector, [{ name: 'web', port: 9093 }, { name: 'reloader-web', port: 8080 }], { sessionAffinity: 'ClientIP' });
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: {
        selector: { matchLabels: this.selectorLabels('alertmanager') },
        endpoints: [{ port: 'web' }, { port: 'reloader-web' }],
      },
    });
    for (const team of v.teams) {
      new ApiObject(this, `AlertmanagerConfig-${team.namespace}`, {
        apiVersion: 'monitoring.coreos.com/v1alpha1',
        kind: 'AlertmanagerConfig',
        metadata: { name: teamConfigName(team), namespace: team.namespace, labels: this.labels('alertmanager', 'alert-routing') },
        spec: teamConfigSpec(team),
      });
    }
    if (v.replicas > 1) podDisruptionBudget(this, meta, selector);
    networkPolicy(this, meta, selector, [
      { fromPods: [OPERATOR_POD_SELECTORS.prometheus, this.selectorLabels(NAMES.grafana)], ports: [{ port: 9093 }] },
      { fromPods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: 8080 }] },
      // Cluster gossip between the replicas.
      { fromPods: [selector], ports: [{ port: 9094 }, { port: 9094, protocol: 'UDP' }] },
    ]);
  }
}
