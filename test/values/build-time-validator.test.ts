// The values validator compiled at build time (what `o11y synth` runs) reports exactly what the schema compiled from
// source reports (what jest runs), so the tests of the messages hold for the CLI too.
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { type ValidateFunction } from 'ajv';
import schema from '../../src/values/stack-values.schema.json';
import { VALUES_AJV_OPTIONS, VALUES_ID, VALUES_VALIDATOR_FILE } from '../../src/values/validator-options';

const BUILT = path.resolve(__dirname, '../../build/src/values', VALUES_VALIDATOR_FILE);

const CASES: Record<string, unknown> = {
  'valid, empty': {},
  'a misspelt option': { prometheus: { replics: 2 } },
  'a receiver of an unknown type': { alertmanager: { receivers: [{ name: 'x', type: 'slak', channel: '#a' }] } },
  'a nested union': { chaos: { schedules: [{ name: 'l', schedule: '0 4 * * 2', selector: { namespaces: ['shop'] }, mode: { mode: 'one' }, duration: '5m', experiment: { kind: 'NetworkChaos', action: 'delay', latency: 200 } }] } },
  'a wrong type deep down': { applications: [{ name: 'a', namespace: 'b', selector: { app: 'a' }, port: 9 }] },
};

test('the build made the validator, from the schema committed now', () => {
  expect(fs.existsSync(BUILT)).toBe(true);
  // A schema changed after the last build would make the CLI check against the old one.
  expect(fs.statSync(BUILT).mtimeMs).toBeGreaterThanOrEqual(fs.statSync(path.resolve(__dirname, '../../src/values/stack-values.schema.json')).mtimeMs);
});

test.each(Object.keys(CASES))('%s: the same verdict and the same errors', (name) => {
  const built = require(BUILT) as ValidateFunction; // eslint-disable-line @typescript-eslint/no-require-imports
  const ajv = new Ajv(VALUES_AJV_OPTIONS);
  ajv.addSchema(schema, VALUES_ID);
  const fromSource = ajv.getSchema(VALUES_ID)!;
  const strip = (errors: ValidateFunction['errors']) => (errors ?? []).map(({ instancePath, keyword, params, message, data }) => ({ instancePath, keyword, params, message, data }));
  expect(built(CASES[name])).toBe(fromSource(CASES[name]));
  expect(strip(built.errors)).toEqual(strip(fromSource.errors));
  if (name !== 'valid, empty') expect(built.errors?.length).toBeGreaterThan(0);
});
