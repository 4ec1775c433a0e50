import type { KubernetesObject } from '../core/primitives';
import type { DashboardJson } from '../dashboards/model';
import type { RuleGroupDefinition } from '../rules/types';

/**
 * What a stack's values name on disk (`rules.files`, `grafana.dashboardFiles`, `crds.paths`), read by load/ before
 * any construct is built: constructors never touch the disk, and a plain cdk8s app passes what it loaded itself.
 */
export interface ReferencedFiles {
  /** The rule groups of `rules.files`, in the order named. */
  readonly ruleGroups: readonly RuleGroupDefinition[];
  /** The dashboards of `grafana.dashboardFiles`, normalized. */
  readonly dashboards: readonly DashboardJson[];
  /** The CustomResourceDefinitions of `crds.paths`. */
  readonly crds: readonly KubernetesObject[];
}

export const NO_REFERENCED_FILES: ReferencedFiles = { ruleGroups: [], dashboards: [], crds: [] };
