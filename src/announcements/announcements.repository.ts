import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AnnouncementEntity } from './entities/announcement.entity.js';

/** Rows of the announcements module. */
@Injectable()
export class AnnouncementsRepository {
  constructor(private readonly db: DataSource) {}

  insert(
    em: EntityManager,
    row: Pick<AnnouncementEntity, 'title' | 'body' | 'authorId' | 'expiresAt'>,
  ): Promise<AnnouncementEntity> {
    return em.getRepository(AnnouncementEntity).save(em.create(AnnouncementEntity, row));
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
