import { Injectable } from '@nestjs/common';
import { RtSession } from './session.js';

export type SessionListener = (session: RtSession) => void | Promise<void>;

/** Every open session of this node, by id and by user; lifecycle hooks for modules. */
@Injectable()
export class ConnectionRegistry {
  private readonly byId = new Map<string, RtSession>();
  private readonly byUser = new Map<string, Set<RtSession>>();
  private readonly openListeners: SessionListener[] = [];
  private readonly closeListeners: SessionListener[] = [];
  private readonly authListeners: SessionListener[] = [];

  get size(): number {
    return this.byId.size;
  }
  get userCount(): number {
    return this.byUser.size;
  }

  all(): IterableIterator<RtSession> {
    return this.byId.values();
  }

  get(id: string): RtSession | undefined {
    return this.byId.get(id);
  }

  sessionsOf(userId: string): ReadonlySet<RtSession> {
    return this.byUser.get(userId) ?? new Set();
  }

  isConnected(userId: string): boolean {
    return (this.byUser.get(userId)?.size ?? 0) > 0;
  }

  /** Runs when a session opens (after `connected` was sent). */
  onOpen(fn: SessionListener): void {
    this.openListeners.push(fn);
  }
  /** Runs when a session closed. */
  onClose(fn: SessionListener): void {
    this.closeListeners.push(fn);
  }
  /** Runs when an anonymous session became a user's through an `auth` frame. */
  onAuthenticated(fn: SessionListener): void {
    this.authListeners.push(fn);
  }

  add(session: RtSession): void {
    this.byId.set(session.id, session);
    this.indexUser(session);
    this.emit(this.openListeners, session);
  }

  /** After an anonymous session authenticated. */
  userChanged(session: RtSession): void {
    this.indexUser(session);
    this.emit(this.authListeners, session);
  }

  remove(session: RtSession): void {
    if (!this.byId.delete(session.id)) return;
    if (session.user) {
      const set = this.byUser.get(session.user.id);
      set?.delete(session);
      if (set && set.size === 0) this.byUser.delete(session.user.id);
    }
    this.emit(this.closeListeners, session);
  }

  private indexUser(session: RtSession): void {
    if (!session.user) return;
    let set = this.byUser.get(session.user.id);
    if (!set) this.byUser.set(session.user.id, (set = new Set()));
    set.add(session);
  }

  private emit(listeners: SessionListener[], session: RtSession): void {
    for (const fn of listeners) {
      void Promise.resolve()
        .then(() => fn(session))
        .catch(() => undefined);
    }
  }
}
