import { MigrationInterface, QueryRunner } from 'typeorm';

export class ChannelLog1763780000000 implements MigrationInterface {
  name = 'ChannelLog1763780000000';

  async up(q: QueryRunner): Promise<void> {
    // One counter row per channel: the UPDATE that takes the next offset locks the
    // row until commit, so concurrent writers on any node get 1, 2, 3… with no gap.
    await q.query(`
      CREATE TABLE channel_offsets (
        channel text PRIMARY KEY,
        last_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE channel_events (
        channel text NOT NULL,
        "offset" bigint NOT NULL,
        event text NOT NULL,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, "offset")
      )`);
    await q.query(`CREATE INDEX channel_events_created_at_idx ON channel_events (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE channel_events`);
    await q.query(`DROP TABLE channel_offsets`);
  }
}
