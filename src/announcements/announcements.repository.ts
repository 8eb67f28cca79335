import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../common/sql-rows.js';
import { AnnouncementEntity } from './entities/announcement.entity.js';

/** Rows of the announcements module. */
@Injectable()
export class AnnouncementsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * One INSERT … RETURNING: every published announcement goes through here,
   * and the ORM's save (entity diffing, a subject graph) costs more CPU than
   * the statement itself.
   */
  async insert(
    em: EntityManager,
    row: Pick<AnnouncementEntity, 'title' | 'body' | 'authorId' | 'expiresAt'>,
  ): Promise<AnnouncementEntity> {
    const rows = await queryRows<AnnouncementEntity>(
      em,
      `INSERT INTO announcements (title, body, author_id, expires_at)
       VALUES ($1, $2, $3, $4)
       RETURNING id, title, body, author_id AS "authorId", expires_at AS "expiresAt",
                 created_at AS "createdAt", updated_at AS "updatedAt"`,
      [row.title, row.body, row.authorId, row.expiresAt],
    );
    return rows[0];
  }

  /** Unexpired announcements, newest first. */
  active(limit: number): Promise<AnnouncementEntity[]> {
    return this.db
      .getRepository(AnnouncementEntity)
      .createQueryBuilder('a')
      .where('a.expires_at IS NULL OR a.expires_at > now()')
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(limit)
      .getMany();
  }
}
