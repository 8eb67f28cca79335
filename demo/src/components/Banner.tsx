import { useState } from 'preact/hooks';
import type { State } from '../store.js';

/**
 * The newest announcement not dismissed in this tab, and below it the passing
 * notice of the app (a conflict, a failed command).
 */
export function Banner({ state }: { state: State }) {
  const [dismissed, setDismissed] = useState<string[]>([]);
  const now = new Date().toISOString();
  const current = state.announcements.find(
    (a) => !dismissed.includes(a.id) && (a.expiresAt === null || a.expiresAt > now),
  );
  return (
    <>
      {current && (
        <div class="announcement" role="status" data-testid="announcement">
          <strong>{current.title}</strong> <span>{current.body}</span>
          <button
            type="button"
            class="link"
            aria-label="Dismiss the announcement"
            onClick={() => setDismissed([...dismissed, current.id])}
          >
            ✕
          </button>
        </div>
      )}
      {state.notice && (
        <div class="notice" role="alert" data-testid="notice">
          {state.notice}
        </div>
      )}
    </>
  );
}
