import type { Construct } from 'constructs';
import type { RuleGroupDefinition } from '../rules/types';
import { Component, type StackContext } from './component';

/** The user's own rule groups: from the stack's `rules.groups` and from the files in `rules.files`. */
export class UserRules extends Component {
  constructor(scope: Construct, context: StackContext, groups: RuleGroupDefinition[]) {
    super(scope, 'rules', context);
    this.addRules('custom-rules', groups.map((g) => ({ runbookArea: 'custom', ...g })));
  }
}
