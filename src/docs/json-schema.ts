/** A JSON value, as the documents are written and served. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy with `undefined` members dropped (class instances become plain objects). */
export function toJson(value: unknown): JsonObject {
  const copy: unknown = JSON.parse(JSON.stringify(value));
  if (!isJsonObject(copy)) throw new Error('expected a JSON object');
  return copy;
}

const SCHEMA_REF = '#/components/schemas/';

/** `#/components/schemas/<name>`: the same address in OpenAPI and AsyncAPI documents. */
export function schemaRef(name: string): JsonObject {
  return { $ref: SCHEMA_REF + name };
}

/** The schema name a `$ref` points to, or undefined. */
export function refName(schema: JsonValue | undefined): string | undefined {
  if (!isJsonObject(schema) || typeof schema.$ref !== 'string') return undefined;
  return schema.$ref.startsWith(SCHEMA_REF) ? schema.$ref.slice(SCHEMA_REF.length) : undefined;
}

/** Members whose value is a schema, or a list or map of schemas. */
const ONE = ['items', 'not', 'additionalProperties'];
const LIST = ['allOf', 'oneOf', 'anyOf'];
const MAP = ['properties'];

/**
 * An OpenAPI 3.0 schema (what @nestjs/swagger writes) as a JSON Schema (draft
 * 07, which AsyncAPI schemas are): `nullable: true` becomes a `null` type, and
 * `example` becomes `examples`. Without this a generator reading the AsyncAPI
 * document would type `editedAt` as a string that is never null.
 */
export function toJsonSchema(schema: JsonObject): JsonObject {
  const out: JsonObject = {};
  let nullable = false;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') nullable = value === true;
    else if (key === 'example') out.examples = [value];
    else if (ONE.includes(key) && isJsonObject(value)) out[key] = toJsonSchema(value);
    else if (LIST.includes(key) && Array.isArray(value))
      out[key] = value.map((s) => (isJsonObject(s) ? toJsonSchema(s) : s));
    else if (MAP.includes(key) && isJsonObject(value))
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, s]) => [k, isJsonObject(s) ? toJsonSchema(s) : s]),
      );
    else out[key] = value;
  }
  return nullable ? orNull(out) : out;
}

const COMPOSITION = ['$ref', 'allOf', 'oneOf', 'anyOf'];

function orNull(schema: JsonObject): JsonObject {
  if (!COMPOSITION.some((key) => key in schema)) {
    if (typeof schema.type !== 'string') return schema;
    const withNull: JsonObject = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum)) withNull.enum = [...schema.enum, null];
    return withNull;
  }
  // A class-typed property (`allOf: [{$ref}]`, `type: object` beside it): a null
  // type beside `allOf` would still have to match the class, so it is one of the two.
  const { description, ...inner } = schema;
  const { allOf, type: _type, ...others } = inner;
  const single =
    Array.isArray(allOf) && allOf.length === 1 && Object.keys(others).length === 0
      ? allOf[0]
      : undefined;
  return {
    ...(description !== undefined ? { description } : {}),
    oneOf: [single ?? inner, { type: 'null' }],
  };
}

/** Every schema name reachable from `roots` through `$ref`s, in `schemas`. */
export function reachableSchemas(roots: readonly JsonValue[], schemas: JsonObject): string[] {
  const seen = new Set<string>();
  const visit = (value: JsonValue): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (!isJsonObject(value)) return;
    const name = refName(value);
    if (name !== undefined && !seen.has(name)) {
      seen.add(name);
      const target = schemas[name];
      if (target === undefined) throw new Error(`schema ${name} is referenced but not defined`);
      visit(target);
    }
    Object.values(value).forEach(visit);
  };
  roots.forEach(visit);
  return [...seen].sort();
}
