import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One naming convention for what crosses the API (README, "Adding a module"):
 * requests end in `Body` (a REST body, or a command whose data is that same
 * shape), `Command` (socket command data) or `Query` (a query string);
 * responses in `View` (an entity or event data) or `Page` (one page of a list);
 * the pieces they are built from in `Field` or `Fields`. A client reading the
 * Swagger schemas, or a developer reading a handler, knows a class's role
 * from its name.
 */
const ROLE = /(Body|Command|Query|View|Page|Fields?)$/;

/** A response or request shape declared as an interface or a type is a copy of its class. */
const SHAPE_NAME = /(Body|Command|Query|View|Page)$/;

const SRC = path.resolve(process.cwd(), 'src');
/** The kernel's frames are the protocol's own (docs/protocol.md), and its "commands" are frame types, not DTOs. */
const KERNEL = path.join(SRC, 'realtime');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles(SRC);
const dtoFiles = files.filter((f) => f.endsWith('.dto.ts'));
const relative = (f: string): string => path.relative(SRC, f);

/**
 * Each class of a file, with its body. The files are Prettier-formatted: a
 * class is `class X … {}` on one line, or ends at the first `}` of a line alone.
 */
function classes(file: string): { name: string; body: string }[] {
  const text = readFileSync(file, 'utf8');
  const declaration = /^(?:export )?(?:abstract )?class (\w+)[^\n]*(?:\{\}$|\{\n[\s\S]*?\n\}$)/gm;
  return [...text.matchAll(declaration)].map((m) => ({
    name: m[1],
    body: m[0],
  }));
}

describe('DTO naming', () => {
  it('finds the dto files of every module', () => {
    const folders = new Set(dtoFiles.map((f) => relative(f).split(path.sep)[0]));
    const modules = ['auth', 'chat', 'notifications', 'boards', 'calendar', 'presence'];
    for (const folder of [...modules, 'announcements', 'common', 'realtime'])
      expect(folders).toContain(folder);
  });

  it.each(dtoFiles.map(relative))('%s names each class by its role', (file) => {
    const found = classes(path.join(SRC, file));
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((c) => c.name).filter((name) => !ROLE.test(name))).toEqual([]);
  });

  it("a module's page is {items, nextCursor}, and a list with a cursor is a page", () => {
    const wrong = dtoFiles
      .filter((f) => !f.startsWith(KERNEL + path.sep))
      .flatMap((f) =>
        classes(f)
          .filter((c) => {
            const paged = /^\s+.*\bitems[?]?:/m.test(c.body) && /\bnextCursor[?]?:/.test(c.body);
            return c.name.endsWith('Page') !== paged;
          })
          .map((c) => `${relative(f)}: ${c.name}`),
      );
    expect(wrong).toEqual([]);
  });

  it('no interface or type alias copies a DTO class outside the kernel', () => {
    const copies = files
      .filter((f) => !f.startsWith(KERNEL + path.sep) && !f.endsWith('.spec.ts'))
      .flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/^(?:export )?(?:interface|type) (\w+)/gm)]
          .map((m) => m[1])
          .filter((name) => SHAPE_NAME.test(name))
          .map((name) => `${relative(f)}: ${name}`),
      );
    expect(copies).toEqual([]);
  });
});
