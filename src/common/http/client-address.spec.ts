import { clientAddress, compileTrust } from './client-address.js';

describe('clientAddress (TRUST_PROXY)', () => {
  it('trusts no proxy by default: the socket peer, whatever X-Forwarded-For says', () => {
    const trust = compileTrust(false);
    expect(clientAddress('10.0.0.5', '1.2.3.4', trust)).toBe('10.0.0.5');
    expect(clientAddress(undefined, undefined, trust)).toBe('unknown');
  });

  it('with a hop count, takes the address the nearest trusted hops saw', () => {
    expect(clientAddress('10.0.0.5', '6.6.6.6, 1.2.3.4', compileTrust(1))).toBe('1.2.3.4');
    expect(clientAddress('10.0.0.5', '6.6.6.6, 1.2.3.4, 10.0.0.9', compileTrust(2))).toBe(
      '1.2.3.4',
    );
    // Fewer entries than hops: the leftmost there is.
    expect(clientAddress('10.0.0.5', '1.2.3.4', compileTrust(5))).toBe('1.2.3.4');
    expect(clientAddress('10.0.0.5', undefined, compileTrust(1))).toBe('10.0.0.5');
  });

  it('with a list, reads X-Forwarded-For only from a listed peer, and stops at the first unlisted hop', () => {
    const trust = compileTrust(['10.0.0.0/8', 'loopback']);
    // An untrusted peer spoofing the header counts as itself.
    expect(clientAddress('203.0.113.9', '1.2.3.4', trust)).toBe('203.0.113.9');
    expect(clientAddress('10.1.2.3', '1.2.3.4', trust)).toBe('1.2.3.4');
    // The client prepended a fake entry; the proxy appended the real one: the real one wins.
    expect(clientAddress('10.1.2.3', '9.9.9.9, 198.51.100.4', trust)).toBe('198.51.100.4');
    expect(clientAddress('::ffff:127.0.0.1', '198.51.100.4, 10.0.0.2', trust)).toBe('198.51.100.4');
    expect(clientAddress('10.1.2.3', ['5.5.5.5', '198.51.100.4'], trust)).toBe('198.51.100.4');
  });
});
