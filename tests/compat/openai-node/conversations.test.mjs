// The Conversations API through the official openai npm SDK (conversations.*, conversations.items.*) and the
// `conversation` parameter of responses.create. Run by Compatibility/OpenAINodeSdkTests with compat.test.mjs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI, { BadRequestError, NotFoundError } from 'openai';

const baseURL = process.env.LOOPWIRE_BASE_URL;
if (!baseURL) {
  throw new Error('Set LOOPWIRE_BASE_URL, e.g. http://127.0.0.1:8080/v1');
}

const client = new OpenAI({ baseURL, apiKey: 'loopwire-compat', maxRetries: 0, timeout: 30_000 });
const model = 'sim-instant';

describe('conversations', () => {
  test('create, retrieve, update, delete', async () => {
    const conv = await client.conversations.create({
      items: [{ type: 'message', role: 'user', content: 'Remember the number 42.' }],
      metadata: { topic: 'numbers' },
    });
    assert.match(conv.id, /^conv_/);
    assert.equal(conv.object, 'conversation');
    assert.equal(typeof conv.created_at, 'number');
    assert.deepEqual(conv.metadata, { topic: 'numbers' });

    const got = await client.conversations.retrieve(conv.id);
    assert.equal(got.id, conv.id);

    const updated = await client.conversations.update(conv.id, { metadata: { topic: 'letters' } });
    assert.deepEqual(updated.metadata, { topic: 'letters' });

    const deleted = await client.conversations.delete(conv.id);
    assert.deepEqual(deleted, { id: conv.id, object: 'conversation.deleted', deleted: true });
    await assert.rejects(client.conversations.retrieve(conv.id), NotFoundError);
  });

  test('responses.create with conversation appends the turn; items list pages with after', async () => {
    const conv = await client.conversations.create({
      items: [{ type: 'message', role: 'user', content: 'Remember the number 42.' }],
    });
    const response = await client.responses.create({ model, conversation: conv.id, input: 'What was the number?' });
    assert.equal(response.status, 'completed');
    assert.equal(response.conversation?.id, conv.id);

    const added = await client.conversations.items.create(conv.id, {
      items: [{ type: 'message', role: 'user', content: 'One more.' }],
    });
    assert.equal(added.object, 'list');
    assert.equal(added.data.length, 1);

    const items = [];
    for await (const item of client.conversations.items.list(conv.id, { limit: 1, order: 'asc' })) {
      items.push(item);
    }
    assert.deepEqual(items.map((i) => i.role), ['user', 'user', 'assistant', 'user']);
    assert.equal(items[2].id, response.output[0].id);

    const page = await client.conversations.items.list(conv.id);
    assert.equal(page.data[0].id, added.data[0].id, 'default order is desc');

    const one = await client.conversations.items.retrieve(items[0].id, { conversation_id: conv.id });
    assert.equal(one.id, items[0].id);
    const after = await client.conversations.items.delete(items[0].id, { conversation_id: conv.id });
    assert.equal(after.id, conv.id);
    await assert.rejects(client.conversations.items.retrieve(items[0].id, { conversation_id: conv.id }), NotFoundError);
  });

  test('conversation with previous_response_id is a BadRequestError', async () => {
    const conv = await client.conversations.create({});
    await assert.rejects(
      client.responses.create({ model, conversation: { id: conv.id }, previous_response_id: 'resp_x', input: 'hi' }),
      (err) => {
        assert.ok(err instanceof BadRequestError);
        assert.equal(err.param, 'conversation');
        return true;
      },
    );
  });
});
