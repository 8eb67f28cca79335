/**
 * A lone UTF-16 surrogate (`"\ud800"` in JSON) is a legal JavaScript string
 * but no Unicode text: PostgreSQL's `jsonb` refuses its escape, and `text`
 * columns would store it as U+FFFD, so what is read back differs from what was
 * accepted. Input is refused at the edge instead, naming the field.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The path (`a.b.0`) of the first string, or object key, in `value` that is not
 * well-formed Unicode; `undefined` when all are. Walks plain data only (what
 * JSON and query strings produce).
 */
export function findMalformedText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path || '(value)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findMalformedText(value[i], join(path, String(i)));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, field] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) return join(path, '(key)');
    const found = findMalformedText(field, join(path, key));
    if (found !== undefined) return found;
  }
  return undefined;
}

function join(path: string, part: string): string {
  return path ? `${path}.${part}` : part;
}
