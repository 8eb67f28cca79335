import WebSocket from 'ws';

export interface Reply {
  type: string;
  id?: string;
  code?: string;
  data?: unknown;
  [k: string]: unknown;
}

/**
 * A lean socket for load in fault tests: requests carry an id and resolve with
 * the reply bearing it, many in flight at once; other frames are counted, not
 * kept (a recorder of every frame would cost more than the server does).
 */
export class PipelinedSocket {
  private seq = 0;
  private readonly waiting = new Map<string, (r: Reply) => void>();
  readonly closed: Promise<number>;
  other = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as Reply;
      const resolve = f.id === undefined ? undefined : this.waiting.get(f.id);
      if (!resolve) {
        this.other += 1;
        return;
      }
      this.waiting.delete(f.id!);
      resolve(f);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    void this.closed.then((code) => {
      for (const [id, resolve] of this.waiting) resolve({ type: 'closed', id, code: String(code) });
      this.waiting.clear();
    });
  }

  static async open(baseUrl: string, token: string): Promise<PipelinedSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws?token=${token}`);
    const socket = new PipelinedSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    });
    return socket;
  }

  /** Sends `{type, id, data}` and resolves with its reply (`{type: 'closed'}` if the socket closes first). */
  request(type: string, data?: unknown, fields: Record<string, unknown> = {}): Promise<Reply> {
    const id = `p${++this.seq}`;
    return new Promise((resolve) => {
      if (this.ws.readyState !== WebSocket.OPEN) {
        resolve({ type: 'closed', id });
        return;
      }
      this.waiting.set(id, resolve);
      this.ws.send(
        JSON.stringify({ type, id, ...(data === undefined ? {} : { data }), ...fields }),
      );
    });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(1000);
  }
}
