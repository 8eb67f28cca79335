import { Body, Controller, Injectable, Module, Post } from '@nestjs/common';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { IsString, Length } from 'class-validator';
import request from 'supertest';
import { CreatedOrExisting } from '../../src/common/created-or-existing/created-or-existing.js';
import { RealtimeGateway } from '../../src/realtime/realtime.gateway.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect } from '../helpers/ws-client.js';

class NameDto {
  @IsString()
  @Length(1, 64)
  name: string;
}

/** Names are created once; asking again finds the existing one. */
@Injectable()
class NamesService {
  private readonly names = new Map<string, { name: string; n: number }>();

  put(dto: NameDto): CreatedOrExisting<{ name: string; n: number }> {
    const existing = this.names.get(dto.name);
    if (existing) return new CreatedOrExisting(existing, false);
    const created = { name: dto.name, n: this.names.size + 1 };
    this.names.set(dto.name, created);
    return new CreatedOrExisting(created, true);
  }
}

@Controller('api/probe')
class NamesController {
  constructor(private readonly names: NamesService) {}

  @Post('names')
  put(@Body() dto: NameDto): CreatedOrExisting<{ name: string; n: number }> {
    return this.names.put(dto);
  }
}

@RealtimeGateway()
class NamesGateway {
  constructor(private readonly names: NamesService) {}

  @SubscribeMessage('probe.name')
  put(@MessageBody() dto: NameDto): Promise<CreatedOrExisting<{ name: string; n: number }>> {
    return Promise.resolve(this.names.put(dto));
  }
}

@Module({ providers: [NamesService, NamesGateway], controllers: [NamesController] })
class NamesModule {}

describe('created or existing', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  beforeAll(async () => {
    t = await startTestApp({ modules: [NamesModule] });
    alice = await registerUser(t.baseUrl);
  });
  afterAll(async () => {
    await t.close();
  });

  it('REST: 201 with the entity when created, 200 with it when it was there', async () => {
    const first = await request(t.baseUrl)
      .post('/api/probe/names')
      .set(bearer(alice))
      .send({ name: 'rest' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ name: 'rest', n: 1 });
    const again = await request(t.baseUrl)
      .post('/api/probe/names')
      .set(bearer(alice))
      .send({ name: 'rest' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ name: 'rest', n: 1 });
  });

  it('socket: the ack carries the entity alone, created or not', async () => {
    const s = await connect(t.baseUrl, { token: alice.accessToken });
    try {
      const created = await s.request('probe.name', { data: { name: 'ws' } });
      expect(created).toMatchObject({ type: 'ack', data: { name: 'ws', n: 2 } });
      const again = await s.request('probe.name', { data: { name: 'ws' } });
      expect(again).toMatchObject({ type: 'ack', data: { name: 'ws', n: 2 } });
      expect(Object.keys(again.data as object).sort()).toEqual(['n', 'name']);
    } finally {
      s.close();
    }
  });
});
