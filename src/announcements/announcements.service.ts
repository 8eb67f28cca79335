import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../auth/auth.types.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { AnnouncementsAccess } from './announcements.access.js';
import { ANNOUNCEMENTS_CHANNEL } from './announcements.events.js';
import { AnnouncementsException } from './announcements.exception.js';
import { AnnouncementsRepository } from './announcements.repository.js';
import {
  AnnouncementListView,
  AnnouncementView,
  PublishAnnouncementBody,
} from './dto/announcement.dto.js';
import { AnnouncementEntity } from './entities/announcement.entity.js';

const LIST_LIMIT = 100;

/** Admin announcements: persisted `announcement.created` events on `announcements`, for everyone. */
@Injectable()
export class AnnouncementsService {
  constructor(
    private readonly repo: AnnouncementsRepository,
    private readonly realtime: RealtimeService,
    private readonly access: AnnouncementsAccess,
  ) {}

  async publish(user: AuthUser, dto: PublishAnnouncementBody): Promise<AnnouncementView> {
    this.access.requirePublisher(user);
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now())
      throw AnnouncementsException.alreadyExpired();
    const view: AnnouncementView = {
      id: randomUUID(),
      title: dto.title,
      body: dto.body,
      authorId: user.id,
      expiresAt: expiresAt?.toISOString() ?? null,
      createdAt: new Date().toISOString(),
    };
    // The row and its event in one statement: a publish is one round trip.
    await this.realtime.appendWith(
      this.repo.insertStatement(view),
      ANNOUNCEMENTS_CHANNEL,
      'announcement.created',
      view,
    );
    return view;
  }

  /** Active (unexpired) announcements, newest first. */
  async listActive(): Promise<AnnouncementListView> {
    const rows = await this.repo.active(LIST_LIMIT);
    return { items: rows.map(toView) };
  }
}

function toView(a: AnnouncementEntity): AnnouncementView {
  return {
    id: a.id,
    title: a.title,
    body: a.body,
    authorId: a.authorId,
    expiresAt: a.expiresAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}
