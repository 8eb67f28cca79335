import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { ChannelEvent } from '../protocol/frames.js';

export interface ReadResult {
  events: ChannelEvent[];
  /** The channel's latest offset (0 when it has none). */
  latest: number;
  /** False when events after `since` are no longer retained. */
  recovered: boolean;
}

interface EventRow {
  offset: string;
  event: string;
  data: unknown;
  created_at: Date;
}

/** Arbitrary constant: one node at a time prunes the log. */
const PRUNE_LOCK = 7_245_002;

/** The per-channel event log in PostgreSQL: offsets, recovery reads and retention. */
@Injectable()
export class ChannelLogService {
  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Appends inside the caller's transaction. The counter row stays locked until
   * that transaction ends, so offsets are gap-free and ordered across nodes; a
   * rollback takes the offset back with it.
   */
  async append(
    em: EntityManager,
    channel: string,
    event: string,
    data: unknown,
  ): Promise<ChannelEvent> {
    const rows: { offset: string; created_at: Date }[] = await em.query(
      `WITH o AS (
         INSERT INTO channel_offsets (channel, last_offset) VALUES ($1, 1)
         ON CONFLICT (channel) DO UPDATE SET last_offset = channel_offsets.last_offset + 1, updated_at = now()
         RETURNING last_offset)
       INSERT INTO channel_events (channel, "offset", event, data)
       SELECT $1, o.last_offset, $2, $3::jsonb FROM o
       RETURNING "offset", created_at`,
      [channel, event, JSON.stringify(data ?? null)],
    );
    return {
      channel,
      offset: Number(rows[0].offset),
      event,
      data,
      ts: rows[0].created_at.toISOString(),
    };
  }

  async latest(channel: string): Promise<number> {
    const rows: { last_offset: string }[] = await this.db.query(
      'SELECT last_offset FROM channel_offsets WHERE channel = $1',
      [channel],
    );
    return rows.length ? Number(rows[0].last_offset) : 0;
  }

  /**
   * Events after `since`, oldest first, at most `limit`; retention decides `recovered`.
   * Retention is applied here too (the last HISTORY_MAX_EVENTS offsets, younger than
   * HISTORY_TTL), so the answer does not depend on when pruning last ran.
   */
  async readSince(channel: string, since: number, limit: number): Promise<ReadResult> {
    const latest = await this.latest(channel);
    if (since >= latest) return { events: [], latest, recovered: since === latest };
    const rows: EventRow[] = await this.db.query(
      `SELECT "offset", event, data, created_at FROM channel_events
        WHERE channel = $1 AND "offset" > GREATEST($2::bigint, $5::bigint)
          AND created_at > now() - make_interval(secs => $3)
        ORDER BY "offset" LIMIT $4`,
      [
        channel,
        since,
        this.config.history.ttlMs / 1000,
        limit,
        latest - this.config.history.maxEvents,
      ],
    );
    const events = rows.map((r) => toEvent(channel, r));
    const recovered = events.length > 0 && events[0].offset === since + 1;
    return { events, latest, recovered };
  }

  /** Events with from <= offset < to (gap repair); whatever is still retained. */
  async readRange(channel: string, from: number, to: number): Promise<ChannelEvent[]> {
    const rows: EventRow[] = await this.db.query(
      `SELECT "offset", event, data, created_at FROM channel_events
        WHERE channel = $1 AND "offset" >= $2 AND "offset" < $3 ORDER BY "offset"`,
      [channel, from, to],
    );
    return rows.map((r) => toEvent(channel, r));
  }

  /** Drops events beyond HISTORY_MAX_EVENTS per channel or older than HISTORY_TTL. */
  async prune(): Promise<number> {
    return this.db.transaction(async (em) => {
      const [{ locked }] = (await em.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        PRUNE_LOCK,
      ])) as {
        locked: boolean;
      }[];
      if (!locked) return 0;
      const [, byAge] = (await em.query(
        `DELETE FROM channel_events WHERE created_at < now() - make_interval(secs => $1)`,
        [this.config.history.ttlMs / 1000],
      )) as [unknown, number];
      const [, byCount] = (await em.query(
        `DELETE FROM channel_events e USING channel_offsets o
          WHERE e.channel = o.channel AND e."offset" <= o.last_offset - $1`,
        [this.config.history.maxEvents],
      )) as [unknown, number];
      return (byAge ?? 0) + (byCount ?? 0);
    });
  }
}

function toEvent(channel: string, r: EventRow): ChannelEvent {
  return {
    channel,
    offset: Number(r.offset),
    event: r.event,
    data: r.data,
    ts: r.created_at.toISOString(),
  };
}
