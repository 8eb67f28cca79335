import http from 'node:http';

/** One Server-Sent Events message, or a `: comment` line. */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A streaming SSE reader on node's http client, recording every message. */
export class SseStream {
  readonly messages: SseMessage[] = [];
  readonly ended: Promise<void>;
  private buffer = '';

  constructor(
    readonly status: number,
    readonly headers: http.IncomingHttpHeaders,
    private readonly res: http.IncomingMessage,
    private readonly req: http.ClientRequest,
  ) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.push(chunk));
    this.ended = new Promise((resolve) => {
      res.once('close', () => resolve());
      res.once('end', () => resolve());
    });
  }

  /** Messages that carry an event (not comments), optionally of one `event:` name. */
  events(name?: string): SseMessage[] {
    return this.messages.filter(
      (m) => m.comment === undefined && (name === undefined || m.event === name),
    );
  }

  /** Parsed `data:` of the persisted or ephemeral events of `channel`. */
  channelEvents(channel: string): { offset?: number; event: string; channel: string }[] {
    return this.messages
      .filter((m) => m.data !== undefined)
      .map((m) => JSON.parse(m.data!) as { type: string; channel: string; event: string })
      .filter((f) => f.type === 'event' && f.channel === channel);
  }

  /** Resolves once `pred` holds for the recorded messages. */
  async until(pred: (messages: SseMessage[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.messages)) {
      if (Date.now() > deadline)
        throw new Error(
          `SSE condition not met within ${timeoutMs} ms; last: ${JSON.stringify(this.messages.slice(-3))}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.req.destroy();
    this.res.destroy();
  }

  private push(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const m: SseMessage = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          m.comment = line.slice(1).trim();
          continue;
        }
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'id') m.id = value;
        if (field === 'event') m.event = value;
        if (field === 'data') m.data = m.data === undefined ? value : `${m.data}\n${value}`;
      }
      if (Object.keys(m).length > 0) this.messages.push(m);
    }
  }
}

/** Opens `GET path` as an event stream; resolves once the response headers arrived. */
export function openSse(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      new URL(path, baseUrl),
      { headers: { Accept: 'text/event-stream', ...headers } },
      (res) => resolve(new SseStream(res.statusCode ?? 0, res.headers, res, req)),
    );
    req.once('error', reject);
  });
}
