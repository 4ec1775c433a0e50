import type { Construct } from 'constructs';
import { USER_RULES } from '../rules/rule-set';
import type { RuleGroupDefinition } from '../rules/types';
import { Component, type ComponentProps } from './component';

export interface UserRulesProps extends ComponentProps {
  /**
   * The user's rule groups; more can be added with the rule set's `addGroup`.
   * @default []
   */
  readonly groups?: readonly RuleGroupDefinition[];
}

/**
 * The user's own rule groups: from the stack's `rules.groups`, the files in `rules.files`, and `rules.addGroup()`,
 * in one PrometheusRule. Its id must be `USER_RULES.component` (`rules`), where `addGroup` puts groups.
 */
export class UserRules extends Component {
  constructor(scope: Construct, id: string, props: UserRulesProps) {
    super(scope, id, props);
    this.addRules(USER_RULES.objectName, (props.groups ?? []).map((g) => ({ runbookArea: 'custom', ...g })));
  }
}
