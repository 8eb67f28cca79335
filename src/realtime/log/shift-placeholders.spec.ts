import { shiftPlaceholders } from './channel-log.service.js';

describe('shiftPlaceholders', () => {
  it("renumbers a statement's placeholders to follow other parameters, every use of each", () => {
    expect(shiftPlaceholders('INSERT INTO t (a, b, c) VALUES ($1, $2, $1 || $10)', 3)).toBe(
      'INSERT INTO t (a, b, c) VALUES ($4, $5, $4 || $13)',
    );
    expect(shiftPlaceholders('SELECT 1', 3)).toBe('SELECT 1');
  });
});
