// Build step (npm run build): the values schema compiled to JavaScript once, so that a synth does not spend a third
// of its time compiling it with Ajv. Writes build/src/values/stack-values.validator.js beside validate.js.
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { VALUES_AJV_OPTIONS, VALUES_ID, VALUES_VALIDATOR_FILE } from './validator-options';
import schema from './stack-values.schema.json';

const ajv = new Ajv({ ...VALUES_AJV_OPTIONS, code: { source: true } });
ajv.addSchema(schema, VALUES_ID);
fs.writeFileSync(path.join(__dirname, VALUES_VALIDATOR_FILE), standaloneCode(ajv, ajv.getSchema(VALUES_ID)!));
