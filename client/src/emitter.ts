/**
 * A listener's exception must not break the client's bookkeeping (offsets,
 * pending commands): it is reported the way the platform reports errors of
 * event listeners (`reportError` in browsers), outside the client's call stack.
 */
export function reportListenerError(err: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void };
  if (typeof g.reportError === 'function') g.reportError(err);
  else
    setTimeout(() => {
      throw err;
    }, 0);
}

/** A small typed event emitter: `on` returns the function that removes the listener. */
export class Emitter<M> {
  private readonly listeners = new Map<keyof M, Set<(value: never) => void>>();

  on<K extends keyof M>(name: K, listener: (value: M[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<K extends keyof M>(name: K, value: M[K]): void {
    const set = this.listeners.get(name) as Set<(value: M[K]) => void> | undefined;
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch (err) {
        reportListenerError(err);
      }
    }
  }
}
