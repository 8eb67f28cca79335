// Peer: the floor of what Node can do. A plain `ws` server with rooms that
// serialises each message once and sends it to every subscriber. Same frame
// shapes as our protocol so the load generator drives both alike.
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 4001);
const rooms = new Map();
const wss = new WebSocketServer({
  port,
  host: '127.0.0.1',
  perMessageDeflate: false,
  clientTracking: false,
});

wss.on('connection', (ws) => {
  const joined = new Set();
  ws.send(JSON.stringify({ type: 'connected' }));
  ws.on('message', (raw) => {
    let f;
    try {
      f = JSON.parse(raw.toString());
    } catch {
      return;
    }
    if (f.type === 'subscribe') {
      let set = rooms.get(f.channel);
      if (!set) rooms.set(f.channel, (set = new Set()));
      set.add(ws);
      joined.add(f.channel);
      ws.send(JSON.stringify({ type: 'subscribed', id: f.id, channel: f.channel }));
    } else if (f.type === 'publish') {
      const frame = JSON.stringify({
        type: 'event',
        channel: f.channel,
        event: 'bench',
        data: f.data,
        ts: new Date().toISOString(),
      });
      for (const s of rooms.get(f.channel) ?? []) s.send(frame);
      ws.send(JSON.stringify({ type: 'ack', id: f.id }));
    }
  });
  ws.on('close', () => {
    for (const c of joined) rooms.get(c)?.delete(ws);
  });
});
wss.on('listening', () => console.log(`raw-ws peer on ${port}`));
process.on('SIGTERM', () => process.exit(0));
