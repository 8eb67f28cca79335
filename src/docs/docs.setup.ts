import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AsyncApiService } from './asyncapi.service.js';

/**
 * Serves the OpenAPI document and wires it into the AsyncAPI one. Both are
 * built at their first request, not here: the modules register their events
 * when the app starts, after this runs, and the OpenAPI document must already
 * hold their classes (as extraModels) for the AsyncAPI document to refer to.
 */
export function setupDocs(app: INestApplication): void {
  const asyncApi = app.get(AsyncApiService);
  const config = new DocumentBuilder()
    .setTitle('Real-time backend')
    .setDescription(
      'The REST side of the real-time API. The socket lives at /ws: its protocol is described by the AsyncAPI document at /docs/asyncapi (YAML: /docs/asyncapi.yaml) and, for client authors, by docs/protocol.md in the repository.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  let document: OpenAPIObject | undefined;
  const openApi = (): OpenAPIObject =>
    (document ??= SwaggerModule.createDocument(app, config, { extraModels: asyncApi.models() }));
  SwaggerModule.setup('docs', app, openApi);
  asyncApi.useOpenApi(openApi);
}
