import { isUuid } from './uuid.js';

describe('isUuid', () => {
  it('accepts the canonical text form, in either case', () => {
    expect(isUuid('0b7e2a4c-9c1f-4b8e-9d3a-2a4d5e6f7a8b')).toBe(true);
    expect(isUuid('0B7E2A4C-9C1F-4B8E-9D3A-2A4D5E6F7A8B')).toBe(true);
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
  });

  it('refuses anything a uuid column would not take as is', () => {
    for (const value of [
      '',
      '42',
      '0b7e2a4c9c1f4b8e9d3a2a4d5e6f7a8b',
      '{0b7e2a4c-9c1f-4b8e-9d3a-2a4d5e6f7a8b}',
      ' 0b7e2a4c-9c1f-4b8e-9d3a-2a4d5e6f7a8b',
      '0b7e2a4c-9c1f-4b8e-9d3a-2a4d5e6f7a8g',
      undefined,
      null,
      42,
    ])
      expect(isUuid(value)).toBe(false);
  });
});
