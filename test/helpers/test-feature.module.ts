import {
  Body,
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  OnModuleInit,
  Param,
  Post,
} from '@nestjs/common';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import type { AuthUser } from '../../src/auth/auth.types.js';
import { AcceptsQueryToken, CurrentUser, Public, Roles } from '../../src/auth/guards/decorators.js';
import { ChannelAccess } from '../../src/realtime/channels/channel-access.guard.js';
import { MaxDataBytes } from '../../src/realtime/limits/limit.decorators.js';
import { RealtimeGateway } from '../../src/realtime/realtime.gateway.js';
import { defineEvents, type EventsOf } from '../../src/realtime/events/event-catalogue.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';

/**
 * A test-only feature: channel `test:{room}` (rooms starting with `open-` are
 * open to every user; `members-*` rooms only to users listed in `members`) and
 * commands on both transports over one service, as a real module would be.
 */
export const roomMembers = new Map<string, Set<string>>();

export class PublishDto {
  @IsString()
  @Length(1, 64)
  room: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  n?: number;

  @IsOptional()
  @IsString()
  text?: string;
}

class RestPublishDto {
  @IsOptional()
  @IsInt()
  n?: number;

  @IsOptional()
  @IsString()
  text?: string;
}

/** The data of `test.item.created`. */
export class TestItemView {
  by: string;
  n?: number;
  text?: string;
  doomed?: boolean;
}

export const TEST_EVENTS = defineEvents({
  'test.item.created': {
    channels: ['test:{room}'],
    payload: TestItemView,
    description: 'An item published in a test room',
  },
});

declare module '../../src/realtime/events/event-catalogue.js' {
  interface RealtimeEvents extends EventsOf<typeof TEST_EVENTS> {}
}

@Injectable()
export class TestFeatureService implements OnModuleInit {
  constructor(private readonly realtime: RealtimeService) {}

  onModuleInit(): void {
    this.realtime.registerEvents('test', TEST_EVENTS);
    this.realtime.registerPolicy({
      prefix: 'test',
      needsId: true,
      canSubscribe: (user, room) =>
        user !== null &&
        room !== undefined &&
        (room.startsWith('open-') || (roomMembers.get(room)?.has(user.id) ?? false)),
    });
  }

  publish(user: AuthUser, room: string, data: { n?: number; text?: string }) {
    return this.realtime.transaction(async (tx) => {
      const e = await tx.append(`test:${room}`, 'test.item.created', { by: user.id, ...data });
      return { offset: e.offset };
    });
  }

  async publishThenFail(user: AuthUser, room: string): Promise<never> {
    await this.realtime.transaction(async (tx) => {
      await tx.append(`test:${room}`, 'test.item.created', { by: user.id, doomed: true });
      throw new Error('boom after append');
    });
    throw new Error('unreachable');
  }

  revoke(userId: string, room: string): void {
    roomMembers.get(room)?.delete(userId);
    this.realtime.revokeEverywhere(userId, `test:${room}`);
  }
}

@RealtimeGateway()
export class TestFeatureGateway {
  constructor(private readonly service: TestFeatureService) {}

  @SubscribeMessage('test.publish')
  @ChannelAccess({ prefix: 'test', field: 'room' })
  publish(@CurrentUser() user: AuthUser, @MessageBody() dto: PublishDto) {
    return this.service.publish(user, dto.room, { n: dto.n, text: dto.text });
  }

  @SubscribeMessage('test.rollback')
  @ChannelAccess({ prefix: 'test', field: 'room' })
  rollback(@CurrentUser() user: AuthUser, @MessageBody() dto: PublishDto) {
    return this.service.publishThenFail(user, dto.room);
  }

  @SubscribeMessage('test.small')
  @MaxDataBytes(200)
  small(@MessageBody() dto: PublishDto) {
    return { size: dto.text?.length ?? 0 };
  }

  @SubscribeMessage('test.admin')
  @Roles('admin')
  admin() {
    return { ok: true };
  }
}

@Controller('api/test')
export class TestFeatureController {
  constructor(private readonly service: TestFeatureService) {}

  @Post('rooms/:room/items')
  @ChannelAccess({ prefix: 'test', param: 'room' })
  publish(@CurrentUser() user: AuthUser, @Param('room') room: string, @Body() dto: RestPublishDto) {
    return this.service.publish(user, room, dto);
  }

  /** An unexpected failure, on a route that takes the token in the query as event streams do. */
  @Get('boom')
  @Public()
  @AcceptsQueryToken()
  boom(): never {
    throw new Error('boom');
  }

  @Post('rooms/:room/revoke/:userId')
  @HttpCode(204)
  revoke(@Param('room') room: string, @Param('userId') userId: string): void {
    this.service.revoke(userId, room);
  }
}

@Module({
  providers: [TestFeatureService, TestFeatureGateway],
  controllers: [TestFeatureController],
})
export class TestFeatureModule {}
