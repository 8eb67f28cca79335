import { SetMetadata } from '@nestjs/common';

export const MAX_DATA_BYTES = 'rt:maxDataBytes';

/** Overrides the default command size limit (WS_COMMAND_MAX_BYTES, 16 KiB) for a handler or controller. */
export const MaxDataBytes = (bytes: number): MethodDecorator & ClassDecorator =>
  SetMetadata(MAX_DATA_BYTES, bytes);
