import type { DestinationStream } from 'pino';

/** One JSON log line of the access log (pino-http), as far as the tests read it. */
export interface AccessLogLine {
  level: number;
  component?: string;
  msg?: string;
  req?: { id?: string; method?: string; url?: string; headers?: Record<string, unknown> };
  res?: { statusCode?: number; headers?: Record<string, unknown> };
  responseTime?: unknown;
}

/** A pino destination that keeps every line written to it, for tests that read the logs. */
export class LogCapture implements DestinationStream {
  private readonly chunks: string[] = [];

  write(line: string): void {
    this.chunks.push(line);
  }

  /** Everything written so far, verbatim. */
  text(): string {
    return this.chunks.join('');
  }

  /** The access-log lines (component `http`) of requests whose url starts with `prefix`. */
  requests(prefix: string): AccessLogLine[] {
    return this.text()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as AccessLogLine)
      .filter((l) => l.component === 'http' && l.req?.url?.startsWith(prefix) === true);
  }
}
