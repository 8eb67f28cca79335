import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { GroupCommit } from '../../common/group-commit.js';
import { ChannelEvent } from '../events/channel-event.js';

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

/**
 * A module's write that goes into the same statement as an append (see
 * RealtimeService.appendWith): one SQL statement that writes its row or fails,
 * with placeholders $1, $2, … for `params` (no other `$` in its text).
 */
export interface RowWrite {
  sql: string;
  params: unknown[];
}

/** appendAll's own parameters come first; a RowWrite's placeholders are moved after them. */
const APPEND_PARAMS = 3;

/** `$1` → `$(1 + by)`: a statement's placeholders renumbered to follow other parameters. */
export function shiftPlaceholders(sql: string, by: number): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + by}`);
}

/** Arbitrary constant: one node at a time prunes the log. */
const PRUNE_LOCK = 7_245_002;

/** The per-channel event log in PostgreSQL: offsets, recovery reads and retention. */
@Injectable()
export class ChannelLogService {
  /**
   * Positions asked at the same moment share one query: every connect reads
   * its user channel's position (at the upgrade, when the channel opens, when
   * it joins), so a reconnect storm would otherwise be three round trips per
   * socket. Each read still starts after it was asked: it sees every commit
   * made before.
   */
  private readonly positions = GroupCommit.ofBatches((channels: string[]) =>
    this.latestOf(channels),
  );

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
    return (await this.appendAll(em, [{ channel, event, data }]))[0];
  }

  /**
   * Appends several events in one statement (a batch of commits): each channel's
   * counter moves once by its number of events, offsets follow the list's order
   * within a channel, and counter rows are locked in channel order (no deadlock
   * between two batches). Returns the events in the list's order.
   */
  async appendAll(
    em: Pick<EntityManager, 'query'>,
    items: readonly { channel: string; event: string; data: unknown }[],
    alongside?: RowWrite,
  ): Promise<ChannelEvent[]> {
    if (items.length === 0) return [];
    // A write of the caller's runs as a first CTE: it commits with the append or not at all.
    const written = alongside
      ? `written AS (${shiftPlaceholders(alongside.sql, APPEND_PARAMS)}),\n       `
      : '';
    const rows: { n: string; offset: string; created_at: Date }[] = await em.query(
      `WITH ${written}input AS (
         SELECT i.channel, i.event, d.data, i.n
           FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS i(channel, event, n)
           JOIN jsonb_array_elements($3::jsonb) WITH ORDINALITY AS d(data, n) USING (n)),
       counts AS (SELECT channel, count(*) AS cnt FROM input GROUP BY channel),
       o AS (
         INSERT INTO channel_offsets (channel, last_offset)
         SELECT channel, cnt FROM counts ORDER BY channel
         ON CONFLICT (channel) DO UPDATE
           SET last_offset = channel_offsets.last_offset + EXCLUDED.last_offset, updated_at = now()
         RETURNING channel, last_offset),
       numbered AS (
         SELECT i.n, i.channel, i.event, i.data,
                o.last_offset - c.cnt + row_number() OVER (PARTITION BY i.channel ORDER BY i.n) AS off
           FROM input i JOIN counts c USING (channel) JOIN o USING (channel)),
       ins AS (
         INSERT INTO channel_events (channel, "offset", event, data)
         SELECT channel, off, event, data FROM numbered ORDER BY n
         RETURNING channel, "offset", created_at)
       SELECT numbered.n, ins."offset", ins.created_at
         FROM ins JOIN numbered ON numbered.channel = ins.channel AND numbered.off = ins."offset"
        ORDER BY numbered.n`,
      [
        items.map((i) => i.channel),
        items.map((i) => i.event),
        JSON.stringify(items.map((i) => i.data ?? null)),
        ...(alongside?.params ?? []),
      ],
    );
    // Rows come in list order (ORDER BY n); `n` names the item each belongs to.
    return rows.map((r) => {
      const item = items[Number(r.n) - 1];
      return {
        channel: item.channel,
        offset: Number(r.offset),
        event: item.event,
        data: item.data,
        ts: r.created_at.toISOString(),
      };
    });
  }

  /** The channel's latest offset (0 when it has none). */
  latest(channel: string): Promise<number> {
    return this.positions.submit(channel);
  }

  /** The latest offset of each channel, in the order asked (0 for a channel with none). */
  private async latestOf(channels: readonly string[]): Promise<number[]> {
    const rows: { channel: string; last_offset: string }[] = await this.db.query(
      'SELECT channel, last_offset FROM channel_offsets WHERE channel = ANY($1::text[])',
      [channels],
    );
    const found = new Map(rows.map((r) => [r.channel, Number(r.last_offset)]));
    return channels.map((c) => found.get(c) ?? 0);
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
