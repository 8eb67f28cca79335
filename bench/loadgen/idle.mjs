// Opens N idle sockets (authenticated for our server), spread over 127.0.0.x
// source addresses, prints "OPEN <n>", then holds them until killed.
import { loadConfig } from '../lib/config.mjs';
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const cfg = loadConfig();
const { target, count, tokens } = cfg;
const sockets = [];
const source = (i) => `127.0.0.${2 + (i % 50)}`;

async function openOne(i) {
  if (target.kind === 'socketio') {
    const s = io(target.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      localAddress: source(i),
    });
    await new Promise((res, rej) => {
      s.once('connect', res);
      s.once('connect_error', rej);
    });
    return s;
  }
  const url =
    target.kind === 'ours' ? `${target.wsUrl}?token=${tokens[i % tokens.length]}` : target.wsUrl;
  const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: source(i) });
  await new Promise((res, rej) => {
    ws.once('message', res);
    ws.once('error', rej);
  });
  return ws;
}

for (let i = 0; i < count; i += 100) {
  const batch = [];
  for (let j = i; j < Math.min(count, i + 100); j++)
    batch.push(
      openOne(j).then(
        (s) => sockets.push(s),
        () => undefined,
      ),
    );
  await Promise.all(batch);
}
const opened = sockets.length;
console.log(`OPEN ${opened}`);
setInterval(() => undefined, 1 << 30);
