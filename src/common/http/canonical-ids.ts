import type { ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { IS_UUID } from 'class-validator';
import { isUuid } from '../uuid.js';

interface UuidField {
  name: string;
  each: boolean;
}

const fieldsByClass = new WeakMap<object, UuidField[]>();

/**
 * Ids in one spelling from the edge on: a UUID in a path parameter, or in a
 * body or query field validated with `@IsUUID`, is lower-cased (PostgreSQL
 * compares uuids whatever their case, but channel names are strings: an
 * upper-case id would name another channel, e.g. revoke `chat:<UPPER>` while
 * the user's real subscription to `chat:<lower>` lives on). Runs after
 * validation, on both transports (socket commands' data is a `body`).
 */
export function canonicalIds(value: unknown, metadata: ArgumentMetadata): unknown {
  if (metadata.type === 'param') return isUuid(value) ? value.toLowerCase() : value;
  if (metadata.type !== 'body' && metadata.type !== 'query') return value;
  if (typeof value !== 'object' || value === null || !metadata.metatype) return value;
  const record = value as Record<string, unknown>;
  for (const { name, each } of uuidFields(metadata.metatype)) {
    const v = record[name];
    if (each && Array.isArray(v)) record[name] = v.map((x) => (isUuid(x) ? x.toLowerCase() : x));
    else if (isUuid(v)) record[name] = v.toLowerCase();
  }
  return value;
}

/** The properties of a DTO class validated with `@IsUUID` (its parents' included). */
function uuidFields(metatype: object): UuidField[] {
  let fields = fieldsByClass.get(metatype);
  if (fields) return fields;
  const seen = new Map<string, UuidField>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(
    metatype as new () => object,
    '',
    true,
    false,
  ))
    if (m.name === IS_UUID && typeof m.propertyName === 'string')
      seen.set(m.propertyName, { name: m.propertyName, each: m.each === true });
  fields = [...seen.values()];
  fieldsByClass.set(metatype, fields);
  return fields;
}
