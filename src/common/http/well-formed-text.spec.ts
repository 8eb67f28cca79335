import { findMalformedText } from './well-formed-text.js';

describe('findMalformedText', () => {
  it('passes well-formed text, pairs (emoji) included, and what is not text', () => {
    expect(findMalformedText('plain')).toBeUndefined();
    expect(findMalformedText('smile \ud83d\ude00')).toBeUndefined();
    expect(findMalformedText({ a: [1, null, true, { b: 'ok' }], c: 2.5 })).toBeUndefined();
    expect(findMalformedText(null)).toBeUndefined();
  });

  it('names a lone high or low half, wherever it sits', () => {
    expect(findMalformedText('\ud800')).toBe('(value)');
    expect(findMalformedText('\ud800', 'id')).toBe('id');
    expect(findMalformedText({ title: 'x\udfff' })).toBe('title');
    expect(findMalformedText({ a: { b: ['ok', 'end \ud83d'] } })).toBe('a.b.1');
    expect(findMalformedText({ a: { '\udc00': 1 } })).toBe('a.(key)');
  });

  it('reports the first field found, in the order the client sent them', () => {
    expect(findMalformedText({ first: '\ud800', second: '\udc00' })).toBe('first');
  });
});
