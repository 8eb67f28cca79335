import { rankedAccess } from './ranked-access.js';

type Role = 'viewer' | 'editor' | 'owner';
type Permission = 'read' | 'write' | 'manage';

describe('rankedAccess', () => {
  const lacks = rankedAccess<Role, Permission>(['viewer', 'editor', 'owner'], {
    read: 'viewer',
    write: 'editor',
    manage: 'owner',
  });

  it('grants a permission to its level and every level above it', () => {
    expect(lacks('viewer', 'read')).toBeNull();
    expect(lacks('editor', 'read')).toBeNull();
    expect(lacks('editor', 'write')).toBeNull();
    expect(lacks('owner', 'write')).toBeNull();
    expect(lacks('owner', 'manage')).toBeNull();
  });

  it('names the lowest level a refused permission needs', () => {
    expect(lacks('viewer', 'write')).toBe('editor');
    expect(lacks('viewer', 'manage')).toBe('owner');
    expect(lacks('editor', 'manage')).toBe('owner');
  });

  it('refuses a table whose permissions need a level that is not ranked', () => {
    expect(() =>
      rankedAccess<Role, Permission>(['viewer', 'editor'], {
        read: 'viewer',
        write: 'editor',
        manage: 'owner',
      }),
    ).toThrow('Unknown access level: owner');
  });
});
