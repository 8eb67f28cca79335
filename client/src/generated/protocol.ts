// Generated from the server's AsyncAPI document (GET /docs/asyncapi) by
// `npm run generate:client-types`: do not edit. Its sources are the server's
// view and DTO classes, the event declarations (src/<module>/<module>.events.ts)
// and the gateways' commands; a test fails when this file falls behind them.

export interface AckNotificationsBody {
  ids: string[];
}

export interface AnnouncementView {
  id: string;
  title: string;
  body: string;
  authorId: string | null;
  expiresAt: string | null;
  createdAt: string;
}

export interface CalendarEventDeletedView {
  id: string;
  calendarId: string;
  /** The version the event had when it was deleted */
  version: number;
}

export interface CalendarEventView {
  id: string;
  calendarId: string;
  title: string;
  description: string | null;
  startsAt: string;
  /** Exclusive end */
  endsAt: string;
  allDay: boolean;
  attendeeIds: string[];
  reminderMinutes: number | null;
  createdBy: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface CardDeletedView {
  id: string;
  boardId: string;
  columnId: string;
  /** The version the card had when it was deleted */
  version: number;
}

export interface CardMovedView {
  id: string;
  boardId: string;
  columnId: string;
  title: string;
  description: string | null;
  assigneeId: string | null;
  dueAt: string | null;
  labels: string[];
  /** Fractional index key: cards of a column sort by it (bytewise) */
  position: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  fromColumnId: string;
}

export interface CardView {
  id: string;
  boardId: string;
  columnId: string;
  title: string;
  description: string | null;
  assigneeId: string | null;
  dueAt: string | null;
  labels: string[];
  /** Fractional index key: cards of a column sort by it (bytewise) */
  position: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ColumnDeletedView {
  id: string;
  boardId: string;
  /** The version the column had when it was deleted */
  version: number;
}

export interface ColumnView {
  id: string;
  boardId: string;
  title: string;
  /** Fractional index key: columns sort by it (bytewise) */
  position: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ConversationJoinedView {
  id: string;
  type: 'direct' | 'group';
  title: string | null;
  /** The group's owner (null for direct conversations) */
  ownerId: string | null;
  participantIds: string[];
  participants: ParticipantView[];
  createdAt: string;
  lastActivityAt: string;
  /** The conversation channel's offset when the user joined: subscribing with `since` set to it receives every later event */
  channelOffset: number;
}

export interface CreateCardCommand {
  boardId: string;
  description?: string | null;
  /** A member of the board */
  assigneeId?: string | null;
  dueAt?: string | null;
  labels?: string[];
  columnId: string;
  title: string;
  /** Left out: bottom of the column; null: top; else right after that card */
  afterCardId?: string | null;
}

export interface CreateColumnCommand {
  boardId: string;
  title: string;
  /** Left out: last column; null: first; else right after that column */
  afterColumnId?: string | null;
}

export interface CreateEventCommand {
  calendarId: string;
  description?: string | null;
  allDay?: boolean;
  /** User ids; new attendees are notified */
  attendeeIds?: string[];
  /** A reminder notification this many minutes before startsAt (null: none) */
  reminderMinutes?: number | null;
  title: string;
  startsAt: string;
  /** Must be after startsAt */
  endsAt: string;
}

export interface DeleteCardCommand {
  cardId: string;
  /** The version the client last saw; a stale one is CONFLICT */
  version: number;
}

export interface DeleteColumnCommand {
  columnId: string;
  /** The version the client last saw; a stale one is CONFLICT */
  version: number;
}

export interface DeleteEventCommand {
  eventId: string;
  /** The version the client last saw; a stale one is CONFLICT */
  version: number;
}

export interface DeleteMessageCommand {
  messageId: string;
}

export interface EditMessageCommand {
  content: string;
  contentType?: 'text' | 'markdown';
  messageId: string;
}

export interface MemberChangedView {
  boardId: string;
  userId: string;
  displayName: string;
  role: 'owner' | 'editor' | 'viewer';
  /** The board's version after the change */
  boardVersion: number;
}

export interface MemberRemovedView {
  boardId: string;
  userId: string;
  /** The board's version after the change */
  boardVersion: number;
}

export interface MessageView {
  id: string;
  conversationId: string;
  senderId: string;
  /** As sent; empty once deleted (the tombstone keeps its place) */
  content: string;
  contentType: 'text' | 'markdown';
  /** The sender's idempotency key, when one was given */
  clientMsgId?: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
}

export interface MoveCardCommand {
  cardId: string;
  /** The version the client last saw; a stale one is CONFLICT */
  version: number;
  toColumnId: string;
  /** null: top of the column; else right after that card (left out: bottom) */
  afterCardId?: string | null;
}

export interface NotificationEventView {
  id: string;
  type: string;
  title: string;
  body: string;
  link?: string;
  readAt: string | null;
  createdAt: string;
}

export interface NotificationStateChangeView {
  /** The given ids whose state changed */
  ids: string[];
  /** Set by a read */
  readAt?: string;
  /** Set by an ack */
  ackedAt?: string;
  unreadCount: number;
}

export interface ParticipantRemovedView {
  conversationId: string;
  /** Who left or was removed */
  userId: string;
  /** Who removed them (themselves when leaving) */
  by: string;
  /** The owner afterwards (it moves on when the owner leaves) */
  ownerId: string | null;
}

export interface ParticipantView {
  userId: string;
  displayName: string;
  joinedAt: string;
}

export interface ParticipantsAddedView {
  conversationId: string;
  /** Who joined */
  userIds: string[];
  /** Who added them */
  by: string;
}

export interface PresenceView {
  userId: string;
  status: 'online' | 'away' | 'dnd' | 'offline';
  /** When the user was last seen (came online, changed status or disconnected) */
  lastSeenAt: string | null;
}

export interface PublishAnnouncementBody {
  title: string;
  body: string;
  /** In the future; left out or null: never expires */
  expiresAt?: string | null;
}

export interface ReadCommand {
  /** The newest message read */
  messageId: string;
  conversationId: string;
}

export interface ReadNotificationsBody {
  ids?: string[];
  /** Mark every unread notification read */
  all?: boolean;
}

export interface ReadReceiptView {
  conversationId: string;
  userId: string;
  /** The newest message read */
  messageId: string;
  readAt: string;
}

export interface ReadStateView {
  conversationId: string;
  lastReadMessageId: string | null;
  /** Messages of others after my read cursor; at most 1000 */
  unreadCount: number;
}

export interface SendMessageCommand {
  /** Stored as given */
  content: string;
  contentType?: 'text' | 'markdown';
  /** Idempotency key of the sender: a retry returns the first message */
  clientMsgId?: string;
  conversationId: string;
}

export interface SetPresenceBody {
  status: 'online' | 'away' | 'dnd';
}

export interface TypingCommand {
  conversationId: string;
  typing: boolean;
}

export interface TypingView {
  conversationId: string;
  userId: string;
  typing: boolean;
  /** Clients drop a `typing: true` not refreshed within this time (the server also sends `typing: false`) */
  expiresInMs?: number;
}

export interface UpdateCardCommand {
  cardId: string;
  /** The version the client last saw; a stale one is CONFLICT */
  version: number;
  description?: string | null;
  /** A member of the board */
  assigneeId?: string | null;
  dueAt?: string | null;
  labels?: string[];
  title?: string;
}

export interface UpdateColumnCommand {
  columnId: string;
  /** The version the client last saw; a stale one is CONFLICT */
  version: number;
  title?: string;
  /** Moves the column: null first, else right after that column */
  afterColumnId?: string | null;
}

export interface UpdateEventCommand {
  eventId: string;
  /** The version the client last saw; a stale one is CONFLICT */
  version: number;
  description?: string | null;
  allDay?: boolean;
  /** User ids; new attendees are notified */
  attendeeIds?: string[];
  /** A reminder notification this many minutes before startsAt (null: none) */
  reminderMinutes?: number | null;
  title?: string;
  startsAt?: string;
  endsAt?: string;
}

/** Every event: its name → the type of its `data`. */
export interface EventMap {
  /** An admin published an announcement */
  'announcement.created': AnnouncementView;
  /** A card was added */
  'board.card.created': CardView;
  /** A card was deleted */
  'board.card.deleted': CardDeletedView;
  /** A card moved within or across columns (one row written) */
  'board.card.moved': CardMovedView;
  /** A card was edited (`version` raised) */
  'board.card.updated': CardView;
  /** A column was added */
  'board.column.created': ColumnView;
  /** A column and its cards were deleted */
  'board.column.deleted': ColumnDeletedView;
  /** A column was renamed or moved (`version` raised) */
  'board.column.updated': ColumnView;
  /** The owner added a member */
  'board.member.added': MemberChangedView;
  /** A member left or was removed (their subscription then ends) */
  'board.member.removed': MemberRemovedView;
  /** The owner changed a member's role */
  'board.member.updated': MemberChangedView;
  /** An event was added to the calendar */
  'calendar.event.created': CalendarEventView;
  /** An event was deleted */
  'calendar.event.deleted': CalendarEventDeletedView;
  /** An event was changed (`version` raised) */
  'calendar.event.updated': CalendarEventView;
  /** The user takes part in a new conversation (created, or added to a group), with the offset its channel had then */
  'chat.conversation.created': ConversationJoinedView;
  /** A message was sent (over the socket or REST) */
  'chat.message.created': MessageView;
  /** A message was deleted: the tombstone (`deletedAt` set, empty content) */
  'chat.message.deleted': MessageView;
  /** The sender edited a message (`editedAt` set) */
  'chat.message.updated': MessageView;
  /** The group owner added participants */
  'chat.participant.added': ParticipantsAddedView;
  /** A participant left or was removed (also to that user, whose subscription then ends) */
  'chat.participant.removed': ParticipantRemovedView;
  /** A participant's read cursor moved: a read receipt to the conversation, and to the reader's other devices */
  'chat.read': ReadReceiptView;
  /** A participant started or stopped typing (never sent to the typist) */
  'chat.typing': TypingView;
  /** A notification for the user; also pushed again (without an offset) at every connect until acknowledged or read */
  'notification.created': NotificationEventView;
  /** Notifications were read (`readAt`) or acknowledged (`ackedAt`), on any device of the user */
  'notification.read': NotificationStateChangeView;
  /** A user came online, chose a status, or went offline (after PRESENCE_GRACE_MS without a socket anywhere) */
  'presence.changed': PresenceView;
}

/** Every command: its name → the type of its `data` and of its ack's `data`. */
export interface CommandMap {
  /** Publishes an announcement to everyone, anonymous sockets included */
  'announcement.publish': { data: PublishAnnouncementBody; result: AnnouncementView };
  /** Adds a card to a column (editor or owner) */
  'board.card.create': { data: CreateCardCommand; result: CardView };
  /** Deletes a card at its current `version` */
  'board.card.delete': { data: DeleteCardCommand; result: CardDeletedView };
  /** Moves a card within or across columns, after `afterCardId` (null: top of the column) */
  'board.card.move': { data: MoveCardCommand; result: CardView };
  /** Edits a card at its current `version` */
  'board.card.update': { data: UpdateCardCommand; result: CardView };
  /** Adds a column (editor or owner) */
  'board.column.create': { data: CreateColumnCommand; result: ColumnView };
  /** Deletes a column and its cards at its current `version` */
  'board.column.delete': { data: DeleteColumnCommand; result: ColumnDeletedView };
  /** Renames or moves a column at its current `version` */
  'board.column.update': { data: UpdateColumnCommand; result: ColumnView };
  /** Adds an event to a calendar you may write to */
  'calendar.event.create': { data: CreateEventCommand; result: CalendarEventView };
  /** Deletes an event at its current `version` */
  'calendar.event.delete': { data: DeleteEventCommand; result: CalendarEventDeletedView };
  /** Changes an event at its current `version` */
  'calendar.event.update': { data: UpdateEventCommand; result: CalendarEventView };
  /** Deletes a message (sender or admin); acks with the tombstone */
  'chat.delete': { data: DeleteMessageCommand; result: MessageView };
  /** Edits one of your messages (sender only) */
  'chat.edit': { data: EditMessageCommand; result: MessageView };
  /** Moves your read cursor to a message; acks with your unread count */
  'chat.read': { data: ReadCommand; result: ReadStateView };
  /** Sends a message to a conversation of yours; a retry with the same `clientMsgId` acks the first message and publishes nothing */
  'chat.send': { data: SendMessageCommand; result: MessageView };
  /** Starts or stops your typing indicator (ephemeral; not sent back to you) */
  'chat.typing': { data: TypingCommand; result: TypingView };
  /** Acknowledges notifications: they are no longer pushed again at connect */
  'notification.ack': { data: AckNotificationsBody; result: NotificationStateChangeView };
  /** Marks notifications read (`{ids}` or `{all: true}`): read ones are not pushed again at connect either */
  'notification.read': { data: ReadNotificationsBody; result: NotificationStateChangeView };
  /** Sets your status (online, away or dnd) on every device */
  'presence.set': { data: SetPresenceBody; result: PresenceView };
}

export type EventName = keyof EventMap;
export type CommandName = keyof CommandMap;

/** The channels events arrive on, by prefix: `{…}` stands for an id. */
export const CHANNEL_PATTERNS = {
  announcements: 'announcements',
  board: 'board:{boardId}',
  calendar: 'calendar:{calendarId}',
  chat: 'chat:{conversationId}',
  presence: 'presence',
  user: 'user:{userId}',
} as const;

/** A channel name (`chat:${string}` for `chat:{conversationId}`). */
export type ChannelName =
  | 'announcements'
  | `board:${string}`
  | `calendar:${string}`
  | `chat:${string}`
  | 'presence'
  | `user:${string}`;

/** The channels each event is published on. */
export interface EventChannels {
  'announcement.created': 'announcements';
  'board.card.created': `board:${string}`;
  'board.card.deleted': `board:${string}`;
  'board.card.moved': `board:${string}`;
  'board.card.updated': `board:${string}`;
  'board.column.created': `board:${string}`;
  'board.column.deleted': `board:${string}`;
  'board.column.updated': `board:${string}`;
  'board.member.added': `board:${string}`;
  'board.member.removed': `board:${string}`;
  'board.member.updated': `board:${string}`;
  'calendar.event.created': `calendar:${string}`;
  'calendar.event.deleted': `calendar:${string}`;
  'calendar.event.updated': `calendar:${string}`;
  'chat.conversation.created': `user:${string}`;
  'chat.message.created': `chat:${string}`;
  'chat.message.deleted': `chat:${string}`;
  'chat.message.updated': `chat:${string}`;
  'chat.participant.added': `chat:${string}`;
  'chat.participant.removed': `chat:${string}` | `user:${string}`;
  'chat.read': `chat:${string}` | `user:${string}`;
  'chat.typing': `chat:${string}`;
  'notification.created': `user:${string}`;
  'notification.read': `user:${string}`;
  'presence.changed': 'presence';
}

/** Events that carry no offset and are not kept: they cannot be replayed. */
export const EPHEMERAL_EVENTS = [
  'chat.typing',
  'presence.changed',
] as const satisfies readonly EventName[];

/** The `code` of an `error` frame. */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'TOO_LARGE'
  | 'UNKNOWN_TYPE'
  | 'INTERNAL';
