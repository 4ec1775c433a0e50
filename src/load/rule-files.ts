// Rule files a stack picks up (`rules.files`): Prometheus rule-file YAML, and TypeScript rule modules.
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { StackError, type StackProblem } from '../core/problems';
import { prepareModuleLoading } from './module-hooks';
import valuesSchema from '../values/stack-values.schema.json';
import type { RuleDefinition, RuleGroupDefinition } from '../rules/types';
import { checkRuleGroups } from '../rules/rule-set';
import type { Severity } from '../core/primitives';

const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

/** The Prometheus rule-file format (the part Prometheus 2.42+ accepts). */
const RULE_FILE_SCHEMA = {
  type: 'object',
  required: ['groups'],
  additionalProperties: false,
  properties: {
    groups: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'rules'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          interval: { type: 'string' },
          limit: { type: 'integer', minimum: 0 },
          partial_response_strategy: { enum: ['warn', 'abort'] },
          rules: {
            type: 'array',
            items: {
              type: 'object',
              required: ['expr'],
              additionalProperties: false,
              oneOf: [{ required: ['alert'] }, { required: ['record'] }],
              properties: {
                alert: { type: 'string', minLength: 1 },
                record: { type: 'string', minLength: 1 },
                expr: { type: ['string', 'number'] },
                for: { type: 'string' },
                labels: stringMap,
                annotations: stringMap,
              },
            },
          },
        },
      },
    },
  },
};

// Compiled on first use: most stacks have no rule files, and compiling costs time at every synth.
let validators: { ruleFile: ValidateFunction; groups: ValidateFunction } | undefined;
function compiledValidators(): { ruleFile: ValidateFunction; groups: ValidateFunction } {
  const ajv = new Ajv({ allErrors: true, strict: false, code: { optimize: false } });
  validators ??= {
    ruleFile: ajv.compile(RULE_FILE_SCHEMA),
    groups: ajv.compile({ definitions: valuesSchema.definitions, $ref: '#/definitions/RuleGroupDefinition' }),
  };
  return validators;
}
const SEVERITIES: Severity[] = ['critical', 'warning', 'info', 'none'];

interface YamlRule {
  alert?: string;
  record?: string;
  expr: string | number;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function pointer(instancePath: string): string {
  return instancePath.slice(1).split('/').reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** A YAML rule as a rule value: severity from its label, summary and description from its annotations. */
function fromYaml(rule: YamlRule, where: string, problems: StackProblem[]): RuleDefinition {
  const expr = String(rule.expr);
  if (rule.record !== undefined) return { record: rule.record, expr, ...(rule.labels ? { labels: rule.labels } : {}) };
  const { severity, ...labels } = rule.labels ?? {};
  const { summary, description, ...annotations } = rule.annotations ?? {};
  if (!SEVERITIES.includes(severity as Severity)) {
    problems.push({ field: where, message: `alert '${rule.alert}' has ${severity ? `severity '${severity}'` : 'no severity label'}`, fix: `add labels: { severity: ${SEVERITIES.join(' | ')} }` });
  }
  if (!summary) problems.push({ field: where, message: `alert '${rule.alert}' has no summary annotation`, fix: 'add annotations: { summary: "..." }' });
  return {
    alert: rule.alert!,
    expr,
    ...(rule.for ? { for: rule.for } : {}),
    severity: severity as Severity,
    summary: summary ?? '',
    description: description ?? summary ?? '',
    ...(Object.keys(labels).length ? { labels } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
}

function readYaml(file: string, field: string): { groups: RuleGroupDefinition[]; problems: StackProblem[] } {
  const where = (at: string) => `${field} (${path.basename(file)}${at ? `: ${at}` : ''})`;
  let content: unknown;
  try {
    content = parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return { groups: [], problems: [{ field: where(''), message: `is not valid YAML: ${(error as Error).message.split('\n')[0]}` }] };
  }
  const validateRuleFile = compiledValidators().ruleFile;
  if (!validateRuleFile(content)) {
    // oneOf reports each branch's missing alert/record; the summary below says it once.
    const problems = (validateRuleFile.errors ?? [])
      .filter((e) => e.keyword !== 'oneOf' && !(e.keyword === 'required' && ['alert', 'record'].includes(String(e.params.missingProperty))))
      .map((e) => ({
        field: where(pointer(e.instancePath)),
        message: e.keyword === 'additionalProperties' ? `unknown field '${String(e.params.additionalProperty)}'` : e.message ?? 'is invalid',
        fix: 'see the Prometheus rule-file format: groups: [{ name, interval?, rules: [{ alert | record, expr, for?, labels?, annotations? }] }]',
      }));
    return { groups: [], problems: problems.length ? problems : [{ field: where(''), message: 'each rule needs exactly one of alert or record' }] };
  }
  const problems: StackProblem[] = [];
  const groups = (content as { groups: Array<{ name: string; interval?: string; partial_response_strategy?: 'warn' | 'abort'; rules: YamlRule[] }> }).groups.map((g, i) => ({
    name: g.name,
    ...(g.interval ? { interval: g.interval } : {}),
    ...(g.partial_response_strategy ? { partialResponseStrategy: g.partial_response_strategy } : {}),
    rules: g.rules.map((r, j) => fromYaml(r, where(`groups[${i}].rules[${j}]`), problems)),
  }));
  problems.push(...checkRuleGroups(groups, (at) => where(`groups${at}`)));
  return { groups, problems };
}

function readModule(file: string, field: string): { groups: RuleGroupDefinition[]; problems: StackProblem[] } {
  prepareModuleLoading(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = (require(file) as { default?: unknown }).default;
  const groups = Array.isArray(exported) ? exported : [exported];
  const validateGroups = compiledValidators().groups;
  const problems: StackProblem[] = groups.flatMap((group, i) =>
    validateGroups(group) ? [] : (validateGroups.errors ?? []).map((e) => ({
      field: `${field} (${path.basename(file)}: default export[${i}]${e.instancePath ? `.${pointer(e.instancePath)}` : ''})`,
      message: e.message ?? 'is invalid',
      fix: 'export default an array of rule groups: [ruleGroup(name, [alertingRule({...}), recordingRule(...)])]',
    })),
  );
  if (!problems.length) problems.push(...checkRuleGroups(groups as RuleGroupDefinition[], (at) => `${field} (${path.basename(file)}: default export${at})`));
  return { groups: groups as RuleGroupDefinition[], problems };
}

/** The files of one `rules.files` entry: the file itself, or a folder's rule files in name order. */
function filesOf(entry: string): string[] {
  if (!fs.statSync(entry).isDirectory()) return [entry];
  return fs.readdirSync(entry).filter((f) => /\.(ya?ml|ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort().map((f) => path.join(entry, f));
}

/** Loads every rule file a stack names; every problem of every file is reported at once. */
export function loadRuleFiles(entries: readonly string[], baseDir: string, stackName: string): RuleGroupDefinition[] {
  const groups: RuleGroupDefinition[] = [];
  const problems: StackProblem[] = [];
  entries.forEach((entry, i) => {
    const field = `rules.files[${i}]`;
    const resolved = path.resolve(baseDir, entry);
    if (!fs.existsSync(resolved)) {
      problems.push({ field, message: `'${entry}' does not exist`, fix: 'give a rule file or folder relative to the stack file' });
      return;
    }
    for (const file of filesOf(resolved)) {
      const loaded = /\.ya?ml$/.test(file) ? readYaml(file, field) : readModule(file, field);
      groups.push(...loaded.groups);
      problems.push(...loaded.problems);
    }
  });
  if (problems.length) throw new StackError(stackName, problems);
  return groups;
}
