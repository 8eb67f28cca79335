import type { DynamicModule, Type } from '@nestjs/common';

/**
 * The feature modules (chat, notifications, boards, calendar, presence,
 * announcements). Each brings one gateway and one controller over one service.
 */
export const FEATURE_MODULES: (Type<unknown> | DynamicModule)[] = [];
