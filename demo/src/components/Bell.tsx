import { useState } from 'preact/hooks';
import type { AppNotification } from '../protocol.js';
import type { State } from '../store.js';
import { shortTime } from './common.js';
import { useApp } from './context.js';

/** The unread count, and the latest notifications to read or open. */
export function Bell({ state }: { state: State }) {
  const app = useApp();
  const [open, setOpen] = useState(false);
  const { items, unreadCount } = state.notifications;

  const toggle = (): void => {
    if (!open) void app.guard(app.acknowledgeShown());
    setOpen(!open);
  };
  const select = (n: AppNotification): void => {
    if (!n.readAt) void app.guard(app.markRead([n.id]));
    app.openLink(n.link);
  };

  return (
    <div class="bell">
      <button
        type="button"
        class="bell-button"
        aria-label={`Notifications: ${unreadCount} unread`}
        aria-expanded={open}
        onClick={toggle}
      >
        <BellIcon />
        {unreadCount > 0 && (
          <span class="badge" data-testid="bell-count">
            {unreadCount}
          </span>
        )}
      </button>
      {open && (
        <div class="bell-panel card" role="dialog" aria-label="Notifications">
          <div class="bell-head">
            <strong>Notifications</strong>
            <button
              type="button"
              class="link"
              disabled={unreadCount === 0}
              onClick={() => void app.guard(app.markAllRead())}
            >
              Mark all read
            </button>
          </div>
          {items.length === 0 && <p class="muted">Nothing yet.</p>}
          <ul>
            {items.map((n) => (
              <li key={n.id} class={n.readAt ? 'read' : 'unread'} data-testid="notification">
                <button type="button" class="notification" onClick={() => select(n)}>
                  <strong>{n.title}</strong>
                  <span>{n.body}</span>
                  <time class="muted">{shortTime(n.createdAt)}</time>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Drawn rather than an emoji: not every system has an emoji font. */
function BellIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
      />
    </svg>
  );
}
