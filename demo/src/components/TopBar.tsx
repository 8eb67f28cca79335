import type { ChosenStatus } from '../protocol.js';
import type { ConnectionInfo, State, View } from '../store.js';
import { Bell } from './Bell.js';
import { PresenceDot } from './common.js';
import { useApp } from './context.js';

const VIEWS: { view: View; label: string }[] = [
  { view: 'chat', label: 'Chat' },
  { view: 'board', label: 'Board' },
  { view: 'calendar', label: 'Calendar' },
];

const STATUSES: ChosenStatus[] = ['online', 'away', 'dnd'];

function connectionLabel(c: ConnectionInfo): string {
  switch (c.state) {
    case 'open':
      return c.transport === 'sse' ? 'Live (SSE fallback)' : 'Live';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return c.retryInMs ? `Reconnecting in ${Math.ceil(c.retryInMs / 1000)} s…` : 'Reconnecting…';
    case 'offline':
      return 'Offline';
    case 'closed':
      return 'Disconnected';
  }
}

/** The client's connection state, as its `state` events report it. */
function ConnectionIndicator({ connection }: { connection: ConnectionInfo }) {
  return (
    <span class="connection" data-testid="connection" data-state={connection.state}>
      <span class={`dot connection-${connection.state}`} />
      {connectionLabel(connection)}
    </span>
  );
}

export function TopBar({ state }: { state: State }) {
  const app = useApp();
  const me = state.me;
  if (!me) return null;
  const myStatus = state.presence[me.id]?.status;
  // Others need the id to start a chat, add a member or share a calendar.
  const copyId = (): void => {
    // No clipboard on plain-http pages other than localhost.
    if (!window.isSecureContext) return app.notify(`Your user id: ${me.id}`);
    navigator.clipboard.writeText(me.id).then(
      () => app.notify('Your user id is copied: others can start a chat with it'),
      () => app.notify(`Your user id: ${me.id}`),
    );
  };
  return (
    <header class="topbar">
      <strong class="brand">rt demo</strong>
      <nav class="tabs">
        {VIEWS.map(({ view, label }) => (
          <a
            key={view}
            href={`#/${view}`}
            class={state.route.view === view ? 'tab active' : 'tab'}
            aria-current={state.route.view === view ? 'page' : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      <span class="spacer" />
      <ConnectionIndicator connection={state.connection} />
      <Bell state={state} />
      <span class="me" title={`Your user id (others use it to reach you): ${me.id}`}>
        <PresenceDot state={state} userId={me.id} />
        <span data-testid="me">{me.displayName}</span>
        <select
          aria-label="Your status"
          value={myStatus === 'offline' ? 'online' : myStatus}
          onChange={(e) =>
            void app.guard(
              app.setStatus((e.currentTarget as HTMLSelectElement).value as ChosenStatus),
            )
          }
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <button type="button" class="link" onClick={copyId} title={me.id}>
          Copy my id
        </button>
        <button type="button" onClick={() => app.signOut()}>
          Log out
        </button>
      </span>
    </header>
  );
}
