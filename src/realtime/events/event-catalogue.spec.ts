import type { RealtimeTx } from '../realtime.service.js';
import { CHAT_EVENTS } from '../../chat/chat.events.js';
import { NOTIFICATION_EVENTS } from '../../notifications/notifications.events.js';
import { EventCatalogueRegistry } from './event-catalogue.js';

/**
 * What the catalogue refuses at compile time: `npm run typecheck` fails when a
 * line marked @ts-expect-error below compiles, so these are checked in CI
 * although the function never runs.
 */
export async function compileTimeChecks(tx: RealtimeTx): Promise<void> {
  const message = {
    id: 'm',
    conversationId: 'c',
    senderId: 's',
    content: 'hi',
    contentType: 'text' as const,
    createdAt: 'now',
    editedAt: null,
    deletedAt: null,
  };
  await tx.append('chat:1', 'chat.message.created', message);
  // @ts-expect-error a misspelt event name
  await tx.append('chat:1', 'chat.mesage.created', message);
  // @ts-expect-error a channel the event does not go to
  await tx.append('board:1', 'chat.message.created', message);
  // @ts-expect-error a payload of another shape
  await tx.append('chat:1', 'chat.message.created', { text: 'hi' });
  // @ts-expect-error an ephemeral event is not appended to the log
  await tx.append('chat:1', 'chat.typing', { conversationId: 'c', userId: 'u', typing: true });
  tx.ephemeral('chat:1', 'chat.typing', { conversationId: 'c', userId: 'u', typing: true });
  // @ts-expect-error a persisted event is not ephemeral
  tx.ephemeral('chat:1', 'chat.message.created', message);
}

describe('EventCatalogueRegistry', () => {
  it('knows every registered event with its module, and refuses a name declared twice', () => {
    const registry = new EventCatalogueRegistry();
    registry.register('chat', CHAT_EVENTS);
    registry.register('notifications', NOTIFICATION_EVENTS);
    expect(registry.get('chat.typing')).toMatchObject({ module: 'chat', ephemeral: true });
    expect(registry.get('notification.created')).toMatchObject({
      module: 'notifications',
      channels: ['user:{userId}'],
    });
    expect(registry.get('chat.unknown')).toBeUndefined();
    expect(() => registry.register('again', CHAT_EVENTS)).toThrow(/declared twice/);
  });

  it('declares every event of the contract with a payload class', () => {
    const registry = new EventCatalogueRegistry();
    registry.register('chat', CHAT_EVENTS);
    for (const [name, spec] of registry.all()) {
      expect(name).toMatch(/^[a-z]+(\.[a-z]+)+$/);
      expect(typeof spec.payload).toBe('function');
      expect(spec.channels.length).toBeGreaterThan(0);
    }
  });
});
