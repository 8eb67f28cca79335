// Client adapters: one interface over our protocol, the raw `ws` peer and Socket.IO.
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const TITLE_RE = /"title":"t:([0-9.]+):(\d+)"/;

/** Opens a subscriber; `onMessage(sentAt, seq)` for each bench message received. */
export async function openSubscriber(target, opts, onMessage) {
  if (target.kind === 'socketio') {
    const s = io(target.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise((res, rej) => {
      s.once('connect', res);
      s.once('connect_error', rej);
    });
    s.on('event', (e) => onMessage(...parseTitle(e.data.title)));
    await s.emitWithAck('subscribe', opts.channel);
    return { close: () => s.close() };
  }
  if (target.kind === 'stomp') return openStompSubscriber(target, opts, onMessage);
  const url = target.kind === 'ours' ? `${target.wsUrl}?token=${opts.token}` : target.wsUrl;
  const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: opts.localAddress });
  let subscribed;
  const ready = new Promise((res, rej) => {
    subscribed = res;
    ws.once('error', rej);
  });
  ws.on('message', (raw) => {
    const text = raw.toString();
    if (text.startsWith('{"type":"event"')) {
      const m = TITLE_RE.exec(text);
      if (m) onMessage(Number(m[1]), Number(m[2]));
      return;
    }
    const f = JSON.parse(text);
    if (f.type === 'connected')
      ws.send(
        JSON.stringify({
          type: 'subscribe',
          id: 's',
          channel: opts.channel,
          ...(opts.since !== undefined ? { since: opts.since } : {}),
        }),
      );
    else if (f.type === 'subscribed') subscribed(f);
    else if (f.type === 'error') console.error('subscriber error', text);
  });
  const sub = await ready;
  return { close: () => ws.terminate(), ws, subscribed: sub };
}

/**
 * A STOMP subscriber on our server, as @stomp/stompjs would do it: the
 * `v12.stomp` subprotocol, CONNECT, SUBSCRIBE to the channel's `/topic/...`
 * destination; each MESSAGE body is the event data.
 */
async function openStompSubscriber(target, opts, onMessage) {
  const ws = new WebSocket(`${target.wsUrl}?token=${opts.token}`, ['v12.stomp'], {
    perMessageDeflate: false,
    localAddress: opts.localAddress,
  });
  let subscribed;
  const ready = new Promise((res, rej) => {
    subscribed = res;
    ws.once('error', rej);
  });
  ws.once('open', () => ws.send('CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0'));
  ws.on('message', (raw) => {
    const text = raw.toString();
    if (text.startsWith('MESSAGE')) {
      const m = TITLE_RE.exec(text);
      if (m) onMessage(Number(m[1]), Number(m[2]));
    } else if (text.startsWith('CONNECTED'))
      ws.send(
        `SUBSCRIBE\nid:s\ndestination:/topic/${opts.channel.replace(':', '/')}\nreceipt:r\n\n\0`,
      );
    else if (text.startsWith('RECEIPT')) subscribed({});
    else if (text.startsWith('ERROR')) console.error('stomp subscriber error', text);
  });
  await ready;
  return { close: () => ws.terminate(), ws };
}

function parseTitle(title) {
  const m = /^t:([0-9.]+):(\d+)$/.exec(title);
  return m ? [Number(m[1]), Number(m[2])] : [NaN, -1];
}

/** Opens the publisher; `publish(seq, padding)` sends one ~200-byte message. */
export async function openPublisher(target, opts) {
  const now = () => performance.timeOrigin + performance.now();
  if (target.kind === 'socketio') {
    const s = io(target.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise((res) => s.once('connect', res));
    return {
      publish: (seq, body) =>
        s.emit('publish', { channel: opts.channel, data: { title: `t:${now()}:${seq}`, body } }),
      close: () => s.close(),
    };
  }
  // STOMP subscribers are fed by the same JSON publisher on our server.
  const ours = target.kind === 'ours' || target.kind === 'stomp';
  const url = ours ? `${target.wsUrl}?token=${opts.token}` : target.wsUrl;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((res, rej) => {
    ws.once('message', res);
    ws.once('error', rej);
  });
  ws.on('message', (raw) => {
    const t = raw.toString();
    if (t.includes('"type":"error"')) console.error('publisher error', t.slice(0, 300));
  });
  let id = 0;
  return {
    publish: (seq, body) => {
      const data = { title: `t:${now()}:${seq}`, body };
      const frame = ours
        ? { type: 'announcement.publish', id: `p${++id}`, data }
        : { type: 'publish', id: `p${++id}`, channel: opts.channel, data };
      ws.send(JSON.stringify(frame));
    },
    close: () => ws.terminate(),
  };
}
