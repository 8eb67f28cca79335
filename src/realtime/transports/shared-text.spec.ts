import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { WebSocket, WebSocketServer } from 'ws';
import { SharedText, webSocketTextFrame } from './shared-text.js';
import { WsConnection } from './ws/ws-connection.js';

// ws's own framing, the reference: what `socket.send(text)` writes on a server socket.
const require = createRequire(import.meta.url);
const { Sender } = require('ws') as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

function wsFrame(payload: Buffer): Buffer {
  return Buffer.concat(
    Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }),
  );
}

describe('the shared WebSocket frame', () => {
  it.each([0, 1, 125, 126, 127, 65535, 65536, 70_000])(
    'is byte for byte the frame ws writes, for a %i-byte payload',
    (size) => {
      const payload = Buffer.alloc(size, 'x');
      expect(webSocketTextFrame(payload).equals(wsFrame(payload))).toBe(true);
    },
  );

  it('carries the UTF-8 of the text, made once and shared', () => {
    const text = JSON.stringify({ type: 'event', channel: 'chat:x', data: { text: 'héllo ✓ 🚀' } });
    const shared = new SharedText(text);
    const frame = shared.webSocketFrame;
    expect(frame.subarray(frame.length - shared.bytes.length).toString('utf8')).toBe(text);
    expect(shared.webSocketFrame).toBe(frame);
    expect(shared.bytes).toBe(shared.bytes);
  });
});

describe('a shared message over a real WebSocket', () => {
  let server: WebSocketServer;
  let serverSide: WsConnection;
  let client: WebSocket;
  const received: string[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise((resolve) => server.once('listening', resolve));
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    const { port } = server.address() as AddressInfo;
    client = new WebSocket(`ws://127.0.0.1:${port}`);
    client.on('message', (data: Buffer) => received.push(data.toString('utf8')));
    serverSide = new WsConnection(await accepted, '127.0.0.1', 1024 * 1024);
    await new Promise((resolve) => client.once('open', resolve));
  });

  afterAll(async () => {
    client.terminate();
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it('arrives as the same text, in order, written as one pre-built frame per message', async () => {
    type Sender = { sendFrame(list: Buffer[]): void };
    const sender = (serverSide.socket as unknown as { _sender: Sender })._sender;
    const writes: Buffer[][] = [];
    const sendFrame = sender.sendFrame.bind(sender);
    sender.sendFrame = (list) => {
      writes.push(list);
      sendFrame(list);
    };
    const texts = [10, 200, 70_000].map((n, i) => JSON.stringify({ i, pad: 'é'.repeat(n) }));
    const all = new Promise<void>((resolve) =>
      client.on('message', () => received.length === texts.length && resolve()),
    );
    for (const text of texts) serverSide.sendShared(new SharedText(text));
    await all;
    expect(received).toEqual(texts);
    expect(writes.map((list) => list.length)).toEqual([1, 1, 1]);
  });
});
