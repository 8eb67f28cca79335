import type { Type } from '@nestjs/common';
import 'reflect-metadata';
import type { CreatedOrExisting } from '../common/created-or-existing/created-or-existing.js';

const COMMAND_ACK = 'realtime:command-ack';

/** What a socket command answers, and what it does: read by the protocol documents. */
export interface CommandAck {
  /** The class of the ack's `data` (a view class with Swagger metadata). */
  readonly view: Type<object>;
  readonly description: string;
}

/** A command handler whose result is a `T`, however it gets there. */
type AckingHandler<T> = (...args: never[]) => T | Promise<T> | Promise<CreatedOrExisting<T>>;

/**
 * Names the class a socket command acks with (`@SubscribeMessage` beside it).
 * At run time a handler's return type is only `Promise`, so the AsyncAPI
 * document and the client's generated types learn the ack's shape from here;
 * the compiler checks the class against the method's declared return type, so
 * the two cannot disagree.
 */
export function Acks<T extends object>(
  view: Type<T>,
  description: string,
): (target: object, key: string | symbol, descriptor: { value?: AckingHandler<T> }) => void {
  return (_target, _key, descriptor) => {
    if (descriptor.value === undefined) throw new Error('@Acks() decorates a method');
    const ack: CommandAck = { view, description };
    Reflect.defineMetadata(COMMAND_ACK, ack, descriptor.value);
  };
}

/** The `@Acks` declaration of a handler, if it has one. */
export function commandAckOf(handler: object): CommandAck | undefined {
  const ack: unknown = Reflect.getMetadata(COMMAND_ACK, handler);
  return ack === undefined ? undefined : (ack as CommandAck);
}
