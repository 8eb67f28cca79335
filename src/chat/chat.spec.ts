import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { preview } from './chat-notifier.service.js';
import { toMessageView } from './chat.views.js';
import { SendMessageCommand } from './dto/chat.dto.js';
import type { MessageRow } from './repositories/messages.repository.js';

const CONVERSATION = '7d0f6f0e-3c1a-4b59-9a51-8f0f3c9b1a11';

function problems(data: object): string[] {
  return validateSync(plainToInstance(SendMessageCommand, data), {
    whitelist: true,
    forbidNonWhitelisted: true,
  }).map((e) => e.property);
}

describe('chat message validation', () => {
  it('counts characters (code points), not UTF-16 units', () => {
    expect(problems({ conversationId: CONVERSATION, content: '😀'.repeat(2000) })).toEqual([]);
    expect(problems({ conversationId: CONVERSATION, content: '😀'.repeat(2001) })).toEqual([
      'content',
    ]);
    expect(problems({ conversationId: CONVERSATION, content: 'x'.repeat(2000) })).toEqual([]);
    expect(problems({ conversationId: CONVERSATION, content: '' })).toEqual(['content']);
  });

  it('accepts text or markdown and a printable clientMsgId of at most 64 characters', () => {
    const base = { conversationId: CONVERSATION, content: 'hi' };
    expect(problems({ ...base, contentType: 'markdown', clientMsgId: 'a'.repeat(64) })).toEqual([]);
    expect(problems({ ...base, contentType: 'html' })).toEqual(['contentType']);
    expect(problems({ ...base, clientMsgId: 'a'.repeat(65) })).toEqual(['clientMsgId']);
    expect(problems({ ...base, clientMsgId: 'has space' })).toEqual(['clientMsgId']);
    expect(problems({ ...base, conversationId: '42' })).toEqual(['conversationId']);
  });
});

describe('chat views', () => {
  const row: MessageRow = {
    id: 'm1',
    conversation_id: CONVERSATION,
    seq: '7',
    sender_id: 'u1',
    content: 'hello',
    content_type: 'text',
    client_msg_id: null,
    edited_at: null,
    deleted_at: null,
    created_at: new Date('2025-01-02T03:04:05.678Z'),
  };

  it('shapes a message as the events carry it, clientMsgId only when given', () => {
    expect(toMessageView(row)).toEqual({
      id: 'm1',
      conversationId: CONVERSATION,
      senderId: 'u1',
      content: 'hello',
      contentType: 'text',
      createdAt: '2025-01-02T03:04:05.678Z',
      editedAt: null,
      deletedAt: null,
    });
    expect(toMessageView({ ...row, client_msg_id: 'k1' }).clientMsgId).toBe('k1');
  });

  it('previews long content for notifications without splitting characters', () => {
    expect(preview('short')).toBe('short');
    const long = '😀'.repeat(200);
    expect([...preview(long)]).toHaveLength(140);
    expect(preview(long).endsWith('😀…')).toBe(true);
  });
});

describe('chat configuration', () => {
  it('defaults to an 8 s typing expiry and a one-minute notification window', () => {
    expect(loadConfig({}).chat).toEqual({ typingTtlMs: 8000, notifyWindowMs: 60_000 });
  });

  it('reads and validates CHAT_TYPING_TTL_MS and CHAT_NOTIFY_WINDOW_MS', () => {
    expect(loadConfig({ CHAT_TYPING_TTL_MS: '500', CHAT_NOTIFY_WINDOW_MS: '0' }).chat).toEqual({
      typingTtlMs: 500,
      notifyWindowMs: 0,
    });
    expect(() => loadConfig({ CHAT_TYPING_TTL_MS: '10' })).toThrow(ConfigError);
    expect(() => loadConfig({ CHAT_TYPING_TTL_MS: 'soon' })).toThrow(/CHAT_TYPING_TTL_MS/);
    expect(() => loadConfig({ CHAT_NOTIFY_WINDOW_MS: '-1' })).toThrow(/CHAT_NOTIFY_WINDOW_MS/);
  });
});
