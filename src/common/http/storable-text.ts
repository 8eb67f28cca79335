/**
 * Text PostgreSQL cannot keep as it was sent: NUL (`text` refuses the byte,
 * `jsonb` the `\u0000` escape) and a lone UTF-16 surrogate (`"\ud800"` in JSON,
 * a legal JavaScript string but no Unicode: `jsonb` refuses its escape, and a
 * `text` column would store U+FFFD, so what is read back would differ from what
 * was accepted). Input carrying either is refused at the edge, naming the field,
 * rather than failing a write halfway.
 */
const LONE_SURROGATE = /\p{Cs}/u;

function isUnstorable(text: string): boolean {
  return text.includes('\u0000') || LONE_SURROGATE.test(text);
}

export const UNSTORABLE_TEXT_PROBLEM =
  'must be well-formed Unicode text, without NUL (\\u0000) or a lone surrogate';

/**
 * The path (`a.b.0`) of the first string, or object key, in `value` that holds
 * unstorable text; `undefined` when none does. Walks plain data only (what JSON
 * and query strings produce).
 */
export function findUnstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isUnstorable(value) ? path || '(value)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], join(path, String(i)));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, field] of Object.entries(value)) {
    if (isUnstorable(key)) return join(path, '(key)');
    const found = findUnstorableText(field, join(path, key));
    if (found !== undefined) return found;
  }
  return undefined;
}

function join(path: string, part: string): string {
  return path ? `${path}.${part}` : part;
}
