/**
 * One text message sent unchanged to many connections (an event's frame to
 * every subscriber of a channel on this node). Each encoding a transport needs
 * is made on first use and then shared: the UTF-8 bytes, and the whole
 * server-to-client WebSocket frame, so fan-out costs one write per socket and
 * no per-socket framing.
 */
export class SharedText {
  private utf8: Buffer | undefined;
  private frame: Buffer | undefined;

  constructor(readonly text: string) {}

  get bytes(): Buffer {
    return (this.utf8 ??= Buffer.from(this.text, 'utf8'));
  }

  /** A final, unmasked text frame (RFC 6455 section 5.2): header then payload, one buffer. */
  get webSocketFrame(): Buffer {
    return (this.frame ??= webSocketTextFrame(this.bytes));
  }
}

const FIN_TEXT = 0x81;

export function webSocketTextFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, headerLength);
  return frame;
}
