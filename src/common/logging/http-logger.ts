import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger as PinoLogger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

type LoggedRequest = IncomingMessage & { originalUrl?: string };

/** `?token=…` or `&token=…` (also `%74oken`, `token[]`), up to the next separator. */
const TOKEN_PARAM = /([?&](?:t|%74)oken(?:\[[^\]=&]*\]|%5B[^=&]*)?=)[^&#\s"'<>]*/gi;

/**
 * The access log: one line per request with its id, method, url, status code and
 * `responseTime` (ms). Headers only at debug or lower: at info they made every
 * line a screenful. Our own serializers replace pino-http's standard ones, which
 * log the full url and Express's parsed `query`, both carrying `?token=` (event
 * streams take the access token there, for EventSource).
 */
export function createHttpLogger(logger: PinoLogger): HttpLogger {
  const httpLogger = logger.child({ component: 'http' });
  // Asked per line, so a level changed at run time is followed.
  const withHeaders = (): boolean => httpLogger.isLevelEnabled('debug');
  return pinoHttp({
    logger: httpLogger,
    // Ours receive the raw request and response (no standard serializer first).
    wrapSerializers: false,
    serializers: {
      req: (req: LoggedRequest) => ({
        id: req.id,
        method: req.method,
        url: withoutToken(req.originalUrl ?? req.url ?? ''),
        ...(withHeaders() ? { headers: req.headers } : {}),
      }),
      res: (res: ServerResponse) => ({
        statusCode: res.statusCode,
        ...(withHeaders() ? { headers: res.getHeaders() } : {}),
      }),
    },
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  });
}

/**
 * The url without its `token` query parameter(s), other parameters kept as sent.
 * Names are compared decoded, since `%74oken` and `token[]` reach the app as well.
 */
export function withoutToken(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((pair) => !isTokenName(pair.split('=', 1)[0] ?? ''));
  return kept.length > 0 ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}

function isTokenName(raw: string): boolean {
  let name: string;
  try {
    name = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // Undecodable: compare as sent.
    name = raw;
  }
  return name === 'token' || name.startsWith('token[');
}

/**
 * `text` with the value of every `token` query parameter it holds replaced:
 * for free text that may quote a url (a library's log line, an error message).
 * `withoutToken` is the exact one for a url alone.
 */
export function redactTokens(text: string): string {
  if (!/(?:token|%74oken)/i.test(text)) return text;
  return text.replace(TOKEN_PARAM, '$1[Redacted]');
}
