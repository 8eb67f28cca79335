import http from 'node:http';
import request from 'supertest';
import { bearer, RegisteredUser } from './users.js';
import type { Frame, TestSocket } from './ws-client.js';

export interface ConversationBody {
  id: string;
  type: 'direct' | 'group';
  title: string | null;
  ownerId: string | null;
  participantIds: string[];
}

export interface MessageBody {
  id: string;
  conversationId: string;
  senderId: string;
  content: string;
  contentType: string;
  clientMsgId?: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
}

/** Creates a conversation over REST and returns its body (fails the test on another status). */
export async function createConversation(
  baseUrl: string,
  owner: RegisteredUser,
  others: RegisteredUser[],
  title?: string,
): Promise<ConversationBody> {
  const res = await request(baseUrl)
    .post('/api/conversations')
    .set(bearer(owner))
    .send({ participantIds: others.map((u) => u.id), ...(title !== undefined ? { title } : {}) });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`create conversation: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ConversationBody;
}

export async function sendRest(
  baseUrl: string,
  user: RegisteredUser,
  conversationId: string,
  content: string,
  extra: Record<string, unknown> = {},
): Promise<MessageBody> {
  const res = await request(baseUrl)
    .post(`/api/conversations/${conversationId}/messages`)
    .set(bearer(user))
    .send({ content, ...extra });
  if (res.status !== 201) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as MessageBody;
}

/** Subscribes and asserts the `subscribed` reply. */
export async function subscribe(socket: TestSocket, channel: string): Promise<Frame> {
  const reply = await socket.request('subscribe', { channel });
  if (reply.type !== 'subscribed')
    throw new Error(`subscribe ${channel}: ${JSON.stringify(reply)}`);
  return reply;
}

/** Events named `event` received so far on `channel`. */
export function eventsNamed(socket: TestSocket, channel: string, event: string): Frame[] {
  return socket.events(channel).filter((f) => f.event === event);
}

/** One Server-Sent Events block: its fields, or a `: comment`. */
export interface SseBlock {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

export interface EventStream {
  status: number;
  blocks: SseBlock[];
  /** The parsed `data:` of blocks named `event`. */
  dataOf(event: string): Record<string, unknown>[];
  close(): void;
}

/** Opens an SSE response with node's http client and records its blocks. */
export function openEventStream(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      new URL(path, baseUrl),
      { headers: { Accept: 'text/event-stream', ...headers } },
      (res) => {
        const blocks: SseBlock[] = [];
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block: SseBlock = {};
            for (const line of buffer.slice(0, end).split('\n')) {
              if (line.startsWith(':')) block.comment = line.slice(1).trim();
              const i = line.indexOf(': ');
              if (i < 0) continue;
              const field = line.slice(0, i);
              if (field === 'id' || field === 'event' || field === 'data')
                block[field] = line.slice(i + 2);
            }
            buffer = buffer.slice(end + 2);
            blocks.push(block);
          }
        });
        res.on('error', () => undefined);
        resolve({
          status: res.statusCode ?? 0,
          blocks,
          dataOf: (event) =>
            blocks
              .filter((b) => b.event === event && b.data !== undefined)
              .map((b) => JSON.parse(b.data!) as Record<string, unknown>),
          close: () => {
            req.destroy();
            res.destroy();
          },
        });
      },
    );
    req.once('error', reject);
  });
}
