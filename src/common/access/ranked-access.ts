/**
 * Says what a level lacks for a permission: `null` when the level grants it,
 * else the lowest level that would. Feature modules keep their own names
 * (board roles, calendar access) and share only the comparison.
 *
 * `levels` go from the least to the most powerful; `needs` maps each
 * permission to the lowest level that grants it.
 */
export function rankedAccess<Level extends string, Permission extends string>(
  levels: readonly Level[],
  needs: Readonly<Record<Permission, Level>>,
): (level: Level, permission: Permission) => Level | null {
  const rank = new Map(levels.map((level, i) => [level, i]));
  const rankOf = (level: Level): number => {
    const r = rank.get(level);
    if (r === undefined) throw new Error(`Unknown access level: ${level}`);
    return r;
  };
  for (const level of Object.values<Level>(needs)) rankOf(level);
  return (level, permission) => {
    const needed = needs[permission];
    return rankOf(level) < rankOf(needed) ? needed : null;
  };
}
