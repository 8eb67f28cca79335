import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { ChatAccessService } from './chat-access.service.js';
import { chatChannel } from './chat.events.js';
import { ChatException } from './chat.exception.js';
import type { TypingView } from './dto/chat-views.dto.js';
import { TypingCommand } from './dto/chat.dto.js';

/**
 * Typing indicators: ephemeral `chat.typing` events to the other participants.
 * A `typing: true` that is not refreshed within the TTL (CHAT_TYPING_TTL_MS,
 * 8 s) is followed by an automatic `typing: false`. The timer lives on the node
 * that received the command; a refresh through another node re-arms there.
 */
@Injectable()
export class TypingService implements OnModuleDestroy {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly realtime: RealtimeService,
    private readonly access: ChatAccessService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get ttlMs(): number {
    return this.config.chat.typingTtlMs;
  }

  async typing(user: AuthUser, dto: TypingCommand): Promise<TypingView> {
    if (!(await this.access.isParticipant(dto.conversationId, user.id)))
      throw ChatException.notParticipant();
    const key = keyOf(dto.conversationId, user.id);
    this.clear(key);
    const event: TypingView = {
      conversationId: dto.conversationId,
      userId: user.id,
      typing: dto.typing,
      ...(dto.typing ? { expiresInMs: this.ttlMs } : {}),
    };
    if (dto.typing) {
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.publish({ conversationId: dto.conversationId, userId: user.id, typing: false });
      }, this.ttlMs);
      timer.unref();
      this.timers.set(key, timer);
    }
    this.publish(event);
    return event;
  }

  /** Drops a pending auto-stop (the user left the conversation). */
  forget(conversationId: string, userId: string): void {
    this.clear(keyOf(conversationId, userId));
  }

  onModuleDestroy(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private publish(e: TypingView): void {
    this.realtime.publishEphemeral(chatChannel(e.conversationId), 'chat.typing', e, {
      excludeUserId: e.userId,
    });
  }

  private clear(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }
}

function keyOf(conversationId: string, userId: string): string {
  return `${conversationId}:${userId}`;
}
