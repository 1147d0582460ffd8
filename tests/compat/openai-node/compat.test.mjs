// Runs the official openai npm SDK against a live Loopwire server.
// Usage: LOOPWIRE_BASE_URL=http://127.0.0.1:PORT/v1 node --test compat.test.mjs
// The xUnit test Compatibility/OpenAINodeSdkTests starts the server and runs this file.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI, { BadRequestError, NotFoundError } from 'openai';
import './compaction.test.mjs';
import './conversations.test.mjs';
import './lanes.test.mjs';

const baseURL = process.env.LOOPWIRE_BASE_URL;
if (!baseURL) {
  throw new Error('Set LOOPWIRE_BASE_URL, e.g. http://127.0.0.1:8080/v1');
}

// No retries: a failing request must fail the test at once, not hide behind back-off.
const client = new OpenAI({ baseURL, apiKey: 'loopwire-compat', maxRetries: 0, timeout: 30_000 });
const model = 'sim-instant';

const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

function messageText(response) {
  return response.output
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content)
    .filter((part) => part.type === 'output_text')
    .map((part) => part.text)
    .join('');
}

function assertUsage(usage) {
  assert.ok(usage, 'usage is present');
  assert.ok(usage.input_tokens > 0, 'input_tokens > 0');
  assert.ok(usage.output_tokens > 0, 'output_tokens > 0');
  assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
  assert.equal(typeof usage.input_tokens_details?.cached_tokens, 'number');
  assert.ok(usage.input_tokens_details.cached_tokens <= usage.input_tokens);
  assert.equal(typeof usage.output_tokens_details?.reasoning_tokens, 'number');
}

function assertCompletedText(response) {
  assert.equal(response.object, 'response');
  assert.match(response.id, /^resp_/);
  assert.equal(response.status, 'completed');
  assert.equal(response.model, model);
  assert.ok(response.output_text.length > 0, 'output_text is not empty');
  assert.equal(response.output_text, messageText(response));
  assertUsage(response.usage);
}

describe('responses.create', () => {
  test('text answer fills output_text and usage', async () => {
    const response = await client.responses.create({ model, input: 'Say hello.' });
    assertCompletedText(response);
    assert.equal(response.previous_response_id, null);
    const message = response.output.find((item) => item.type === 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.status, 'completed');
    assert.match(message.id, /^msg_/);
  });

  test('stream: true yields events in protocol order and ends with response.completed', async () => {
    const stream = await client.responses.create({ model, input: 'Stream a short answer.', stream: true });
    const events = [];
    for await (const event of stream) {
      events.push(event);
    }

    const types = events.map((e) => e.type);
    assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i), 'sequence_number counts from 0');
    assert.equal(types[0], 'response.created');
    assert.equal(types[1], 'response.in_progress');
    assert.equal(types.at(-1), 'response.completed');
    assert.equal(types.filter((t) => t === 'response.completed').length, 1);

    const middle = types.slice(2, -1);
    const firstDelta = middle.indexOf('response.output_text.delta');
    assert.ok(firstDelta > 0, 'at least one output_text.delta');
    assert.deepEqual(middle.slice(0, firstDelta), ['response.output_item.added', 'response.content_part.added']);
    const afterDeltas = middle.slice(middle.lastIndexOf('response.output_text.delta') + 1);
    assert.deepEqual(afterDeltas, ['response.output_text.done', 'response.content_part.done', 'response.output_item.done']);

    const created = events[0].response;
    assert.equal(created.status, 'in_progress');
    assert.deepEqual(created.output, []);

    const completed = events.at(-1).response;
    assert.equal(completed.id, created.id);
    assert.equal(completed.status, 'completed');
    assertUsage(completed.usage);
    const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    assert.equal(deltas, messageText(completed));
    assert.equal(events.find((e) => e.type === 'response.output_text.done').text, deltas);
  });
});

describe('responses.stream helper', () => {
  test('finalResponse() returns the completed response with output_text', async () => {
    const stream = client.responses.stream({ model, input: 'Use the stream helper.' });
    let snapshot = '';
    stream.on('response.output_text.delta', (event) => {
      snapshot = event.snapshot;
    });
    const response = await stream.finalResponse();
    assertCompletedText(response);
    assert.equal(snapshot, response.output_text);
  });
});

describe('conversation state', () => {
  test('previous_response_id chains and counts prior turns as input', async () => {
    const first = await client.responses.create({ model, input: 'My name is Ada.' });
    const second = await client.responses.create({ model, input: 'What is my name?', previous_response_id: first.id });
    assertCompletedText(second);
    assert.equal(second.previous_response_id, first.id);
    assert.ok(second.usage.input_tokens > first.usage.input_tokens, 'the chained turn sees the earlier turn');
  });

  test('retrieve returns the stored response', async () => {
    const created = await client.responses.create({ model, input: 'Remember this.' });
    const retrieved = await client.responses.retrieve(created.id);
    assert.equal(retrieved.id, created.id);
    assert.equal(retrieved.status, 'completed');
    assert.equal(retrieved.output_text, created.output_text);
    assert.deepEqual(retrieved.usage, created.usage);
  });

  test('delete then retrieve throws NotFoundError', async () => {
    const created = await client.responses.create({ model, input: 'Forget this.' });
    await client.responses.delete(created.id);
    await assert.rejects(client.responses.retrieve(created.id), (err) => {
      assert.ok(err instanceof NotFoundError, `expected NotFoundError, got ${err?.constructor?.name}: ${err?.message}`);
      assert.equal(err.status, 404);
      return true;
    });
    await assert.rejects(client.responses.delete(created.id), NotFoundError);
  });

  test('inputItems.list pages through the request input', async () => {
    const created = await client.responses.create({
      model,
      input: [
        { role: 'user', content: 'First question.' },
        { role: 'assistant', content: 'First answer.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Second question.' }] },
      ],
    });

    const items = [];
    for await (const item of client.responses.inputItems.list(created.id, { order: 'asc', limit: 1 })) {
      items.push(item);
    }
    assert.equal(items.length, 3, 'auto-pagination walks every page');
    assert.deepEqual(items.map((i) => i.type), ['message', 'message', 'message']);
    assert.deepEqual(items.map((i) => i.role), ['user', 'assistant', 'user']);
    for (const item of items) {
      assert.equal(typeof item.id, 'string');
      assert.ok(item.id.length > 0);
    }
    const last = items.at(-1).content.find((part) => part.type === 'input_text');
    assert.equal(last.text, 'Second question.');

    const page = await client.responses.inputItems.list(created.id);
    assert.equal(page.data.length, 3);
    assert.equal(page.data[0].id, items.at(-1).id, 'default order is desc');
  });
});

describe('function tools', () => {
  test('get_weather round trip: function_call, then function_call_output, then text', async () => {
    const call = await client.responses.create({
      model,
      tools: [weatherTool],
      input: 'Use get_weather to look up the weather in Paris.',
    });
    assert.equal(call.status, 'completed');
    const fc = call.output.find((item) => item.type === 'function_call');
    assert.ok(fc, `expected a function_call item, got ${JSON.stringify(call.output.map((i) => i.type))}`);
    assert.equal(fc.name, 'get_weather');
    assert.match(fc.call_id, /\S/);
    assert.equal(typeof fc.arguments, 'string');
    assert.equal(typeof JSON.parse(fc.arguments), 'object');
    assert.equal(call.tools.length, 1);
    assert.equal(call.tools[0].name, 'get_weather');

    const answer = await client.responses.create({
      model,
      tools: [weatherTool],
      previous_response_id: call.id,
      input: [{ type: 'function_call_output', call_id: fc.call_id, output: JSON.stringify({ city: 'Paris', temperature_c: 21 }) }],
    });
    assertCompletedText(answer);
    assert.equal(answer.output.some((item) => item.type === 'function_call'), false);
  });

  test('streamed function call arguments match the final item', async () => {
    const stream = client.responses.stream({
      model,
      tools: [weatherTool],
      input: 'Call get_weather for Oslo.',
    });
    let args = '';
    let done;
    stream.on('response.function_call_arguments.delta', (event) => {
      args += event.delta;
    });
    stream.on('response.function_call_arguments.done', (event) => {
      done = event;
    });
    const response = await stream.finalResponse();
    assert.equal(response.status, 'completed');
    const fc = response.output.find((item) => item.type === 'function_call');
    assert.ok(fc, 'function_call item in the final response');
    assert.ok(args.length > 0, 'at least one function_call_arguments.delta');
    assert.equal(typeof JSON.parse(args), 'object');
    assert.equal(fc.name, 'get_weather');
    assert.equal(fc.status, 'completed');
    assert.equal(fc.arguments, args);
    assert.equal(done?.arguments, args);
    assert.equal(done.item_id, fc.id);
  });
});

describe('errors', () => {
  for (const stream of [false, true]) {
    test(`unknown previous_response_id → BadRequestError previous_response_not_found (stream: ${stream})`, async () => {
      await assert.rejects(
        client.responses.create({ model, input: 'hi', previous_response_id: 'resp_does_not_exist', stream }),
        (err) => {
          assert.ok(err instanceof BadRequestError, `expected BadRequestError, got ${err?.constructor?.name}: ${err?.message}`);
          assert.equal(err.status, 400);
          assert.equal(err.code, 'previous_response_not_found');
          assert.equal(err.param, 'previous_response_id');
          assert.equal(err.type, 'invalid_request_error');
          assert.match(err.headers.get('x-request-id') ?? '', /^req_/);
          return true;
        },
      );
    });
  }
});

describe('models', () => {
  test('models.list includes the simulated models', async () => {
    const ids = [];
    for await (const m of client.models.list()) {
      assert.equal(m.object, 'model');
      ids.push(m.id);
    }
    for (const id of ['sim-instant', 'sim-spark', 'sim-gpt5', 'sim-burst']) {
      assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    }
  });
});
