import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import { createHttpLogger, redactTokens, withoutToken } from './http-logger.js';
import { createRootLogger } from './logger.js';

interface Line {
  level: number;
  req?: { method?: string; url?: string; headers?: Record<string, unknown> };
  res?: { statusCode?: number; headers?: Record<string, unknown> };
  responseTime?: unknown;
}

/** Serves 204 behind the access log of a root logger at `level`; resolves with the log lines. */
async function logOneRequest(
  level: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ lines: Line[]; text: string }> {
  const chunks: string[] = [];
  let logged: () => void = () => undefined;
  const written = new Promise<void>((resolve) => (logged = resolve));
  const destination: DestinationStream = {
    write(line: string) {
      chunks.push(line);
      logged();
    },
  };
  const middleware = createHttpLogger(createRootLogger(level, 'test', destination));
  const server: Server = createServer((req, res) =>
    middleware(req, res, () => {
      res.statusCode = 204;
      res.setHeader('x-answer', 'response-header-value');
      res.end();
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
    expect(res.status).toBe(204);
    await written;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const text = chunks.join('');
  return {
    text,
    lines: text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line),
  };
}

describe('createHttpLogger', () => {
  it('at debug also logs the headers, the authorization header redacted', async () => {
    const { lines, text } = await logOneRequest('debug', '/things?token=query-secret&page=2', {
      authorization: 'Bearer header-secret',
      'x-probe': 'request-header-value',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      req: {
        method: 'GET',
        url: '/things?page=2',
        headers: { 'x-probe': 'request-header-value', authorization: '[Redacted]' },
      },
      res: { statusCode: 204, headers: { 'x-answer': 'response-header-value' } },
    });
    expect(typeof lines[0]!.responseTime).toBe('number');
    expect(text).not.toContain('query-secret');
    expect(text).not.toContain('header-secret');
  });

  it('at info logs neither request nor response headers', async () => {
    const { lines, text } = await logOneRequest('info', '/things?token=query-secret', {
      'x-probe': 'request-header-value',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ req: { method: 'GET', url: '/things' } });
    expect(lines[0]!.req!.headers).toBeUndefined();
    expect(lines[0]!.res!.headers).toBeUndefined();
    expect(text).not.toContain('request-header-value');
    expect(text).not.toContain('response-header-value');
    expect(text).not.toContain('query-secret');
  });
});

describe('withoutToken', () => {
  it.each([
    ['/a', '/a'],
    ['/a?token=s', '/a'],
    ['/a?token=s&b=1', '/a?b=1'],
    ['/a?b=1&token=s&c=x%20y', '/a?b=1&c=x%20y'],
    ['/a?b=1&token=s&token=t', '/a?b=1'],
    ['/a?%74oken=s&b=1', '/a?b=1'],
    ['/a?token[]=s&token%5Bx%5D=t&b=1', '/a?b=1'],
    ['/a?tokens=1&token', '/a?tokens=1'],
    ['/a?b=%E0%A4%A', '/a?b=%E0%A4%A'],
  ])('%s -> %s', (url, expected) => {
    expect(withoutToken(url)).toBe(expected);
  });
});

describe('redactTokens', () => {
  it.each([
    [
      'Exception on "GET /ws/1/a/xhr?token=eyJ.a.b" in filter',
      'Exception on "GET /ws/1/a/xhr?token=[Redacted]" in filter',
    ],
    ['GET /a?b=1&token=s&c=2 200', 'GET /a?b=1&token=[Redacted]&c=2 200'],
    ['/a?%74oken=s and /b?token[]=t', '/a?%74oken=[Redacted] and /b?token[]=[Redacted]'],
    ['/a?TOKEN=s#frag', '/a?TOKEN=[Redacted]#frag'],
    ['no url here, a token is a word', 'no url here, a token is a word'],
    ['/a?tokens=1&mytoken=2', '/a?tokens=1&mytoken=2'],
  ])('%s', (text, expected) => {
    expect(redactTokens(text)).toBe(expected);
  });
});

describe('createRootLogger', () => {
  it('never writes a ?token= value quoted in a message, nor the secret headers', () => {
    const lines: string[] = [];
    const logger = createRootLogger('info', 'test', { write: (l: string) => lines.push(l) });
    logger.child({ component: 'sockjs' }).warn('Exception on "GET /ws/x/y/xhr?token=tok-secret-1"');
    logger.error({ err: new Error('x') }, 'failed at /api/stream?channels=a&token=tok-secret-2');
    logger.info(
      {
        req: {
          headers: {
            'x-admin-bootstrap-secret': 'boot-secret-3',
            'sec-websocket-protocol': 'rt.v1, token-tok-secret-4',
            authorization: 'Bearer tok-secret-5',
          },
        },
      },
      'request',
    );
    const text = lines.join('');
    expect(lines).toHaveLength(3);
    for (const secret of [
      'tok-secret-1',
      'tok-secret-2',
      'boot-secret-3',
      'tok-secret-4',
      'tok-secret-5',
    ])
      expect(text).not.toContain(secret);
    expect(text).toContain('?token=[Redacted]');
  });
});
