import { PrometheusRule } from '../k8s/monitoring';
import { renderGroups } from '../rules/render';
import type { RuleSet } from '../rules/rule-set';
import type { Component } from '../components/component';
import type { ResolvedValues } from '../values/defaults';

/**
 * Turns the stack's rules into PrometheusRule objects, one per rule source, in the component that owns it.
 * Runs at synth time, after the stack file's customize() step, so disables and overrides made there count.
 */
export function addRuleObjects(components: readonly Component[], rules: RuleSet, values: ResolvedValues): void {
  for (const source of rules.effective()) {
    const owner = components.find((c) => c.componentName === source.component);
    if (!owner || owner.node.tryFindChild(`PrometheusRule-${source.objectName}`)) continue;
    new PrometheusRule(owner, `PrometheusRule-${source.objectName}`, {
      metadata: {
        name: source.objectName,
        namespace: values.common.namespace,
        labels: {
          'app.kubernetes.io/name': source.objectName,
          'app.kubernetes.io/instance': values.name,
          'app.kubernetes.io/component': 'alert-rules',
          'app.kubernetes.io/part-of': 'cdk8s-o11y',
          'app.kubernetes.io/managed-by': 'cdk8s-o11y',
          ...values.common.ruleLabels,
        },
      },
      spec: renderGroups(source.groups, values.rules.runbookBaseUrl),
    });
  }
}
