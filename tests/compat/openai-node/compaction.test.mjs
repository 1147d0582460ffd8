// Compaction and token counting through the official openai npm SDK (responses.compact, responses.inputTokens.count).
// Imported by compat.test.mjs, so the same `node --test compat.test.mjs` run covers it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI, { BadRequestError } from 'openai';

const baseURL = process.env.LOOPWIRE_BASE_URL;
const client = new OpenAI({ baseURL, apiKey: 'loopwire-compat', maxRetries: 0, timeout: 30_000 });
const model = 'sim-instant';

const history = [
  { role: 'user', content: 'Fix the failing test in calc.py.' },
  { type: 'function_call', call_id: 'call_1', name: 'read_file', arguments: '{"path":"calc.py"}' },
  { type: 'function_call_output', call_id: 'call_1', output: 'def add(a, b):\n    return a - b\n' + 'pad '.repeat(80) },
  { role: 'assistant', content: 'add() subtracts; I will fix it.' },
  { role: 'user', content: 'Go ahead.' },
];

describe('responses.compact', () => {
  test('output is the user messages then one compaction item, and feeds back as a new chain', async () => {
    const compacted = await client.responses.compact({ model, input: history });
    assert.equal(compacted.object, 'response.compaction');
    const types = compacted.output.map((item) => item.type);
    assert.deepEqual(types, ['message', 'message', 'compaction']);
    const item = compacted.output.at(-1);
    assert.equal(typeof item.encrypted_content, 'string');
    assert.ok(compacted.usage.input_tokens > 0);

    const next = await client.responses.create({ model, input: [...compacted.output, { role: 'user', content: 'Continue.' }] });
    assert.equal(next.status, 'completed');
    const full = await client.responses.inputTokens.count({ model, input: [...history, { role: 'user', content: 'Continue.' }] });
    assert.ok(next.usage.input_tokens < full.input_tokens, `${next.usage.input_tokens} < ${full.input_tokens}`);
  });

  test('an edited compaction item → BadRequestError invalid_encrypted_content', async () => {
    const compacted = await client.responses.compact({ model, input: history });
    const item = compacted.output.at(-1);
    const at = Math.floor(item.encrypted_content.length / 2);
    const edited = item.encrypted_content.slice(0, at) + (item.encrypted_content[at] === 'A' ? 'B' : 'A') + item.encrypted_content.slice(at + 1);
    await assert.rejects(
      client.responses.create({ model, input: [...compacted.output.slice(0, -1), { ...item, encrypted_content: edited }] }),
      (err) => {
        assert.ok(err instanceof BadRequestError, `expected BadRequestError, got ${err?.constructor?.name}`);
        assert.equal(err.code, 'invalid_encrypted_content');
        return true;
      },
    );
  });
});

describe('responses.inputTokens.count', () => {
  test('equals the input_tokens the same create reports', async () => {
    const body = { model, instructions: 'Be brief.', input: history };
    const counted = await client.responses.inputTokens.count(body);
    assert.equal(counted.object, 'response.input_tokens');
    const created = await client.responses.create(body);
    assert.equal(counted.input_tokens, created.usage.input_tokens);
  });
});
