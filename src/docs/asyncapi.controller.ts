import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { dump } from 'js-yaml';
import { Public } from '../auth/guards/decorators.js';
import type { ServerAddress } from './asyncapi.builder.js';
import { AsyncApiService } from './asyncapi.service.js';
import type { JsonObject } from './json-schema.js';

/** The socket protocol's AsyncAPI document, beside the OpenAPI one (/docs-json, /docs-yaml). */
@ApiExcludeController()
@Public()
@Controller('docs')
export class AsyncApiController {
  constructor(private readonly asyncApi: AsyncApiService) {}

  @Get('asyncapi')
  json(@Req() req: Request): JsonObject {
    return this.asyncApi.document(serverOf(req));
  }

  @Get('asyncapi.yaml')
  @Header('Content-Type', 'text/yaml; charset=utf-8')
  yaml(@Req() req: Request): string {
    return dump(this.asyncApi.document(serverOf(req)), { noRefs: true });
  }
}

/** The document names the server the client asked, so its `servers` entry can be used as is. */
function serverOf(req: Request): ServerAddress {
  return { host: req.headers.host ?? 'localhost', secure: req.secure };
}
