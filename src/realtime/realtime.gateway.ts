import { applyDecorators, UseFilters } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { AllExceptionsFilter } from '../common/all-exceptions.filter.js';
import { WS_PATH } from './transports/ws/ws.adapter.js';

/**
 * Declares a module's gateway on the one socket at /ws. Nest has no global
 * exception filters for gateways, so this also binds the filter that turns every
 * error into the contract's `error` frame. Use it instead of @WebSocketGateway.
 */
export const RealtimeGateway = (): ClassDecorator =>
  applyDecorators(WebSocketGateway({ path: WS_PATH }), UseFilters(AllExceptionsFilter));

/**
 * The kernel's own gateway: it makes the socket exist even before a feature
 * module adds commands. Kernel frames (ping, auth, subscribe, …) are handled by
 * KernelCommands; module gateways add `<module>.<action>` handlers.
 */
@RealtimeGateway()
export class KernelGateway {}
