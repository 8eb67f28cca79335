import type { ConversationView, MessageView, ParticipantView } from './dto/chat-views.dto.js';
import type { ConversationRow, ParticipantRow } from './repositories/conversations.repository.js';
import type { MessageRow } from './repositories/messages.repository.js';

export function toMessageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    senderId: row.sender_id,
    content: row.content,
    contentType: row.content_type,
    ...(row.client_msg_id !== null ? { clientMsgId: row.client_msg_id } : {}),
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at?.toISOString() ?? null,
    deletedAt: row.deleted_at?.toISOString() ?? null,
  };
}

export function toConversationView(
  row: ConversationRow,
  participants: ParticipantRow[],
): ConversationView {
  const people: ParticipantView[] = participants.map((p) => ({
    userId: p.user_id,
    displayName: p.display_name,
    joinedAt: p.created_at.toISOString(),
  }));
  return {
    id: row.id,
    type: row.kind,
    title: row.title,
    ownerId: row.owner_id,
    participantIds: people.map((p) => p.userId),
    participants: people,
    createdAt: row.created_at.toISOString(),
    lastActivityAt: row.last_activity_at.toISOString(),
  };
}

/** Groups participant rows by conversation. */
export function byConversation(rows: ParticipantRow[]): Map<string, ParticipantRow[]> {
  const out = new Map<string, ParticipantRow[]>();
  for (const r of rows) {
    const list = out.get(r.conversation_id);
    if (list) list.push(r);
    else out.set(r.conversation_id, [r]);
  }
  return out;
}
