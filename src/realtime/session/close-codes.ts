/** Close codes of the contract (WebSocket and SockJS alike). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  TOO_LARGE: 1009,
  TOKEN_EXPIRED: 4401,
  IDLE: 4408,
  ABUSE: 4429,
  /** The client did not read: its unsent frames passed WS_MAX_BUFFERED_BYTES. */
  SLOW_CONSUMER: 4503,
} as const;
