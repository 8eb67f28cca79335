import { AsyncLocalStorage } from 'node:async_hooks';

/** What the kernel knows about the socket command being handled (read by the error filter and limits). */
export interface CommandContext {
  frameId: string | undefined;
  type: string;
  frameBytes: number;
  /** Set by the exception filter once it sent the command's error frame. */
  failed?: boolean;
}

export const commandContext = new AsyncLocalStorage<CommandContext>();
