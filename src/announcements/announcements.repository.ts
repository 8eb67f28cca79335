import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RowWrite } from '../realtime/realtime.service.js';
import type { AnnouncementView } from './dto/announcement.dto.js';
import { AnnouncementEntity } from './entities/announcement.entity.js';

/** Rows of the announcements module. */
@Injectable()
export class AnnouncementsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * The INSERT of a new announcement, made whole by the caller (id and times
   * included), to run in the same statement as its event's append.
   */
  insertStatement(a: AnnouncementView): RowWrite {
    return {
      sql: `INSERT INTO announcements (id, title, body, author_id, expires_at, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      params: [a.id, a.title, a.body, a.authorId, a.expiresAt, a.createdAt],
    };
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
