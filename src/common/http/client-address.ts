import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * Which peers may tell us a client's address in `X-Forwarded-For`: none
 * (`false`), the nearest `hops` ones, or those in a list of addresses and
 * CIDR ranges (proxy-addr's names `loopback`, `linklocal`, `uniquelocal` too).
 */
export type TrustProxy = false | number | readonly string[];

/** proxy-addr's shape: is the address at `index` (0 = the socket's peer) a trusted proxy? */
export type TrustFn = (address: string, index: number) => boolean;

/** Checks a TRUST_PROXY list (proxy-addr throws on a bad address): the message, or null. */
export function trustListProblem(list: readonly string[]): string | null {
  try {
    proxyaddr.compile([...list]);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export function compileTrust(setting: TrustProxy): TrustFn {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, index) => index < setting;
  return proxyaddr.compile([...setting]);
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy,
 * in which case `X-Forwarded-For` is read from the right, one trusted hop at a
 * time, and the first address not trusted is the client. Entries left of it are
 * whatever the client wrote and are never read, so an untrusted peer cannot
 * choose the address its limits count against. The same walk as Express's
 * `req.ip` under `trust proxy` (which is given the same function), for the
 * requests Express never sees: WebSocket upgrades and SockJS sessions.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: TrustFn,
): string {
  const peer = socketAddress ?? 'unknown';
  if (forwardedFor === undefined || !trust(peer, 0)) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0)
    .reverse();
  let client = peer;
  for (let i = 0; i < hops.length; i++) {
    client = hops[i];
    if (!trust(client, i + 1)) break;
  }
  return client;
}

/** `clientAddress` of a raw request (a WebSocket upgrade, a SockJS transport request). */
export function requestAddress(req: IncomingMessage, trust: TrustFn): string {
  return clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trust);
}

/**
 * The compiled TRUST_PROXY of this process (provided with the configuration),
 * for Express and the raw requests alike.
 */
export class ClientAddresses {
  readonly trust: TrustFn;

  constructor(setting: TrustProxy) {
    this.trust = compileTrust(setting);
  }

  of(req: IncomingMessage): string {
    return requestAddress(req, this.trust);
  }
}
