import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ListNotificationsQuery, ReadNotificationsBody } from './dto/notifications.dto.js';
import type { NotificationRow } from './notifications.repository.js';
import { toEventData, toView } from './notifications.service.js';

const row: NotificationRow = {
  id: 'n1',
  user_id: 'u1',
  type: 'chat.message',
  title: 'New message from Ada',
  body: 'hi',
  link: null,
  entity_type: null,
  entity_id: null,
  read_at: null,
  delivered_at: null,
  acked_at: null,
  created_at: new Date('2025-05-06T07:08:09.010Z'),
};

describe('notification shapes', () => {
  it('the event data is exactly {id, type, title, body, link?, readAt, createdAt}', () => {
    expect(toEventData(row)).toEqual({
      id: 'n1',
      type: 'chat.message',
      title: 'New message from Ada',
      body: 'hi',
      readAt: null,
      createdAt: '2025-05-06T07:08:09.010Z',
    });
    expect(
      toEventData({ ...row, link: '/c/1', entity_type: 'conversation', entity_id: 'c1' }),
    ).toEqual(expect.objectContaining({ link: '/c/1' }));
    expect(Object.keys(toEventData({ ...row, entity_type: 'x', entity_id: 'y' }))).not.toContain(
      'entity',
    );
  });

  it('the REST view adds the entity and the delivery state', () => {
    const acked = new Date('2025-05-06T08:00:00.000Z');
    expect(
      toView({ ...row, entity_type: 'conversation', entity_id: 'c1', acked_at: acked }),
    ).toMatchObject({
      entity: { type: 'conversation', id: 'c1' },
      deliveredAt: null,
      ackedAt: '2025-05-06T08:00:00.000Z',
    });
  });
});

describe('notification queries and bodies', () => {
  const errors = (cls: new () => object, data: object): string[] =>
    validateSync(plainToInstance(cls, data), { whitelist: true, forbidNonWhitelisted: true }).map(
      (e) => e.property,
    );

  it('reads ?unread=true|false as a boolean and bounds limit to 1..100', () => {
    expect(plainToInstance(ListNotificationsQuery, { unread: 'true' }).unread).toBe(true);
    expect(plainToInstance(ListNotificationsQuery, { unread: 'false' }).unread).toBe(false);
    expect(errors(ListNotificationsQuery, { unread: 'maybe' })).toEqual(['unread']);
    expect(errors(ListNotificationsQuery, { limit: '101' })).toEqual(['limit']);
    expect(errors(ListNotificationsQuery, { limit: '100' })).toEqual([]);
  });

  it('takes ids (UUIDs) or all: true', () => {
    expect(errors(ReadNotificationsBody, { all: true })).toEqual([]);
    expect(
      errors(ReadNotificationsBody, { ids: ['0b7e2a4c-9c1f-4b8e-9d3a-2a4d5e6f7a8b'] }),
    ).toEqual([]);
    expect(errors(ReadNotificationsBody, { ids: ['nope'] })).toEqual(['ids']);
  });
});
