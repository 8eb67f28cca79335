import { errorFromBody, isRecord, RtError } from './errors.js';
import type { FetchLike, FetchResponseLike } from './types.js';

/**
 * The socket commands that have a REST equivalent (docs/protocol.md, "REST"), for
 * the SSE fallback: method and path, `:field` taken from the command's data.
 * Path fields leave the body (the REST API refuses unknown fields); for a
 * DELETE the remaining fields (`version`) go to the query string. Commands not
 * listed (`chat.typing`: typing indicators exist on the socket only) reject
 * with UNSUPPORTED while on the fallback.
 */
export const REST_COMMANDS: Readonly<Record<string, readonly [method: string, path: string]>> = {
  'chat.send': ['POST', '/conversations/:conversationId/messages'],
  'chat.edit': ['PATCH', '/messages/:messageId'],
  'chat.delete': ['DELETE', '/messages/:messageId'],
  'chat.read': ['POST', '/conversations/:conversationId/read'],
  'notification.ack': ['POST', '/notifications/ack'],
  'notification.read': ['POST', '/notifications/read'],
  'board.column.create': ['POST', '/boards/:boardId/columns'],
  'board.column.update': ['PATCH', '/columns/:columnId'],
  'board.column.delete': ['DELETE', '/columns/:columnId'],
  'board.card.create': ['POST', '/boards/:boardId/cards'],
  'board.card.update': ['PATCH', '/cards/:cardId'],
  'board.card.move': ['POST', '/cards/:cardId/move'],
  'board.card.delete': ['DELETE', '/cards/:cardId'],
  'calendar.event.create': ['POST', '/calendars/:calendarId/events'],
  'calendar.event.update': ['PATCH', '/calendar-events/:eventId'],
  'calendar.event.delete': ['DELETE', '/calendar-events/:eventId'],
  'presence.set': ['PUT', '/presence/me'],
  'announcement.publish': ['POST', '/announcements'],
};

export interface RestCall {
  method: string;
  /** Relative to the API prefix (`/api`), query string included. */
  path: string;
  body?: string;
}

/** The HTTP request of a command, or an UNSUPPORTED error. */
export function restCallFor(type: string, data: unknown): RestCall {
  const route = REST_COMMANDS[type];
  if (!route)
    throw new RtError(
      'UNSUPPORTED',
      `${type} has no REST equivalent and cannot be sent while the WebSocket is unavailable`,
    );
  const [method, template] = route;
  const rest: Record<string, unknown> = isRecord(data) ? { ...data } : {};
  const path = template.replace(/:(\w+)/g, (_m, field: string) => {
    const value = rest[field];
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new RtError('BAD_REQUEST', `${type} needs ${field}`, {
        details: [{ field, errors: [`${field} is required`] }],
      });
    delete rest[field];
    return encodeURIComponent(String(value));
  });
  if (method === 'DELETE') {
    const query = Object.entries(rest)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    return { method, path: query ? `${path}?${query}` : path };
  }
  return { method, path, body: JSON.stringify(rest) };
}

/**
 * Runs a REST call: the parsed JSON body, or null for 204 (the deletes: the
 * socket acks them with the deleted entity, REST answers without a body; the
 * `*.deleted` event carries the same). A non-2xx status is the server's RtError.
 */
export async function sendRest(
  fetchFn: FetchLike,
  apiBase: string,
  call: RestCall,
  token: string | null,
): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (call.body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: FetchResponseLike;
  try {
    res = await fetchFn(apiBase + call.path, { method: call.method, headers, body: call.body });
  } catch (err) {
    throw new RtError('NETWORK', `${call.method} ${call.path} failed: ${String(err)}`);
  }
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!res.ok) throw errorFromBody(body, `HTTP ${res.status}`, res.status);
  return body;
}
