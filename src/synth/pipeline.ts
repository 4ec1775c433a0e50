// The pipeline of one stack, one direction: load the files the values name -> values checked -> construct tree ->
// customize hook -> finalize (rules, dashboards, extra objects, patches) -> model of the final objects -> analyzers.
// Errors stop it before anything is written.
import * as path from 'path';
import { App } from 'cdk8s';
import { analyzeModel, type AnalysisOptions, type StackAnalysis } from '../analyze/model';
import type { Diagnostic } from '../core/diagnostic';
import { StackError } from '../core/problems';
import { loadReferencedFiles } from '../load/referenced-files';
import { buildModel } from '../model/build';
import type { ModelObject, StackModel } from '../model/stack-model';
import type { Dashboard } from '../dashboards/model';
import type { StackDefinition } from '../stack/definition';
import { ObservabilityStack } from '../stack/observability-stack';

export type RenderOptions = AnalysisOptions;
export type { Manifest, ModelObject as RenderedObject } from '../model/stack-model';

export interface RenderInput {
  readonly definition: StackDefinition;
  readonly name: string;
  /** The stack file relative to the project root, as headers name it. */
  readonly source: string;
  /** Folder of the stack file: relative paths in the values start here. @default the current directory */
  readonly baseDir?: string;
}

/** A stack that passed every check: its model and what the analyzers said. */
export interface RenderedStack {
  readonly name: string;
  readonly source: string;
  readonly model: StackModel;
  readonly objects: readonly ModelObject[];
  readonly dashboards: readonly Dashboard[];
  /** What the analyzers found that does not stop the synth. */
  readonly warnings: Diagnostic[];
  /** Markdown sections the analyzers wrote for the reviewer. */
  readonly reports: string[];
}

/** Where in the stack file user code threw (`stacks/x.ts:12:5`), from the error's stack trace. */
function userFrame(error: unknown, input: RenderInput): string | undefined {
  const file = path.join(input.baseDir ?? process.cwd(), path.basename(input.source));
  const stack = error instanceof Error ? error.stack ?? '' : '';
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  return frame ? `${input.source}:${frame[1]}:${frame[2]}` : undefined;
}

/**
 * Runs code that calls into the stack file. What it throws is the user's error, named by file and line, when the
 * stack file is on the way (`always`: whatever the customize hook throws); anything else is ours and goes on.
 */
function runUserCode<T>(input: RenderInput, what: string, always: boolean, code: () => T): T {
  try {
    return code();
  } catch (error) {
    const where = userFrame(error, input);
    if (error instanceof StackError || (!where && !always)) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new StackError(input.definition.values.name ?? input.name, [{
      field: where ?? input.source,
      message: `${what} threw: ${message}`,
      fix: 'fix the stack file\'s code there (run `npm run typecheck` for type errors)',
    }]);
  }
}

/** The construct tree of a stack, its customize hook applied. */
export function buildStack(input: RenderInput, app: App = new App({ outdir: 'unused' })): ObservabilityStack {
  const values = input.definition.values;
  const files = loadReferencedFiles(values, input.baseDir ?? process.cwd(), values.name ?? input.name);
  const stack = new ObservabilityStack(app, input.name, values, { files });
  const customize = input.definition.customize;
  if (customize) runUserCode(input, 'customize', true, () => customize(stack));
  return stack;
}

/** The model of a built stack, with the construct tree's own validations (user constructs may add some). */
export function modelOf(stack: ObservabilityStack, input: RenderInput): StackModel {
  stack._analyzedByPipeline();
  const model = runUserCode(input, 'code of the stack file run while finalizing (a Lazy value?)', false, () => buildModel(stack, input.source));
  const errors = stack.node.findAll().filter((c) => c !== stack).flatMap((c) => c.node.validate().map((message) => `${c.node.path}: ${message}`));
  if (errors.length) throw new StackError(model.name, errors.map((message) => ({ field: 'construct tree', message })));
  return model;
}

/** Errors of an analysis as a StackError, or nothing. */
export function throwOnErrors(name: string, analysis: StackAnalysis): void {
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new StackError(name, errors.map((d) => ({ field: d.where, message: d.message, fix: d.fix })));
}

/** Builds, models and analyzes a stack. Throws a StackError on any error. */
export function renderStack(input: RenderInput, options: RenderOptions = {}): RenderedStack {
  const model = modelOf(buildStack(input), input);
  const analysis = analyzeModel(model, options);
  throwOnErrors(model.name, analysis);
  return { name: model.name, source: input.source, model, objects: model.objects, dashboards: model.dashboards, warnings: analysis.diagnostics, reports: analysis.reports };
}

/**
 * The check a plain cdk8s app gets at `app.synth()`: the same model and analyzers as `o11y synth` (warnings are
 * printed to stderr, errors fail the synth).
 */
export function appSynthCheck(stack: ObservabilityStack): string[] {
  try {
    const model = buildModel(stack, `${stack.values.name} (cdk8s app)`);
    const diagnostics = analyzeModel(model).diagnostics;
    for (const w of diagnostics.filter((d) => d.severity === 'warning')) console.error(`warning: stack ${model.name}: ${w.where}: ${w.message}`);
    return diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.where}: ${d.message}${d.fix ? ` (fix: ${d.fix})` : ''}`);
  } catch (error) {
    if (error instanceof StackError) return error.problems.map((p) => `${p.field}: ${p.message}${p.fix ? ` (fix: ${p.fix})` : ''}`);
    throw error;
  }
}
