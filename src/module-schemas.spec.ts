import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationInterface } from 'typeorm';
import { combineSchemas, type ModuleSchema } from './database/module-schema.js';
import { MODULE_SCHEMAS } from './module-schemas.js';

const SRC = path.dirname(fileURLToPath(import.meta.url));

/** A migration class named `name` (TypeORM and combineSchemas read the class name). */
function migration(name: string): new () => MigrationInterface {
  const cls = class implements MigrationInterface {
    async up(): Promise<void> {}
    async down(): Promise<void> {}
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

/** Folders of src/ that hold a `<folder>.schema.ts`. */
function schemaFolders(): string[] {
  return readdirSync(SRC, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .filter((dir) => readdirSync(path.join(SRC, dir)).includes(`${dir}.schema.ts`));
}

describe('combineSchemas', () => {
  it('orders migrations by the timestamp ending their name, across modules', () => {
    const b2 = migration('B1700000000200');
    const a1 = migration('A1700000000100');
    const c3 = migration('C1700000000300');
    const { migrations } = combineSchemas([
      { entities: [], migrations: [c3] },
      { entities: [], migrations: [b2, a1] },
    ]);
    expect(migrations).toEqual([a1, b2, c3]);
  });

  it('refuses a migration without a timestamp, and two with the same one', () => {
    expect(() => combineSchemas([{ entities: [], migrations: [migration('Nameless')] }])).toThrow(
      /Nameless.*timestamp/,
    );
    const twice: ModuleSchema[] = [
      { entities: [], migrations: [migration('A1700000000100')] },
      { entities: [], migrations: [migration('B1700000000100')] },
    ];
    expect(() => combineSchemas(twice)).toThrow(/A1700000000100 and B1700000000100/);
  });
});

describe('MODULE_SCHEMAS', () => {
  it('lists the schema of every folder that has one, and each once', async () => {
    const folders = schemaFolders();
    expect(folders).toEqual(
      expect.arrayContaining(['auth', 'realtime', 'chat', 'notifications', 'boards']),
    );
    const declared: ModuleSchema[] = [];
    for (const dir of folders) {
      const exported = (await import(`./${dir}/${dir}.schema.js`)) as Record<string, ModuleSchema>;
      declared.push(...Object.values(exported));
    }
    expect(new Set(MODULE_SCHEMAS)).toEqual(new Set(declared));
    expect(MODULE_SCHEMAS).toHaveLength(declared.length);
  });

  it('registers every migration file of every module folder', () => {
    const files = schemaFolders().flatMap((dir) => {
      const migrations = path.join(SRC, dir, 'migrations');
      if (!existsSync(migrations)) return [];
      return readdirSync(migrations).filter((f) => /^\d{13}-.+\.ts$/.test(f));
    });
    const timestamps = combineSchemas(MODULE_SCHEMAS).migrations.map(
      (m) => /(\d{13})$/.exec(m.name)?.[1],
    );
    expect(timestamps).toEqual(files.map((f) => f.slice(0, 13)).sort());
  });
});
