// Validates JSON against the component schemas of Clerk's OpenAPI specs
// (compat/spec), OpenAPI 3.0 `nullable` included.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import yaml from 'js-yaml';

const here = dirname(fileURLToPath(import.meta.url));

// OpenAPI 3.0 reads `nullable: true` beside `allOf`/`$ref` as "or null";
// JSON Schema would still apply the referenced schema's `type` to null.
// Rewrite those places to an explicit `anyOf` with null.
function nullableComposition(node) {
  if (Array.isArray(node)) return node.map(nullableComposition);
  if (node === null || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, nullableComposition(v)]));
  if (out.nullable === true && (out.allOf || out.$ref || out.oneOf || out.anyOf)) {
    const { nullable, type, ...rest } = out;
    return { anyOf: [{ type: 'null' }, rest] };
  }
  return out;
}

function load(file, id) {
  const doc = yaml.load(readFileSync(join(here, '..', 'spec', file), 'utf8'));
  return { $id: id, components: nullableComposition(doc.components) };
}

// Ajv understands OpenAPI 3.0's `nullable: true` beside `type`.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(load('bapi_2026-05-12.yml', 'bapi'));
ajv.addSchema(load('fapi_2026-05-12.yml', 'fapi'));

/** Errors of `value` against `spec` (bapi|fapi) component `name`, or []. */
export function schemaErrors(spec, name, value) {
  const validate = ajv.getSchema(`${spec}#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${spec}#/components/schemas/${name}`);
  return validate(value) ? [] : validate.errors;
}
