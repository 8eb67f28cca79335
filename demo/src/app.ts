import {
  connect,
  RtError,
  type RealtimeClient,
  type RecoveryInfo,
  type Subscription,
} from '../../client/src/index.js';
import { Api, Auth } from './api.js';
import type {
  Announcement,
  Board,
  BoardSummary,
  CalendarEvent,
  CalendarInfo,
  Card,
  ChosenStatus,
  CommandMap,
  EventMap,
  Message,
  MyConversation,
  NotificationPage,
  Page,
  Presence,
  User,
} from './protocol.js';
import {
  addPending,
  applyEvent,
  expireTyping,
  initialState,
  knownUserIds,
  mergeConversations,
  mergeHistory,
  openingBoard,
  notificationsChanged,
  receiveMessage,
  setBoard,
  setCalendarEvents,
  setNotifications,
  setPresence,
  settlePending,
  Store,
  upsertCalendarEvent,
  upsertCard,
  type DemoEvent,
  type Route,
  type View,
} from './store.js';
import { addDays } from './week.js';

type DemoClient = RealtimeClient<EventMap, CommandMap>;

const HISTORY_PAGE = 30;
/** A `typing: true` goes out at most this often while the user keeps typing. */
const TYPING_EVERY_MS = 3000;
/** Then `typing: false` this long after the last key. */
const TYPING_IDLE_MS = 4000;
const NOTICE_MS = 6000;
const DEFAULT_COLUMNS = ['To do', 'Doing', 'Done'];

export function parseHash(hash: string): Route {
  const [view, id] = hash.replace(/^#\/?/, '').split('/');
  const views: View[] = ['chat', 'board', 'calendar'];
  return {
    view: views.includes(view as View) ? (view as View) : 'chat',
    id: id ? decodeURIComponent(id) : null,
  };
}

/**
 * A random id for `clientMsgId`. `crypto.randomUUID` exists only on secure
 * pages (https, localhost), and the demo may be opened over plain http on a
 * LAN address; `getRandomValues` works on every page.
 */
function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The demo's one controller: it owns the connection and the REST API, turns
 * the user's actions into commands, and feeds every answer and channel event
 * into the store. Components call its methods and render the store.
 */
export class DemoApp {
  readonly store = new Store();
  private readonly auth = new Auth();
  private readonly api = new Api(this.auth);
  private rt: DemoClient | null = null;
  /** Channels followed, by name. */
  private readonly subs = new Map<string, Subscription>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private typingSentAt = 0;
  /** Conversation → the message a `chat.read` went out for, so it goes once. */
  private readonly readSent = new Map<string, string>();

  /** Restores this tab's session, if any, and follows the URL's hash. */
  start(): void {
    window.addEventListener('hashchange', () => void this.guard(this.applyRoute()));
    document.addEventListener('visibilitychange', () => this.markOpenRead());
    const user = this.auth.restore();
    if (user) void this.guard(this.begin(user));
  }

  // ---- session -----------------------------------------------------------------

  async signIn(
    mode: 'login' | 'register',
    form: { email: string; password: string; displayName: string },
  ): Promise<void> {
    const user =
      mode === 'login'
        ? await this.auth.login(form.email, form.password)
        : await this.auth.register(form.email, form.password, form.displayName);
    await this.begin(user);
  }

  signOut(message: string | null = null): void {
    this.rt?.close();
    this.rt = null;
    this.subs.clear();
    this.readSent.clear();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.auth.signOut();
    this.store.update(() => ({ ...initialState, notice: message }));
  }

  private async begin(user: User): Promise<void> {
    this.store.update(() => ({
      ...initialState,
      me: user,
      names: { [user.id]: user.displayName },
      route: parseHash(location.hash),
    }));
    const rt = connect<EventMap, CommandMap>({
      url: location.origin,
      getToken: async (reason) => {
        const token = await this.auth.token(reason === 'rejected');
        // No token: the refresh token was refused and this login is over. The
        // client is closed before it could connect anonymously with the null.
        if (token === null) this.signOut('Your session has ended');
        return token;
      },
    });
    this.rt = rt;
    rt.on('state', ({ state, transport, retryInMs }) =>
      this.store.update((s) => ({ ...s, connection: { state, transport, retryInMs } })),
    );
    rt.on('closed', ({ code }) => {
      if (code === 4401 && this.rt === rt) this.signOut('Your session has ended');
    });
    // The server subscribes every socket to the user's channel; following it
    // explicitly makes the client resume it after a drop.
    this.follow(`user:${user.id}`, () => this.reloadUserChannel());
    this.follow('presence', () => this.loadPresence());
    this.follow('announcements', () => this.loadAnnouncements());
    await Promise.all([
      this.loadConversations(),
      this.loadNotifications(),
      this.loadBoards(),
      this.loadCalendars(),
      this.loadAnnouncements(),
    ]);
    await this.loadPresence();
    await this.applyRoute();
  }

  /** Runs an action for its effect, showing its failure instead of losing it. */
  async guard(action: Promise<unknown>): Promise<void> {
    try {
      await action;
    } catch (err) {
      // REST refused even a refreshed token: the login is over.
      if (err instanceof RtError && err.status === 401) this.signOut('Your session has ended');
      else this.notify(errorText(err));
    }
  }

  notify(message: string): void {
    this.store.update((s) => ({ ...s, notice: message }));
    this.later('notice', NOTICE_MS, () => this.store.update((s) => ({ ...s, notice: null })));
  }

  private later(key: string, ms: number, fn: () => void): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, ms),
    );
  }

  private get client(): DemoClient {
    if (!this.rt) throw new Error('Not signed in');
    return this.rt;
  }

  private get me(): User {
    const me = this.store.state.me;
    if (!me) throw new Error('Not signed in');
    return me;
  }

  // ---- channels ------------------------------------------------------------------

  /**
   * Follows a channel into the store. When the server could not replay what
   * was missed (`recovered: false`), `reload` fetches the state over REST.
   */
  private follow(channel: string, reload: () => Promise<void>, since?: number): void {
    if (this.subs.has(channel)) return;
    const sub = this.client.subscribe(channel, (e) => this.onEvent(e), {
      since,
      onRecovery: (r: RecoveryInfo) => {
        if (!r.recovered) void this.guard(reload());
      },
      onError: (err) => {
        this.subs.delete(channel);
        this.notify(`${channel}: ${err.message}`);
      },
    });
    this.subs.set(channel, sub);
  }

  private unfollow(channel: string): void {
    this.subs.get(channel)?.unsubscribe();
    this.subs.delete(channel);
  }

  private onEvent(e: DemoEvent): void {
    this.store.update((s) => applyEvent(s, e, Date.now()));
    switch (e.event) {
      case 'chat.message.created':
        if (e.data.senderId !== this.me.id) this.markOpenRead();
        break;
      case 'chat.typing':
        // One timer for every indicator: each typist's `typing: true` comes
        // with the same time to live, so the latest one expires last.
        if (e.data.typing) {
          const ms = (e.data.expiresInMs ?? 8000) + 50;
          this.later('typing', ms, () => this.store.update((s) => expireTyping(s, Date.now())));
        }
        break;
      case 'chat.conversation.created':
        this.follow(
          `chat:${e.data.id}`,
          () => this.reloadConversation(e.data.id),
          e.data.channelOffset,
        );
        void this.guard(this.loadPresence());
        break;
      case 'chat.participant.added':
        void this.guard(this.loadConversations());
        break;
      case 'chat.participant.removed':
        if (e.data.userId === this.me.id) this.unfollow(`chat:${e.data.conversationId}`);
        break;
      case 'notification.created':
        // The count is the server's: a notification pushed again at connect
        // (unacknowledged) may be older than the page the bell holds.
        this.later('notifications', 500, () => void this.guard(this.loadNotifications()));
        break;
      case 'board.member.removed':
        if (e.data.userId === this.me.id) this.unfollow(`board:${e.data.boardId}`);
        break;
      default:
        break;
    }
  }

  private async reloadUserChannel(): Promise<void> {
    await Promise.all([this.loadConversations(), this.loadNotifications()]);
  }

  // ---- routing -------------------------------------------------------------------

  navigate(view: View, id: string | null = null): void {
    location.hash = id ? `#/${view}/${encodeURIComponent(id)}` : `#/${view}`;
  }

  /** Opens what the hash names (or the first board or calendar when it names none). */
  private async applyRoute(): Promise<void> {
    if (!this.rt) return;
    const route = parseHash(location.hash);
    const s = this.store.state;
    if (route.id === null && route.view === 'board' && s.boards[0]) {
      return this.navigate('board', s.boards[0].id);
    }
    if (route.id === null && route.view === 'calendar' && s.calendars[0]) {
      return this.navigate('calendar', s.calendars[0].id);
    }
    const previous = s.route;
    this.store.update((st) => ({ ...st, route }));
    if (previous.view === 'board' && previous.id && previous.id !== route.id) {
      this.unfollow(`board:${previous.id}`);
    }
    if (previous.view === 'calendar' && previous.id && previous.id !== route.id) {
      this.unfollow(`calendar:${previous.id}`);
    }
    if (!route.id) return;
    if (route.view === 'chat') await this.openConversation(route.id);
    if (route.view === 'board') await this.openBoard(route.id);
    if (route.view === 'calendar') await this.openCalendar(route.id);
  }

  // ---- chat ------------------------------------------------------------------------

  async loadConversations(): Promise<void> {
    const page = await this.api.get<Page<MyConversation>>('/api/conversations?limit=100');
    this.store.update((s) => mergeConversations(s, page.items));
    for (const c of page.items) this.follow(`chat:${c.id}`, () => this.reloadConversation(c.id));
  }

  /** After events were lost for good: the list, and the open history from scratch. */
  private async reloadConversation(id: string): Promise<void> {
    this.store.update((s) => {
      const { [id]: _dropped, ...history } = s.history;
      return { ...s, history };
    });
    await this.loadConversations();
    if (this.store.state.route.id === id) await this.loadHistory(id, false);
  }

  private async openConversation(id: string): Promise<void> {
    if (!this.store.state.history[id]?.loaded) await this.loadHistory(id, false);
    this.markOpenRead();
  }

  /** The newest page, or with `older` the page before the oldest loaded message. */
  async loadHistory(id: string, older: boolean): Promise<void> {
    const params = new URLSearchParams({ limit: String(HISTORY_PAGE) });
    const cursor = this.store.state.history[id]?.nextCursor;
    if (older) {
      if (!cursor) return;
      params.set('before', cursor);
    }
    const page = await this.api.get<Page<Message>>(`/api/conversations/${id}/messages?${params}`);
    this.store.update((s) => mergeHistory(s, id, page, older));
  }

  async startConversation(userId: string, title: string): Promise<void> {
    const body = title ? { participantIds: [userId], title } : { participantIds: [userId] };
    const conv = await this.api.post<MyConversation>('/api/conversations', body);
    await this.loadConversations();
    this.navigate('chat', conv.id);
  }

  /**
   * Sends a message. It shows as pending at once; while offline the client
   * queues it, and its `clientMsgId` makes a resend after a drop harmless.
   */
  async send(
    conversationId: string,
    content: string,
    clientMsgId: string = newId(),
  ): Promise<void> {
    this.clearTimer('typing-stop');
    this.typingSentAt = 0;
    this.store.update((s) =>
      addPending(settlePending(s, clientMsgId, false), {
        clientMsgId,
        conversationId,
        content,
        failed: false,
      }),
    );
    try {
      const message = await this.client.request(
        'chat.send',
        { conversationId, content, clientMsgId },
        { timeoutMs: 0 },
      );
      this.store.update((s) => receiveMessage(s, message));
    } catch (err) {
      this.store.update((s) => settlePending(s, clientMsgId, true));
      this.notify(`Not sent: ${errorText(err)}`);
    }
  }

  /** The user typed in the composer: tell the others, at most every few seconds. */
  typing(conversationId: string): void {
    // Typing is of the moment: never queued for later, never worth a retry.
    if (this.rt?.state !== 'open') return;
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_EVERY_MS) {
      this.typingSentAt = now;
      this.sendTyping(conversationId, true);
    }
    this.later('typing-stop', TYPING_IDLE_MS, () => {
      this.typingSentAt = 0;
      this.sendTyping(conversationId, false);
    });
  }

  private sendTyping(conversationId: string, typing: boolean): void {
    if (this.rt?.state !== 'open') return;
    this.rt
      .request('chat.typing', { conversationId, typing }, { timeoutMs: 5000 })
      .catch(() => undefined);
  }

  private clearTimer(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  /** Marks the open conversation read up to its newest message, once per message. */
  markOpenRead(): void {
    const s = this.store.state;
    const id = s.route.view === 'chat' ? s.route.id : null;
    if (!id || document.visibilityState !== 'visible' || !this.rt) return;
    const conv = s.conversations[id];
    const items = s.history[id]?.items ?? [];
    const newest = items[items.length - 1];
    if (!conv || !newest || newest.id === conv.lastReadMessageId) return;
    // Sending moved my read cursor to my message already (the server does it).
    if (newest.senderId === this.me.id && conv.unreadCount === 0) return;
    if (this.readSent.get(id) === newest.id) return;
    this.readSent.set(id, newest.id);
    this.rt.request('chat.read', { conversationId: id, messageId: newest.id }).then(
      (state) =>
        this.store.update((st) => {
          const c = st.conversations[id];
          if (!c) return st;
          const updated = { ...c, ...state };
          return { ...st, conversations: { ...st.conversations, [id]: updated } };
        }),
      () => this.readSent.delete(id),
    );
  }

  // ---- notifications ---------------------------------------------------------------

  async loadNotifications(): Promise<void> {
    const page = await this.api.get<NotificationPage>('/api/notifications?limit=20');
    this.store.update((s) => setNotifications(s, page));
  }

  /**
   * The bell was opened: the notifications it shows are acknowledged (seen),
   * so the server stops pushing them again at every connect. They stay unread.
   */
  async acknowledgeShown(): Promise<void> {
    const shown = this.store.state.notifications.items;
    const ids = shown.filter((n) => !n.ackedAt && !n.readAt).map((n) => n.id);
    if (ids.length === 0) return;
    const change = await this.client.request('notification.ack', { ids });
    this.store.update((s) => notificationsChanged(s, change));
  }

  async markRead(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const change = await this.client.request('notification.read', { ids });
    // The event brings the same change; the ack is applied now for a prompt bell.
    this.store.update((s) => notificationsChanged(s, change));
  }

  async markAllRead(): Promise<void> {
    await this.api.post('/api/notifications/read', { all: true });
    await this.loadNotifications();
  }

  /** A notification's link (`/conversations/:id`) opens that conversation here. */
  openLink(link: string | undefined): void {
    const conv = /^\/conversations\/([^/]+)$/.exec(link ?? '');
    if (conv) this.navigate('chat', conv[1]);
  }

  // ---- boards ------------------------------------------------------------------------

  async loadBoards(): Promise<void> {
    const list = await this.api.get<{ items: BoardSummary[] }>('/api/boards');
    this.store.update((s) => ({ ...s, boards: list.items }));
  }

  private async openBoard(id: string): Promise<void> {
    // Created or joined since the list was read.
    if (!this.store.state.boards.some((b) => b.id === id)) await this.loadBoards();
    if (this.store.state.board?.id !== id) this.resetBoard(id);
    // Subscribed before the board is read, so no change falls between the two.
    // Events lost for good: read the board again from scratch (deleted cards too).
    this.follow(`board:${id}`, async () => {
      this.resetBoard(id);
      await this.loadBoard(id);
    });
    await this.loadBoard(id);
    await this.loadPresence();
  }

  private resetBoard(id: string): void {
    const name = this.store.state.boards.find((b) => b.id === id)?.name ?? '';
    this.store.update((s) => openingBoard(s, id, name));
  }

  private async loadBoard(id: string): Promise<void> {
    const board = await this.api.get<Board>(`/api/boards/${id}`);
    this.store.update((s) => setBoard(s, board));
  }

  async createBoard(name: string): Promise<void> {
    const board = await this.api.post<Board>('/api/boards', { name });
    for (const title of DEFAULT_COLUMNS) {
      await this.client.request('board.column.create', { boardId: board.id, title });
    }
    await this.loadBoards();
    this.navigate('board', board.id);
  }

  async addBoardMember(boardId: string, userId: string): Promise<void> {
    await this.api.post(`/api/boards/${boardId}/members`, { userId, role: 'editor' });
    await this.loadBoard(boardId);
    await this.loadPresence();
  }

  async addColumn(boardId: string, title: string): Promise<void> {
    await this.client.request('board.column.create', { boardId, title });
  }

  async addCard(boardId: string, columnId: string, title: string): Promise<void> {
    const card = await this.client.request('board.card.create', { boardId, columnId, title });
    this.store.update((s) => upsertCard(s, card));
  }

  /**
   * Moves a card with the version the user saw. If someone changed it first
   * (CONFLICT), the board takes the card's current state from the error and
   * the user decides again.
   */
  async moveCard(cardId: string, toColumnId: string, afterCardId: string | null): Promise<void> {
    const card = this.store.state.board?.cards[cardId];
    if (!card || afterCardId === cardId) return;
    try {
      const moved = await this.client.request('board.card.move', {
        cardId,
        version: card.version,
        toColumnId,
        afterCardId,
      });
      this.store.update((s) => upsertCard(s, moved));
    } catch (err) {
      if (!(err instanceof RtError) || err.code !== 'CONFLICT') throw err;
      const current = (err.details as { current?: Card } | undefined)?.current;
      if (current) this.store.update((s) => upsertCard(s, current));
      this.notify(`"${card.title}" was changed by someone else meanwhile: the board shows it now`);
    }
  }

  // ---- calendar ---------------------------------------------------------------------

  async loadCalendars(): Promise<void> {
    const list = await this.api.get<{ items: CalendarInfo[] }>('/api/calendars');
    this.store.update((s) => ({ ...s, calendars: list.items }));
  }

  private async openCalendar(id: string): Promise<void> {
    this.store.update((s) => ({ ...s, calendarEvents: {} }));
    // Created or shared with us since the list was read.
    if (!this.store.state.calendars.some((c) => c.id === id)) await this.loadCalendars();
    // Events lost for good: read the week again from scratch (deleted events too).
    this.follow(`calendar:${id}`, () => this.openCalendar(id));
    await this.loadWeek();
  }

  async showWeek(weekStart: number): Promise<void> {
    this.store.update((s) => ({ ...s, weekStart }));
    await this.loadWeek();
  }

  private async loadWeek(): Promise<void> {
    const { route, weekStart } = this.store.state;
    if (route.view !== 'calendar' || !route.id) return;
    const from = new Date(weekStart);
    const params = new URLSearchParams({
      from: from.toISOString(),
      to: addDays(from, 7).toISOString(),
    });
    const list = await this.api.get<{ items: CalendarEvent[] }>(
      `/api/calendars/${route.id}/events?${params}`,
    );
    this.store.update((s) => setCalendarEvents(s, list.items));
  }

  async createCalendar(name: string): Promise<void> {
    const cal = await this.api.post<CalendarInfo>('/api/calendars', { name });
    await this.loadCalendars();
    this.navigate('calendar', cal.id);
  }

  async shareCalendar(calendarId: string, userId: string): Promise<void> {
    await this.api.post(`/api/calendars/${calendarId}/shares`, { userId, access: 'write' });
  }

  async createEvent(
    calendarId: string,
    title: string,
    startsAt: Date,
    endsAt: Date,
  ): Promise<void> {
    const event = await this.client.request('calendar.event.create', {
      calendarId,
      title,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
    });
    this.store.update((s) => upsertCalendarEvent(s, event));
  }

  async deleteEvent(event: CalendarEvent): Promise<void> {
    await this.client.request('calendar.event.delete', {
      eventId: event.id,
      version: event.version,
    });
  }

  // ---- presence and announcements ------------------------------------------------------

  async loadPresence(): Promise<void> {
    const ids = [this.me.id, ...knownUserIds(this.store.state)].slice(0, 100);
    const list = await this.api.get<Presence[]>(`/api/presence?userIds=${ids.join(',')}`);
    this.store.update((s) => setPresence(s, list));
  }

  async setStatus(status: ChosenStatus): Promise<void> {
    const p = await this.client.request('presence.set', { status });
    this.store.update((s) => setPresence(s, [p]));
  }

  async loadAnnouncements(): Promise<void> {
    const list = await this.api.get<{ items: Announcement[] }>('/api/announcements');
    this.store.update((s) => ({ ...s, announcements: list.items }));
  }
}
