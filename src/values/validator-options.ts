// How the values schema is compiled: at build time (compile-validator.ts) and, when running from source, at runtime.
import type { Options } from 'ajv';

/** The id the values schema is registered under, so that a union's branches can be validated on their own. */
export const VALUES_ID = 'stack-values';
/** `verbose`: errors carry the value and the schema, which the union collapsing and the messages read. */
export const VALUES_AJV_OPTIONS: Options = { allErrors: true, strict: false, verbose: true };
export const VALUES_VALIDATOR_FILE = 'stack-values.validator.js';
