/**
 * Fractional indexing with string keys (after David Greenspan's "Implementing
 * Fractional Indexing" and rocicorp/fractional-indexing): a key sorts between
 * any two others, so moving a card or column writes one row. Keys compare as
 * plain bytes: the database column uses COLLATE "C", JavaScript `<` agrees.
 *
 * A key is an integer part (a head letter giving its length, then base-62
 * digits) and an optional fraction without trailing zeros. Appending at either
 * end mostly increments the integer part, so keys grow logarithmically.
 */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ZERO = DIGITS[0];
const SMALLEST_INTEGER = 'A' + ZERO.repeat(26);

export class PositionKeyError extends Error {}

/** A key strictly between `a` and `b` (null: open end). */
export function keyBetween(a: string | null, b: string | null): string {
  if (a !== null) validateKey(a);
  if (b !== null) validateKey(b);
  if (a !== null && b !== null && a >= b) throw new PositionKeyError(`${a} >= ${b}`);
  if (a === null) {
    if (b === null) return 'a' + ZERO;
    const ib = integerPart(b);
    const fb = b.slice(ib.length);
    if (ib === SMALLEST_INTEGER) return ib + midpoint('', fb);
    if (ib < b) return ib;
    const dec = decrementInteger(ib);
    if (dec === null) throw new PositionKeyError('cannot decrement any more');
    return dec;
  }
  if (b === null) {
    const ia = integerPart(a);
    const fa = a.slice(ia.length);
    const inc = incrementInteger(ia);
    return inc === null ? ia + midpoint(fa, null) : inc;
  }
  const ia = integerPart(a);
  const fa = a.slice(ia.length);
  const ib = integerPart(b);
  const fb = b.slice(ib.length);
  if (ia === ib) return ia + midpoint(fa, fb);
  const inc = incrementInteger(ia);
  if (inc === null) throw new PositionKeyError('cannot increment any more');
  if (inc < b) return inc;
  return ia + midpoint(fa, null);
}

/** A fraction strictly between fractions `a` and `b` (null: 1). */
function midpoint(a: string, b: string | null): string {
  if (b !== null && a >= b) throw new PositionKeyError(`${a} >= ${b}`);
  if (a.slice(-1) === ZERO || (b !== null && b.slice(-1) === ZERO))
    throw new PositionKeyError('trailing zero');
  if (b !== null) {
    // The common prefix stays; find the midpoint of what follows.
    let n = 0;
    while ((a[n] ?? ZERO) === b[n]) n += 1;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const digitA = a ? DIGITS.indexOf(a[0]) : 0;
  const digitB = b !== null ? DIGITS.indexOf(b[0]) : DIGITS.length;
  if (digitB - digitA > 1) return DIGITS[Math.round(0.5 * (digitA + digitB))];
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return DIGITS[digitA] + midpoint(a.slice(1), null);
}

function integerLength(head: string): number {
  if (head >= 'a' && head <= 'z') return head.charCodeAt(0) - 'a'.charCodeAt(0) + 2;
  if (head >= 'A' && head <= 'Z') return 'Z'.charCodeAt(0) - head.charCodeAt(0) + 2;
  throw new PositionKeyError(`invalid key head: ${head}`);
}

function integerPart(key: string): string {
  const len = integerLength(key[0] ?? '');
  if (len > key.length) throw new PositionKeyError(`invalid key: ${key}`);
  return key.slice(0, len);
}

export function validateKey(key: string): void {
  if (key === SMALLEST_INTEGER) throw new PositionKeyError(`invalid key: ${key}`);
  const i = integerPart(key);
  for (const ch of key.slice(1))
    if (!DIGITS.includes(ch)) throw new PositionKeyError(`invalid key: ${key}`);
  if (key.length > i.length && key.slice(-1) === ZERO)
    throw new PositionKeyError(`invalid key: ${key}`);
}

function incrementInteger(x: string): string | null {
  const head = x[0];
  const digs = x.slice(1).split('');
  let carry = true;
  for (let i = digs.length - 1; carry && i >= 0; i -= 1) {
    const d = DIGITS.indexOf(digs[i]) + 1;
    if (d === DIGITS.length) digs[i] = ZERO;
    else {
      digs[i] = DIGITS[d];
      carry = false;
    }
  }
  if (!carry) return head + digs.join('');
  if (head === 'Z') return 'a' + ZERO;
  if (head === 'z') return null;
  const h = String.fromCharCode(head.charCodeAt(0) + 1);
  if (h > 'a') digs.push(ZERO);
  else digs.pop();
  return h + digs.join('');
}

function decrementInteger(x: string): string | null {
  const head = x[0];
  const digs = x.slice(1).split('');
  let borrow = true;
  for (let i = digs.length - 1; borrow && i >= 0; i -= 1) {
    const d = DIGITS.indexOf(digs[i]) - 1;
    if (d === -1) digs[i] = DIGITS[DIGITS.length - 1];
    else {
      digs[i] = DIGITS[d];
      borrow = false;
    }
  }
  if (!borrow) return head + digs.join('');
  if (head === 'a') return 'Z' + DIGITS[DIGITS.length - 1];
  if (head === 'A') return null;
  const h = String.fromCharCode(head.charCodeAt(0) - 1);
  if (h < 'Z') digs.push(DIGITS[DIGITS.length - 1]);
  else digs.pop();
  return h + digs.join('');
}
