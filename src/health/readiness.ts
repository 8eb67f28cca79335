/** A readiness check other modules may contribute (e.g. Redis when REDIS_URL is set). */
export interface ReadinessCheck {
  name: string;
  /**
   * False: the node still serves without it (Redis: local delivery, writes and
   * recovery from the log go on), so its failure makes the node `degraded`
   * (200), not unready (503). Default true.
   */
  critical?: boolean;
  /** Resolves when healthy; rejects (with a reason) when not. */
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
