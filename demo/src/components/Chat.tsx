import { useEffect, useRef, useState } from 'preact/hooks';
import type { MyConversation } from '../protocol.js';
import {
  conversationTitle,
  receiptsByMessage,
  sortedConversations,
  typingIn,
  type State,
} from '../store.js';
import { inputValue, nameOf, PresenceDot, shortTime } from './common.js';
import { useApp } from './context.js';

export function ChatView({ state }: { state: State }) {
  const open = state.route.id ? state.conversations[state.route.id] : undefined;
  return (
    <div class="chat">
      <ConversationList state={state} />
      {open ? (
        <ChatPane state={state} conv={open} />
      ) : (
        <section class="pane empty muted">
          Pick a conversation, or start one with someone's user id.
        </section>
      )}
    </div>
  );
}

function ConversationList({ state }: { state: State }) {
  const app = useApp();
  const [userId, setUserId] = useState('');
  const [title, setTitle] = useState('');
  const start = (e: Event): void => {
    e.preventDefault();
    void app.guard(app.startConversation(userId.trim(), title.trim())).then(() => {
      setUserId('');
      setTitle('');
    });
  };
  return (
    <aside class="sidebar">
      <ul class="conversations">
        {sortedConversations(state).map((c) => {
          const others = c.participants.filter((p) => p.userId !== state.me?.id);
          const active = state.route.id === c.id;
          return (
            <li key={c.id}>
              <a
                href={`#/chat/${c.id}`}
                class={active ? 'conversation active' : 'conversation'}
                data-testid="conversation"
              >
                <span class="dots">
                  {others.slice(0, 3).map((p) => (
                    <PresenceDot key={p.userId} state={state} userId={p.userId} />
                  ))}
                </span>
                <span class="conversation-text">
                  <strong>{conversationTitle(state, c)}</strong>
                  <span class="muted preview">{c.lastMessage?.content ?? 'No messages yet'}</span>
                </span>
                {c.unreadCount > 0 && (
                  <span class="badge" data-testid="unread">
                    {c.unreadCount}
                  </span>
                )}
              </a>
            </li>
          );
        })}
      </ul>
      <form class="new-conversation" onSubmit={start}>
        <input
          placeholder="User id to chat with"
          aria-label="User id to chat with"
          required
          pattern="[0-9a-fA-F-]{36}"
          value={userId}
          onInput={(e) => setUserId(inputValue(e))}
        />
        <input
          placeholder="Group title (optional)"
          aria-label="Group title"
          value={title}
          onInput={(e) => setTitle(inputValue(e))}
        />
        <button type="submit">Start a chat</button>
      </form>
    </aside>
  );
}

function ChatPane({ state, conv }: { state: State; conv: MyConversation }) {
  const app = useApp();
  const history = state.history[conv.id];
  const items = history?.items ?? [];
  const pending = state.pending.filter((p) => p.conversationId === conv.id);
  const seenBy = receiptsByMessage(state, conv.id);
  const typists = typingIn(state, conv.id, Date.now());
  const others = conv.participants.filter((p) => p.userId !== state.me?.id);

  // Follows the newest message, unless the user is reading older ones.
  const list = useRef<HTMLOListElement>(null);
  const newest = items[items.length - 1]?.id;
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [newest, pending.length, conv.id]);

  const [draft, setDraft] = useState('');
  const send = (e: Event): void => {
    e.preventDefault();
    const content = draft.trim();
    if (!content) return;
    setDraft('');
    void app.send(conv.id, content);
  };

  return (
    <section class="pane" data-testid="chat">
      <header class="pane-head">
        <h2>{conversationTitle(state, conv)}</h2>
        <span class="participants">
          {others.map((p) => (
            <span key={p.userId} class="participant">
              <PresenceDot state={state} userId={p.userId} />
              {p.displayName}
            </span>
          ))}
        </span>
      </header>
      <ol class="messages" ref={list}>
        {history?.nextCursor && (
          <li class="older">
            <button type="button" onClick={() => void app.guard(app.loadHistory(conv.id, true))}>
              Load older messages
            </button>
          </li>
        )}
        {items.map((m) => {
          const mine = m.senderId === state.me?.id;
          const seen = (seenBy[m.id] ?? []).map((id) => nameOf(state, id));
          return (
            <li key={m.id} class={mine ? 'message mine' : 'message'} data-testid="message">
              <span class="meta">
                {nameOf(state, m.senderId)} · {shortTime(m.createdAt)}
                {m.editedAt && ' · edited'}
              </span>
              <span class="bubble" data-testid="message-text">
                {m.deletedAt ? <em class="muted">deleted</em> : m.content}
              </span>
              {seen.length > 0 && (
                <span class="seen" data-testid="seen">
                  Seen by {seen.join(', ')}
                </span>
              )}
            </li>
          );
        })}
        {pending.map((p) => (
          <li key={p.clientMsgId} class="message mine pending" data-testid="pending">
            <span class="bubble">{p.content}</span>
            <span class="meta">
              {p.failed ? (
                <button
                  type="button"
                  class="link"
                  onClick={() => void app.send(conv.id, p.content, p.clientMsgId)}
                >
                  Not sent: retry
                </button>
              ) : (
                'sending…'
              )}
            </span>
          </li>
        ))}
      </ol>
      <p class="typing muted" data-testid="typing" aria-live="polite">
        {typists.length > 0 &&
          `${typists.map((id) => nameOf(state, id)).join(', ')} ${typists.length > 1 ? 'are' : 'is'} typing…`}
      </p>
      <form class="composer" onSubmit={send}>
        <input
          placeholder="Write a message"
          aria-label="Message"
          maxLength={2000}
          value={draft}
          onInput={(e) => {
            setDraft(inputValue(e));
            app.typing(conv.id);
          }}
        />
        <button type="submit" class="primary">
          Send
        </button>
      </form>
    </section>
  );
}
