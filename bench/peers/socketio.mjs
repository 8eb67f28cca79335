// Peer: Socket.IO 4 with rooms, what teams pick instead. WebSocket transport only.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 4002);
const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  perMessageDeflate: false,
  serveClient: false,
});

io.on('connection', (socket) => {
  socket.on('subscribe', (channel, ack) => {
    socket.join(channel);
    ack?.({ ok: true });
  });
  socket.on('publish', (msg, ack) => {
    io.to(msg.channel).emit('event', {
      channel: msg.channel,
      event: 'bench',
      data: msg.data,
      ts: new Date().toISOString(),
    });
    ack?.({ ok: true });
  });
});
http.listen(port, '127.0.0.1', () => console.log(`socket.io peer on ${port}`));
process.on('SIGTERM', () => process.exit(0));
