/**
 * STOMP frame model shared by the parser and the writer (STOMP 1.0, 1.1 and 1.2).
 * Pure: no I/O, no dependency beyond Node's Buffer.
 */

export type StompVersion = '1.0' | '1.1' | '1.2';

/** Highest first, so negotiation can take the first match. */
export const STOMP_VERSIONS: readonly StompVersion[] = ['1.2', '1.1', '1.0'];

/** One header line, name then value, already unescaped. */
export type StompHeader = [name: string, value: string];

export const CLIENT_COMMANDS = [
  'CONNECT',
  'STOMP',
  'SEND',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'ACK',
  'NACK',
  'BEGIN',
  'COMMIT',
  'ABORT',
  'DISCONNECT',
] as const;
export type StompClientCommand = (typeof CLIENT_COMMANDS)[number];

export const SERVER_COMMANDS = ['CONNECTED', 'MESSAGE', 'RECEIPT', 'ERROR'] as const;
export type StompServerCommand = (typeof SERVER_COMMANDS)[number];

const clientCommandSet: ReadonlySet<string> = new Set(CLIENT_COMMANDS);
const serverCommandSet: ReadonlySet<string> = new Set(SERVER_COMMANDS);

export function isClientCommand(command: string): command is StompClientCommand {
  return clientCommandSet.has(command);
}

export function isServerCommand(command: string): command is StompServerCommand {
  return serverCommandSet.has(command);
}

/**
 * The connection frames are never escaped, whatever the version: the version is not
 * known yet when CONNECT/STOMP travels, and CONNECTED must stay readable by 1.0 peers.
 */
export function isUnescapedCommand(command: string): boolean {
  return command === 'CONNECT' || command === 'STOMP' || command === 'CONNECTED';
}

/**
 * A decoded frame. `headers` keeps the wire order and repeated names; `body` is the raw
 * octets (the parser copies them, so they never alias the pushed transport message).
 */
export class StompFrame {
  constructor(
    readonly command: string,
    readonly headers: StompHeader[],
    readonly body: Buffer,
  ) {}

  /** The first occurrence wins when a header is repeated (STOMP 1.2, "Repeated Header Entries"). */
  header(name: string): string | undefined {
    const headers = this.headers;
    for (let i = 0; i < headers.length; i++) {
      if (headers[i][0] === name) return headers[i][1];
    }
    return undefined;
  }

  /** The body as UTF-8 text, the default STOMP encoding. */
  bodyText(): string {
    return this.body.toString('utf8');
  }
}

/**
 * Picks the highest version both sides speak from a CONNECT `accept-version` header.
 * The header's absence means a 1.0 client (STOMP 1.1/1.2 "Protocol Negotiation").
 * Returns undefined when there is no common version: the caller answers ERROR and closes.
 */
export function negotiateVersion(
  acceptVersion: string | undefined,
  supported: readonly StompVersion[] = STOMP_VERSIONS,
): StompVersion | undefined {
  if (acceptVersion === undefined) return supported.includes('1.0') ? '1.0' : undefined;
  const offered = acceptVersion.split(',').map((v) => v.trim());
  for (const version of STOMP_VERSIONS) {
    if (supported.includes(version) && offered.includes(version)) return version;
  }
  return undefined;
}
