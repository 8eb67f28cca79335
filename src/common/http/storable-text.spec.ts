import { findUnstorableText } from './storable-text.js';

describe('findUnstorableText', () => {
  it('passes well-formed text, pairs (emoji) included, and what is not text', () => {
    expect(findUnstorableText('plain')).toBeUndefined();
    expect(findUnstorableText('smile \ud83d\ude00')).toBeUndefined();
    expect(findUnstorableText({ a: [1, null, true, { b: 'ok' }], c: 2.5 })).toBeUndefined();
    expect(findUnstorableText(null)).toBeUndefined();
  });

  it('names a lone high or low half, or a NUL, wherever it sits', () => {
    expect(findUnstorableText('\ud800')).toBe('(value)');
    expect(findUnstorableText('\ud800', 'id')).toBe('id');
    expect(findUnstorableText({ title: 'x\udfff' })).toBe('title');
    expect(findUnstorableText({ title: 'bad \u0000 byte' })).toBe('title');
    expect(findUnstorableText({ a: { b: ['ok', 'end \ud83d'] } })).toBe('a.b.1');
    expect(findUnstorableText({ a: { '\udc00': 1 } })).toBe('a.(key)');
    expect(findUnstorableText({ a: { 'k\u0000': 1 } })).toBe('a.(key)');
  });

  it('reports the first field found, in the order the client sent them', () => {
    expect(findUnstorableText({ first: '\ud800', second: '\u0000' })).toBe('first');
  });
});
