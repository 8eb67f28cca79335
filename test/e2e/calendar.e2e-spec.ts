import request from 'supertest';
import { sqlClient } from '../helpers/databases.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

interface CalEvent {
  id: string;
  calendarId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  version: number;
  attendeeIds: string[];
}

describe('calendar (docs/protocol.md: channels, commands and events; REST)', () => {
  let t: TestApp;
  let owner: RegisteredUser;
  let reader: RegisteredUser;
  let writer: RegisteredUser;
  let outsider: RegisteredUser;
  const open: TestSocket[] = [];
  const socketOf = async (user: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: user.accessToken });
    open.push(s);
    return s;
  };
  const api = () => request(t.baseUrl);

  /** A calendar of `owner`, shared read with `reader` and write with `writer`. */
  async function sharedCalendar(): Promise<string> {
    const res = await api().post('/api/calendars').set(bearer(owner)).send({ name: 'Team' });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    for (const [u, access] of [
      [reader, 'read'],
      [writer, 'write'],
    ] as const) {
      const s = await api()
        .post(`/api/calendars/${id}/shares`)
        .set(bearer(owner))
        .send({ userId: u.id, access });
      expect(s.status).toBe(201);
    }
    return id;
  }

  async function event(
    calendarId: string,
    startsAt: string,
    endsAt: string,
    title = 'e',
  ): Promise<CalEvent> {
    const res = await api()
      .post(`/api/calendars/${calendarId}/events`)
      .set(bearer(owner))
      .send({ title, startsAt, endsAt });
    expect(res.status).toBe(201);
    return res.body as CalEvent;
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { WS_RATE_LIMIT: '100000' } });
    [owner, reader, writer, outsider] = await Promise.all([
      registerUser(t.baseUrl, { displayName: 'Cal Owner' }),
      registerUser(t.baseUrl),
      registerUser(t.baseUrl),
      registerUser(t.baseUrl),
    ]);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('calendars: created by their owner, listed with the caller’s access, shared read or write', async () => {
    const id = await sharedCalendar();
    const created = await api().get(`/api/calendars/${id}`).set(bearer(owner));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id, name: 'Team', ownerId: owner.id, access: 'owner' });
    expect(created.body.shares).toEqual([
      expect.objectContaining({ userId: reader.id, access: 'read' }),
      expect.objectContaining({ userId: writer.id, access: 'write' }),
    ]);
    for (const [u, access] of [
      [owner, 'owner'],
      [reader, 'read'],
      [writer, 'write'],
    ] as const) {
      const list = await api().get('/api/calendars').set(bearer(u));
      expect(list.body.items).toEqual(
        expect.arrayContaining([expect.objectContaining({ id, access })]),
      );
    }
    const none = await api().get('/api/calendars').set(bearer(outsider));
    expect(none.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    expect((await api().get(`/api/calendars/${id}`).set(bearer(outsider))).status).toBe(403);
    // Only the owner shares.
    const byWriter = await api()
      .post(`/api/calendars/${id}/shares`)
      .set(bearer(writer))
      .send({ userId: outsider.id, access: 'read' });
    expect(byWriter.status).toBe(403);
    const upgrade = await api()
      .post(`/api/calendars/${id}/shares`)
      .set(bearer(owner))
      .send({ userId: reader.id, access: 'read' });
    expect(upgrade.status).toBe(200);
  });

  it('events in and out as ISO 8601 (timestamptz); endsAt must be after startsAt (400 with details)', async () => {
    const id = await sharedCalendar();
    const res = await api()
      .post(`/api/calendars/${id}/events`)
      .set(bearer(writer))
      .send({
        title: 'Standup',
        startsAt: '2030-05-01T10:00:00+02:00',
        endsAt: '2030-05-01T10:15:00+02:00',
        allDay: false,
        description: 'daily',
        attendeeIds: [reader.id],
      });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      calendarId: id,
      title: 'Standup',
      description: 'daily',
      startsAt: '2030-05-01T08:00:00.000Z',
      endsAt: '2030-05-01T08:15:00.000Z',
      allDay: false,
      attendeeIds: [reader.id],
      reminderMinutes: null,
      createdBy: writer.id,
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    for (const endsAt of ['2030-05-01T08:00:00Z', '2030-05-01T07:00:00Z']) {
      const bad = await api()
        .post(`/api/calendars/${id}/events`)
        .set(bearer(owner))
        .send({ title: 'x', startsAt: '2030-05-01T08:00:00Z', endsAt });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({
        code: 'BAD_REQUEST',
        details: [{ field: 'endsAt', errors: expect.any(Array) }],
      });
    }
    const s = await socketOf(owner);
    await expect(
      s.request('calendar.event.create', {
        data: {
          calendarId: id,
          title: 'x',
          startsAt: '2030-05-01T09:00:00Z',
          endsAt: '2030-05-01T08:00:00Z',
        },
      }),
    ).resolves.toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
      details: [{ field: 'endsAt' }],
    });
    const patch = await api()
      .patch(`/api/calendar-events/${res.body.id}`)
      .set(bearer(owner))
      .send({ version: 1, endsAt: '2030-05-01T07:59:59Z' });
    expect(patch.status).toBe(400);
    expect(patch.body.details).toEqual([{ field: 'endsAt', errors: expect.any(Array) }]);
    for (const bad of [
      { title: 'x', startsAt: 'tomorrow', endsAt: '2030-05-01T08:00:00Z' },
      { title: 'x', startsAt: '2030-02-30T08:00:00Z', endsAt: '2030-03-01T08:00:00Z' },
      { title: 'x', startsAt: '2030-05-01T08:00:00Z' },
      {
        title: 'x',
        startsAt: '2030-05-01T08:00:00Z',
        endsAt: '2030-05-01T09:00:00Z',
        attendeeIds: ['nope'],
      },
      {
        title: 'x',
        startsAt: '2030-05-01T08:00:00Z',
        endsAt: '2030-05-01T09:00:00Z',
        color: 'red',
      },
    ]) {
      const r = await api().post(`/api/calendars/${id}/events`).set(bearer(owner)).send(bad);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('BAD_REQUEST');
    }
    const unknownAttendee = await api()
      .post(`/api/calendars/${id}/events`)
      .set(bearer(owner))
      .send({
        title: 'x',
        startsAt: '2030-05-01T08:00:00Z',
        endsAt: '2030-05-01T09:00:00Z',
        attendeeIds: ['00000000-0000-4000-8000-000000000000'],
      });
    expect(unknownAttendee.status).toBe(400);
    expect(unknownAttendee.body.details).toEqual([
      { field: 'attendeeIds', errors: expect.any(Array) },
    ]);
  });

  it('range queries are half-open: an event ending exactly at from or starting exactly at to is excluded', async () => {
    const id = await sharedCalendar();
    const before = await event(id, '2030-06-01T10:00:00Z', '2030-06-01T11:00:00Z', 'ends at from');
    const inside = await event(
      id,
      '2030-06-01T11:00:00Z',
      '2030-06-01T12:00:00Z',
      'exactly the range',
    );
    const after = await event(id, '2030-06-01T12:00:00Z', '2030-06-01T13:00:00Z', 'starts at to');
    const spanning = await event(id, '2030-06-01T09:00:00Z', '2030-06-01T14:00:00Z', 'spans it');
    const partly = await event(id, '2030-06-01T11:59:59.999Z', '2030-06-01T12:30:00Z', 'last ms');
    const range = async (from: string, to: string, user = reader) => {
      const res = await api()
        .get(`/api/calendars/${id}/events`)
        .query({ from, to })
        .set(bearer(user));
      expect(res.status).toBe(200);
      return (res.body.items as CalEvent[]).map((e) => e.title);
    };
    expect(await range('2030-06-01T11:00:00Z', '2030-06-01T12:00:00Z')).toEqual([
      spanning.title,
      inside.title,
      partly.title,
    ]);
    expect(await range('2030-06-01T11:00:00+00:00', '2030-06-01T13:59:59+02:00')).toEqual([
      spanning.title,
      inside.title,
    ]);
    expect(await range('2030-06-01T10:59:59.999Z', '2030-06-01T11:00:00Z')).toEqual([
      spanning.title,
      before.title,
    ]);
    expect(await range('2030-06-01T13:00:00Z', '2030-06-01T14:00:00Z')).toEqual([spanning.title]);
    expect(await range('2030-06-01T14:00:00Z', '2030-06-02T00:00:00Z')).toEqual([]);
    expect(after.title).toBe('starts at to');
    // An unencoded "+" in the query arrives as a space: still read as the offset sign.
    const raw = await api()
      .get(
        `/api/calendars/${id}/events?from=2030-06-01T12:00:00+02:00&to=2030-06-01T13:00:00+02:00`,
      )
      .set(bearer(owner));
    expect(raw.status).toBe(200);
    expect(raw.body.items.map((e: CalEvent) => e.title)).toEqual([spanning.title, before.title]);

    for (const q of [
      {},
      { from: '2030-06-01T11:00:00Z' },
      { to: '2030-06-01T11:00:00Z' },
      { from: 'yesterday', to: '2030-06-01T11:00:00Z' },
      { from: '2030-06-01T11:00:00Z', to: '2030-06-01T11:00:00Z' },
      { from: '2030-06-01T12:00:00Z', to: '2030-06-01T11:00:00Z' },
      // The range pages (limit 1..100, a cursor it gave); other fields are unknown.
      { from: '2030-06-01T11:00:00Z', to: '2030-06-01T12:00:00Z', limit: 101 },
      { from: '2030-06-01T11:00:00Z', to: '2030-06-01T12:00:00Z', cursor: 'x' },
      { from: '2030-06-01T11:00:00Z', to: '2030-06-01T12:00:00Z', page: 2 },
    ]) {
      const res = await api().get(`/api/calendars/${id}/events`).query(q).set(bearer(owner));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BAD_REQUEST');
      expect(res.body.details).toEqual(expect.any(Array));
    }
    const denied = await api()
      .get(`/api/calendars/${id}/events`)
      .query({ from: '2030-06-01T11:00:00Z', to: '2030-06-01T12:00:00Z' })
      .set(bearer(outsider));
    expect(denied.status).toBe(403);
  });

  it('the range query is served by the (calendar_id, starts_at, ends_at) index', async () => {
    const id = await sharedCalendar();
    const sql = await sqlClient(t.databaseUrl);
    try {
      await sql.query('BEGIN');
      await sql.query('SET LOCAL enable_seqscan = off');
      const plan = await sql.query(
        `EXPLAIN SELECT * FROM calendar_events
          WHERE calendar_id = $1 AND starts_at < $2 AND ends_at > $3 ORDER BY starts_at`,
        [id, '2030-06-02T00:00:00Z', '2030-06-01T00:00:00Z'],
      );
      await sql.query('ROLLBACK');
      const text = plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      expect(text).toContain('calendar_events_range_idx');
    } finally {
      await sql.end();
    }
  });

  it('readers cannot write (FORBIDDEN on both transports); writers and the owner can', async () => {
    const id = await sharedCalendar();
    const e = await event(id, '2030-07-01T10:00:00Z', '2030-07-01T11:00:00Z');
    const body = { title: 'x', startsAt: '2030-07-02T10:00:00Z', endsAt: '2030-07-02T11:00:00Z' };
    for (const u of [reader, outsider]) {
      const create = await api().post(`/api/calendars/${id}/events`).set(bearer(u)).send(body);
      expect(create.status).toBe(403);
      expect(create.body.code).toBe('FORBIDDEN');
      const patch = await api()
        .patch(`/api/calendar-events/${e.id}`)
        .set(bearer(u))
        .send({ version: 1, title: 'y' });
      expect(patch.status).toBe(403);
      const del = await api().delete(`/api/calendar-events/${e.id}?version=1`).set(bearer(u));
      expect(del.status).toBe(403);
      const s = await socketOf(u);
      await expect(
        s.request('calendar.event.create', { data: { calendarId: id, ...body } }),
      ).resolves.toMatchObject({
        type: 'error',
        code: 'FORBIDDEN',
      });
      await expect(
        s.request('calendar.event.update', { data: { eventId: e.id, version: 1, title: 'y' } }),
      ).resolves.toMatchObject({ type: 'error', code: 'FORBIDDEN' });
      await expect(
        s.request('calendar.event.delete', { data: { eventId: e.id, version: 1 } }),
      ).resolves.toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    }
    const rs = await socketOf(reader);
    await expect(rs.request('subscribe', { channel: `calendar:${id}` })).resolves.toMatchObject({
      type: 'subscribed',
    });
    const os = await socketOf(outsider);
    await expect(os.request('subscribe', { channel: `calendar:${id}` })).resolves.toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    const ws = await socketOf(writer);
    await expect(
      ws.request('calendar.event.create', { data: { calendarId: id, ...body } }),
    ).resolves.toMatchObject({
      type: 'ack',
      data: { title: 'x', createdBy: writer.id },
    });
    const check = await api()
      .get(`/api/calendars/${id}/events`)
      .query({ from: '2030-07-01T00:00:00Z', to: '2030-07-03T00:00:00Z' })
      .set(bearer(reader));
    expect(check.body.items.map((x: CalEvent) => [x.title, x.version])).toEqual([
      ['e', 1],
      ['x', 1],
    ]);
  });

  it('changes are persisted events on calendar:{id}; stale versions are CONFLICT with details.current', async () => {
    const id = await sharedCalendar();
    const watcher = await socketOf(reader);
    await watcher.request('subscribe', { channel: `calendar:${id}` });
    const s = await socketOf(writer);
    const created = await s.request('calendar.event.create', {
      data: {
        calendarId: id,
        title: 'Review',
        startsAt: '2030-08-01T10:00:00Z',
        endsAt: '2030-08-01T11:00:00Z',
      },
    });
    expect(created).toMatchObject({ type: 'ack', data: { title: 'Review', version: 1 } });
    const ev = created.data as CalEvent;
    const upd = await api()
      .patch(`/api/calendar-events/${ev.id}`)
      .set(bearer(owner))
      .send({ version: 1, title: 'Review v2', endsAt: '2030-08-01T12:00:00Z' });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({
      title: 'Review v2',
      version: 2,
      endsAt: '2030-08-01T12:00:00.000Z',
    });
    const stale = await s.request('calendar.event.update', {
      data: { eventId: ev.id, version: 1, title: 'mine' },
    });
    expect(stale).toMatchObject({
      type: 'error',
      code: 'CONFLICT',
      details: { current: { id: ev.id, title: 'Review v2', version: 2 } },
    });
    const staleRest = await api()
      .delete(`/api/calendar-events/${ev.id}?version=1`)
      .set(bearer(owner));
    expect(staleRest.status).toBe(409);
    expect(staleRest.body.details.current).toMatchObject({ version: 2 });
    await expect(
      s.request('calendar.event.delete', { data: { eventId: ev.id, version: 2 } }),
    ).resolves.toMatchObject({
      type: 'ack',
      data: { id: ev.id, calendarId: id },
    });
    expect((await api().delete(`/api/calendar-events/${ev.id}`).set(bearer(owner))).status).toBe(
      404,
    );
    const events = await watcher.waitEvents(`calendar:${id}`, 3);
    expect(events.map((e) => [e.event, e.offset])).toEqual([
      ['calendar.event.created', 1],
      ['calendar.event.updated', 2],
      ['calendar.event.deleted', 3],
    ]);
    expect(events[1].data).toMatchObject({ id: ev.id, title: 'Review v2', version: 2 });
  });

  it('invited attendees get a notification; only new attendees on update', async () => {
    const id = await sharedCalendar();
    const rs = await socketOf(reader);
    const os = await socketOf(outsider);
    const res = await api()
      .post(`/api/calendars/${id}/events`)
      .set(bearer(owner))
      .send({
        title: 'Planning',
        startsAt: '2030-09-01T10:00:00Z',
        endsAt: '2030-09-01T11:00:00Z',
        attendeeIds: [reader.id, owner.id],
      });
    expect(res.status).toBe(201);
    // Earlier tests' unacknowledged invitations are pushed at connect too: match this event.
    const invited = (f: { type: string; event?: unknown; data?: unknown }) =>
      f.type === 'event' &&
      f.event === 'notification.created' &&
      (f.data as { type: string }).type === 'calendar.event.invited' &&
      (f.data as { link: string }).link === `/calendars/${id}?event=${res.body.id}`;
    const n = await rs.next(invited, 10000);
    expect(n.data).toMatchObject({
      type: 'calendar.event.invited',
      title: expect.stringContaining('Planning'),
      link: `/calendars/${id}?event=${res.body.id}`,
    });
    await api()
      .patch(`/api/calendar-events/${res.body.id}`)
      .set(bearer(owner))
      .send({ version: 1, attendeeIds: [reader.id, owner.id, outsider.id] });
    await os.next(invited, 10000);
    const sql = await sqlClient(t.databaseUrl);
    try {
      const rows = await sql.query(
        `SELECT user_id, count(*)::int AS n FROM notifications
          WHERE type = 'calendar.event.invited' AND entity_id = $1 GROUP BY user_id ORDER BY user_id`,
        [res.body.id],
      );
      expect(
        Object.fromEntries(rows.rows.map((r: { user_id: string; n: number }) => [r.user_id, r.n])),
      ).toEqual({
        [reader.id]: 1,
        [outsider.id]: 1,
      });
    } finally {
      await sql.end();
    }
  });

  it('unsharing revokes the calendar channel at once', async () => {
    const id = await sharedCalendar();
    const rs = await socketOf(reader);
    await rs.request('subscribe', { channel: `calendar:${id}` });
    const res = await api().delete(`/api/calendars/${id}/shares/${reader.id}`).set(bearer(owner));
    expect(res.status).toBe(204);
    await rs.next((f) => f.type === 'unsubscribed' && f.channel === `calendar:${id}`);
    await expect(rs.request('subscribe', { channel: `calendar:${id}` })).resolves.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(
      (await api().delete(`/api/calendars/${id}/shares/${reader.id}`).set(bearer(owner))).status,
    ).toBe(404);
    // A user may drop a calendar shared with them.
    expect(
      (await api().delete(`/api/calendars/${id}/shares/${writer.id}`).set(bearer(writer))).status,
    ).toBe(204);
  });
});
