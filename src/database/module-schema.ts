import type { MigrationInterface } from 'typeorm';

/** An entity class (TypeORM reads its decorators). */
export type EntityClass = abstract new (...args: never[]) => object;
/** A migration class: TypeORM records its name, which ends with a 13-digit timestamp. */
export type MigrationClass = new () => MigrationInterface;

/**
 * What a module owns in the database, declared in its `<module>.schema.ts` next
 * to its entities and `migrations/` folder, and listed once in
 * `src/module-schemas.ts`: adding a module touches no file under `database/`.
 */
export interface ModuleSchema {
  readonly entities: readonly EntityClass[];
  readonly migrations: readonly MigrationClass[];
}

const TIMESTAMP = /(\d{13})$/;

/**
 * Every entity and every migration of `schemas`, the migrations in the order
 * they apply: by the timestamp ending their name, whichever module they
 * come from (a module may depend on another's tables). Throws on a migration
 * without a timestamp or a timestamp used twice, which would make the order
 * ambiguous (TypeORM orders by it too).
 */
export function combineSchemas(schemas: readonly ModuleSchema[]): {
  entities: EntityClass[];
  migrations: MigrationClass[];
} {
  const entities = [...new Set(schemas.flatMap((s) => s.entities))];
  const stamped = schemas
    .flatMap((s) => s.migrations)
    .map((migration) => {
      // The name TypeORM records and orders by: the instance's `name`, else the class name.
      const name = new migration().name ?? migration.name;
      const found = TIMESTAMP.exec(name);
      if (!found) throw new Error(`migration ${name}: its name must end with a timestamp`);
      return { migration, name, timestamp: Number(found[1]) };
    })
    .sort((a, b) => a.timestamp - b.timestamp);
  for (let i = 1; i < stamped.length; i++) {
    if (stamped[i]!.timestamp === stamped[i - 1]!.timestamp) {
      throw new Error(
        `migrations ${stamped[i - 1]!.name} and ${stamped[i]!.name} share a timestamp`,
      );
    }
  }
  return { entities, migrations: stamped.map((s) => s.migration) };
}
