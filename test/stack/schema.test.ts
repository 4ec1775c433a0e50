import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');

test('the committed stack-values schema is generated from values.ts (run `npm run schema` when this fails)', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-schema-')), 'schema.json');
  const generator = path.join(REPO, 'node_modules', '.bin', 'ts-json-schema-generator');
  const run = spawnSync(generator, ['--path', 'src/values/stack-values.ts', '--type', 'StackValues', '--no-type-check', '--no-top-ref', '--out', out], { cwd: REPO, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(REPO, 'src', 'values', 'stack-values.schema.json'), 'utf8'));
});
