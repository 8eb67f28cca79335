-- The transaction of one `chat.send`, as MessagesService.send runs it: one
-- message per transaction. Variables: :c the conversation number (1..:convs).
\set c random(1, :convs)
BEGIN;
SELECT id AS conv, user_a AS sender FROM bench_pairs WHERE n = :c \gset
UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = now(), updated_at = now() WHERE id = ':conv' RETURNING last_seq AS seq \gset
SELECT 1 FROM conversation_participants WHERE conversation_id = ':conv' AND user_id = ':sender';
INSERT INTO messages (conversation_id, seq, sender_id, content, content_type) VALUES (':conv', :seq, ':sender', 'pgbench message with about one hundred bytes of content, like the load generator sends it', 'text') RETURNING id AS mid \gset
UPDATE conversation_participants SET last_read_seq = GREATEST(last_read_seq, :seq), last_read_message_id = ':mid', updated_at = now() WHERE conversation_id = ':conv' AND user_id = ':sender';
WITH o AS (INSERT INTO channel_offsets (channel, last_offset) VALUES ('chat:' || ':conv', 1) ON CONFLICT (channel) DO UPDATE SET last_offset = channel_offsets.last_offset + 1, updated_at = now() RETURNING last_offset) INSERT INTO channel_events (channel, "offset", event, data) SELECT 'chat:' || ':conv', o.last_offset, 'chat.message.created', '{"content":"pgbench"}'::jsonb FROM o;
SELECT id, kind, title FROM conversations WHERE id = ':conv';
SELECT user_id FROM conversation_participants WHERE conversation_id = ':conv';
COMMIT;
