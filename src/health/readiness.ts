/** A readiness check other modules may contribute (e.g. Redis when REDIS_URL is set). */
export interface ReadinessCheck {
  name: string;
  /** Resolves when healthy; rejects (with a reason) when not. */
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
