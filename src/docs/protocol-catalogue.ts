import { Injectable, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  GATEWAY_METADATA,
  MESSAGE_MAPPING_METADATA,
  MESSAGE_METADATA,
  PARAM_ARGS_METADATA,
} from '@nestjs/websockets/constants.js';
import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum.js';
import { ROLES } from '../auth/guards/decorators.js';
import { commandAckOf } from '../realtime/command-ack.decorator.js';
import { MAX_DATA_BYTES } from '../realtime/limits/limit.decorators.js';
import { RealtimeService } from '../realtime/realtime.service.js';

/** One declared event, as the documents show it. */
export interface EventEntry {
  readonly name: string;
  readonly module: string;
  /** Channel patterns (`chat:{conversationId}`, `presence`). */
  readonly channels: readonly string[];
  readonly payload: Type<object>;
  readonly ephemeral: boolean;
  readonly description: string;
}

/** One socket command, as the documents show it. */
export interface CommandEntry {
  readonly name: string;
  /** The gateway class that handles it. */
  readonly gateway: string;
  /**
   * The class of its `data` (the `@MessageBody()` parameter's type); null when
   * the handler reads no data; undefined when its type is not a class (an
   * interface or a property of the data), which the documents cannot describe.
   */
  readonly data: Type<object> | null | undefined;
  /** From `@Acks`; undefined when the handler does not say what it acks with. */
  readonly ack: { readonly view: Type<object>; readonly description: string } | undefined;
  /** Its `@MaxDataBytes`, when it overrides the default limit of a command's data. */
  readonly maxDataBytes?: number;
  /** Its `@Roles`: only users with one of them may run it. */
  readonly roles?: readonly string[];
}

/**
 * What the socket protocol consists of in this app, read where the code keeps
 * it: the events from the kernel's catalogue (through RealtimeService), the
 * commands from the gateways themselves (the same `@SubscribeMessage` handlers
 * the WebSocket adapter puts in the command table), so a document built from
 * it cannot miss one.
 */
@Injectable()
export class ProtocolCatalogue {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly realtime: RealtimeService,
  ) {}

  /** Complete once the modules have started (they register their events in onModuleInit). */
  events(): EventEntry[] {
    return [...this.realtime.declaredEvents()]
      .map(([name, spec]) => ({
        name,
        module: spec.module,
        channels: spec.channels,
        payload: spec.payload,
        ephemeral: spec.ephemeral === true,
        description: spec.description,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  commands(): CommandEntry[] {
    const found: CommandEntry[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const { metatype, instance } = wrapper;
      if (typeof metatype !== 'function' || !isObject(instance)) continue;
      if (Reflect.getMetadata(GATEWAY_METADATA, metatype) === undefined) continue;
      const prototype: unknown = Object.getPrototypeOf(instance);
      if (!isObject(prototype)) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler: unknown = Reflect.get(prototype, method);
        if (!isObject(handler) || !Reflect.getMetadata(MESSAGE_MAPPING_METADATA, handler)) continue;
        const maxDataBytes = declared(MAX_DATA_BYTES, handler, metatype);
        const roles = declared(ROLES, handler, metatype);
        found.push({
          name: String(Reflect.getMetadata(MESSAGE_METADATA, handler)),
          gateway: metatype.name,
          data: dataClassOf(prototype, method),
          ack: commandAckOf(handler),
          ...(typeof maxDataBytes === 'number' ? { maxDataBytes } : {}),
          ...(isStringArray(roles) ? { roles } : {}),
        });
      }
    }
    return found.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every class whose schema the documents need (event data, command data, acks). */
  models(): Type<object>[] {
    const models = new Set<Type<object>>();
    for (const e of this.events()) models.add(e.payload);
    for (const c of this.commands()) {
      if (c.data) models.add(c.data);
      if (c.ack) models.add(c.ack.view);
    }
    return [...models];
  }
}

/** Metadata of the handler, else of its class (as Nest's Reflector.getAllAndOverride reads it). */
function declared(key: string, handler: object, cls: object): unknown {
  const own: unknown = Reflect.getMetadata(key, handler);
  return own !== undefined ? own : (Reflect.getMetadata(key, cls) as unknown);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

/** The class of a handler's `@MessageBody()` parameter, from the compiler's `design:paramtypes`. */
function dataClassOf(prototype: object, method: string): Type<object> | null | undefined {
  const params: unknown = Reflect.getMetadata(PARAM_ARGS_METADATA, prototype.constructor, method);
  if (!isObject(params)) return null;
  for (const [key, param] of Object.entries(params)) {
    const [type, index] = key.split(':');
    if (Number(type) !== WsParamtype.PAYLOAD) continue;
    // `@MessageBody('field')` hands the handler one property, not the data.
    if (isObject(param) && 'data' in param && param.data !== undefined) return undefined;
    const types: unknown = Reflect.getMetadata('design:paramtypes', prototype, method);
    const cls: unknown = Array.isArray(types) ? types[Number(index)] : undefined;
    return typeof cls === 'function' && !BUILT_INS.has(cls) ? (cls as Type<object>) : undefined;
  }
  return null;
}

/** What `design:paramtypes` holds for an interface, a union or a primitive: no schema there. */
const BUILT_INS = new Set<unknown>([Object, String, Number, Boolean, Array, Promise, Function]);
