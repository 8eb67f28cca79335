import { useEffect, useState } from 'preact/hooks';
import type { DemoApp } from '../app.js';
import type { State } from '../store.js';
import { Banner } from './Banner.js';
import { BoardView } from './Board.js';
import { CalendarView } from './Calendar.js';
import { ChatView } from './Chat.js';
import { AppContext } from './context.js';
import { SignIn } from './SignIn.js';
import { TopBar } from './TopBar.js';

/** Renders the store's state, again after every change. */
function useStoreState(app: DemoApp): State {
  const [state, setState] = useState(app.store.state);
  useEffect(() => app.store.subscribe(() => setState(app.store.state)), [app]);
  return state;
}

export function App({ app }: { app: DemoApp }) {
  const state = useStoreState(app);
  return (
    <AppContext.Provider value={app}>
      {state.me ? (
        <div class="shell">
          <TopBar state={state} />
          <Banner state={state} />
          <main class="main">
            {state.route.view === 'chat' && <ChatView state={state} />}
            {state.route.view === 'board' && <BoardView state={state} />}
            {state.route.view === 'calendar' && <CalendarView state={state} />}
          </main>
        </div>
      ) : (
        <SignIn notice={state.notice} />
      )}
    </AppContext.Provider>
  );
}
