import type { State } from '../store.js';

/** A user's presence as a coloured dot (offline when unknown). */
export function PresenceDot({ state, userId }: { state: State; userId: string }) {
  // One's own dot follows one's connection: while it is down, the server has
  // no way to tell us that it announced us offline.
  const cut = userId === state.me?.id && state.connection.state !== 'open';
  const status = cut ? 'offline' : (state.presence[userId]?.status ?? 'offline');
  return (
    <span
      class={`dot presence-${status}`}
      title={status}
      data-testid="presence"
      data-user={userId}
      data-status={status}
    />
  );
}

export function nameOf(state: State, userId: string): string {
  return userId === state.me?.id ? 'You' : (state.names[userId] ?? 'Someone');
}

export function shortTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** The value of the input an event came from. */
export function inputValue(e: Event): string {
  return (e.currentTarget as HTMLInputElement).value;
}

/**
 * A one-field form ("add a card", "new board"): submits the trimmed value,
 * then clears it.
 */
export function QuickAdd({
  placeholder,
  label,
  onAdd,
}: {
  placeholder: string;
  label: string;
  onAdd: (value: string) => void;
}) {
  const submit = (e: Event): void => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('value') as HTMLInputElement;
    const value = input.value.trim();
    if (!value) return;
    input.value = '';
    onAdd(value);
  };
  return (
    <form class="quick-add" onSubmit={submit}>
      <input name="value" placeholder={placeholder} aria-label={placeholder} />
      <button type="submit">{label}</button>
    </form>
  );
}
