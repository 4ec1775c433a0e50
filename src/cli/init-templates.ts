// The files `o11y init` scaffolds a GitOps repo with (package.json is built in init.ts: it may be merged).
import { STACK_COMPILER_OPTIONS } from './typecheck';

export interface ScaffoldParams {
  /** The stack's name: `stacks/<name>.ts`, written to `dist/<name>/`. */
  readonly stackName: string;
}

const tsconfig = `${JSON.stringify(
  {
    // Only type-checks (`npx tsc` or `npx o11y typecheck`): o11y transpiles stack files itself at synth.
    compilerOptions: STACK_COMPILER_OPTIONS,
    include: ['stacks/**/*.ts', 'rules/**/*.ts', 'dashboards/**/*.ts'],
  },
  null,
  2,
)}\n`;

const cdk8sYaml = `# \`npx cdk8s synth\` (cdk8s-cli) runs the same synth as \`npx o11y synth\`: every stacks/*.ts into dist/.
# cdk8s empties its \`output\` folder before each run, so that is a scratch folder (one YAML stream per stack,
# for cdk8s validation plugins); dist/ is written by o11y, which only replaces what it generated.
language: typescript
app: npx o11y synth
output: build/cdk8s.out
`;

const gitignore = `node_modules/
build/
`;

const commonModule = `// Values every cluster's stack shares. Stack files import this module; \`o11y synth\` does not take
// stacks/lib/ for a stack of its own.
import type { StackValues } from 'cdk8s-o11y';

export const shared = {
  common: {
    namespace: 'monitoring',
    labels: { team: 'platform' },
  },
  alertmanager: {
    receivers: [
      { name: 'null', type: 'null' },
      // The webhook URL is a credential: only a reference to the Secret holding it (create it in the cluster).
      { name: 'platform-slack', type: 'slack', apiUrl: { name: 'alertmanager-slack', key: 'webhook-url' }, channel: '#platform-alerts' },
    ],
    route: {
      receiver: 'platform-slack',
      groupBy: ['alertname', 'namespace'],
      // The heartbeat and the inhibitor fire all the time: on purpose, nobody is told.
      routes: [{ receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }],
    },
  },
  rules: {
    runbookBaseUrl: 'https://runbooks.example.com',
    // Every rule file in rules/ (YAML or TypeScript), relative to the stack file.
    files: ['../rules'],
  },
  grafana: {
    // Every dashboard in dashboards/ (JSON exported from Grafana, or TypeScript).
    dashboardFiles: ['../dashboards'],
  },
} satisfies StackValues;
`;

const stackModule = ({ stackName }: ScaffoldParams): string => `// The observability stack of the ${stackName} cluster. \`npx o11y synth\` writes it to dist/${stackName}/: commit dist/,
// reviewers read dist/${stackName}/SUMMARY.md, and Argo CD or Flux apply the manifests.
import { defineStack } from 'cdk8s-o11y';
import { shared } from './lib/common';

export default defineStack({
  ...shared,
  common: { ...shared.common, clusterName: '${stackName}' },
  prometheus: {
    replicas: 2,
    retention: '15d',
    storage: { size: '50Gi' },
  },
  alertmanager: { ...shared.alertmanager, storage: { size: '1Gi' } },
});
`;

const rulesReadme = `# rules/

Rule files the stacks pick up with \`rules.files: ['../rules']\` (stacks/lib/common.ts): every \`.yaml\`, \`.yml\`,
\`.ts\` and \`.js\` file in this folder, in name order.

- Prometheus rule files (\`groups:\` YAML). Each alert needs a \`severity\` label and a \`summary\` annotation. The
  file is checked against the rule-file schema, then analyzed like every other rule (syntax, metric names, labels
  used in templates). Metrics of your own applications go in \`rules.knownMetrics\`.
- TypeScript rule modules that \`export default\` an array of rule groups built with \`ruleGroup\`, \`alertingRule\`
  and \`recordingRule\` from \`cdk8s-o11y\`.

\`npx o11y test\` runs the stacks' rule unit tests (\`rules.tests\`) with promtool.
`;

const dashboardsReadme = `# dashboards/

Dashboards the stacks pick up with \`grafana.dashboardFiles: ['../dashboards']\` (stacks/lib/common.ts): every
\`.json\`, \`.ts\` and \`.js\` file in this folder, in name order.

- JSON exported from Grafana ("Export > Export as JSON"). Each is checked (title, a unique uid, panels, queries) and
  normalized: every Prometheus datasource becomes the \`\${datasource}\` variable, and every query goes through the
  PromQL analyzer.
- TypeScript modules that \`export default\` a grafana-foundation-sdk \`DashboardBuilder\` (or an array of them), best
  built with \`dashboard\`, \`timeseries\`, \`stat\`, \`table\` and \`query\` from \`cdk8s-o11y\`.
`;

const workflow = `# Every pull request: the stack files type-check, the committed dist/ is what they generate, and the rule
# unit tests pass.
name: o11y
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      # \`o11y tools install\` builds promtool at the Prometheus version the stack deploys.
      - uses: actions/setup-go@v5
        with:
          go-version: '1.26'
      - uses: actions/cache@v4
        with:
          path: ~/.cache/cdk8s-o11y/tools
          key: o11y-tools-\${{ hashFiles('package-lock.json') }}
      - run: npm ci
      - run: npx o11y typecheck
      - name: dist/ is up to date (when this fails, run \`npx o11y synth\` and commit dist/)
        run: npx o11y synth --check
      - run: npx o11y tools install promtool
      - run: npx o11y test
`;

/** Every scaffolded file but package.json, by path relative to the repo. */
export function scaffoldFiles(params: ScaffoldParams): Map<string, string> {
  return new Map([
    ['tsconfig.json', tsconfig],
    ['cdk8s.yaml', cdk8sYaml],
    ['.gitignore', gitignore],
    [`stacks/${params.stackName}.ts`, stackModule(params)],
    ['stacks/lib/common.ts', commonModule],
    ['rules/README.md', rulesReadme],
    ['dashboards/README.md', dashboardsReadme],
    ['.github/workflows/o11y.yml', workflow],
  ]);
}

/** The package.json scripts of the scaffold. */
export const SCAFFOLD_SCRIPTS: Readonly<Record<string, string>> = {
  synth: 'o11y synth',
  test: 'o11y test',
  typecheck: 'o11y typecheck',
  check: 'o11y typecheck && o11y synth --check && o11y test',
};
