import { Injectable } from '@nestjs/common';

/** What an event on a user's own channel changes in a family: a channel joined, or left. */
export type FamilyChange = { joined: string; since?: number } | { left: string };

/**
 * A family of channels a user takes part in, listed now and followed through
 * events on the user's own channel: their conversations, for destinations that
 * read "every conversation of mine" (STOMP's `/user/queue/messages`). The module
 * that owns the channels provides it; the kernel only follows it.
 */
export interface UserChannelFamily {
  /** The channels the user takes part in now. */
  list(userId: string): Promise<string[]>;
  /** What `event` (on `user:{userId}`) changes, or null. */
  change(event: string, data: unknown, userId: string): FamilyChange | null;
}

@Injectable()
export class UserChannelFamilies {
  private readonly families = new Map<string, UserChannelFamily>();

  register(name: string, family: UserChannelFamily): void {
    if (this.families.has(name))
      throw new Error(`user channel family "${name}" is registered twice`);
    this.families.set(name, family);
  }

  get(name: string): UserChannelFamily | undefined {
    return this.families.get(name);
  }
}
