// WebSocket mode's lanes (`stream_id`), forks and steering through the official openai npm SDK's own helper:
// ResponsesWS (the SDK's socket) and ResponsesWebSocketSession / lane() (its per-lane router).
// Imported by compat.test.mjs, so the same `node --test compat.test.mjs` run covers it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { ResponsesWebSocketSession } from 'openai/lib/responses/responses-websocket-session';

const baseURL = process.env.LOOPWIRE_BASE_URL;
const client = new OpenAI({ baseURL, apiKey: 'loopwire-compat', maxRetries: 0, timeout: 30_000 });
const limits = { maxLanes: 8, maxBufferedEvents: 10_000, maxBufferedBytes: 8 * 1024 * 1024 };
// Bounds every wait on the socket: a server that never answers fails the test instead of hanging the suite.
const waitLimit = () => AbortSignal.timeout(60_000);

/** Opens the SDK's WebSocket (no automatic reconnect) and records every raw event it receives. */
async function connect() {
  const connection = new ResponsesWS(client);
  const events = [];
  connection.on('event', (event) => events.push(event));
  // The SDK reports request errors as events; an 'error' listener keeps them from being thrown as unhandled.
  connection.on('error', () => {});
  if (connection.socket.readyState !== 1) {
    await new Promise((resolve, reject) => {
      connection.socket.once('open', resolve);
      connection.socket.once('error', reject);
    });
  }
  return { connection, events };
}

function text(response) {
  return response.output_text;
}

describe('WebSocket lanes through the SDK\'s ResponsesWebSocketSession', () => {
  let connection;
  let events;
  let session;

  before(async () => {
    ({ connection, events } = await connect());
    session = new ResponsesWebSocketSession(connection, limits);
  });

  after(() => {
    session?.close();
    connection?.close();
  });

  test('two lanes run at once, every event is tagged with its lane, and a fork of lane A on lane B sees A\'s context', async () => {
    const laneA = session.lane('agent-a');
    const laneB = session.lane('agent-b');
    const model = 'sim-instant';

    // Two independent conversations in flight on one socket.
    laneA.create({ model, store: false, input: 'Lane A: remember the word cobalt.' });
    laneB.create({ model, store: false, input: 'Lane B: remember the word amber.' });
    const [a1, b1] = await Promise.all([laneA.finalResponse({ signal: waitLimit() }), laneB.finalResponse({ signal: waitLimit() })]);
    assert.equal(a1.status, 'completed');
    assert.equal(b1.status, 'completed');
    assert.notEqual(a1.id, b1.id);
    assert.ok(text(a1).length > 0 && text(b1).length > 0);

    // Fork: lane A's response continued on lane B (store:false, so only the connection's lane caches hold it), then
    // lane A continues the same response with the same input while the fork runs. Both branches run. The fork is sent
    // while lane A is idle: a fork racing A's own continuation may lose its parent with store:false (see the README).
    const question = 'Which word did I ask you to remember?';
    laneB.create({ model, store: false, previous_response_id: a1.id, input: question });
    const forkCreated = await laneB.receive({ signal: waitLimit() });
    assert.equal(forkCreated.type, 'response.created', JSON.stringify(forkCreated));
    laneA.create({ model, store: false, previous_response_id: a1.id, input: question });
    const [a2, fork] = await Promise.all([laneA.finalResponse({ signal: waitLimit() }), laneB.finalResponse({ signal: waitLimit() })]);
    assert.equal(fork.id, forkCreated.response.id);
    assert.equal(a2.status, 'completed');
    assert.equal(fork.status, 'completed');
    assert.equal(a2.previous_response_id, a1.id);
    assert.equal(fork.previous_response_id, a1.id);
    // The simulated model is a deterministic function of the whole context: the fork answers exactly as lane A's own
    // continuation does, and differently from the same question without A's history.
    assert.equal(text(fork), text(a2));
    assert.ok(fork.usage.input_tokens > a1.usage.input_tokens, 'the fork\'s prompt holds A\'s conversation');
    const laneC = session.lane('agent-c');
    laneC.create({ model, store: false, input: question });
    const fresh = await laneC.finalResponse({ signal: waitLimit() });
    assert.notEqual(text(fresh), text(fork));

    // Every event of a named lane echoes its stream_id (terminal events included), and the helper routed each
    // response to the lane that asked for it.
    for (const [response, lane] of [[a1, 'agent-a'], [a2, 'agent-a'], [b1, 'agent-b'], [fork, 'agent-b'], [fresh, 'agent-c']]) {
      const own = events.filter((e) => e.response?.id === response.id);
      assert.ok(own.some((e) => e.type === 'response.created'), `response.created of ${response.id}`);
      assert.ok(own.some((e) => e.type === 'response.completed'), `response.completed of ${response.id}`);
      for (const e of own) {
        assert.equal(e.stream_id, lane, `${e.type} of ${response.id} carries stream_id ${lane}`);
      }
    }

    assert.ok(events.filter((e) => e.type.startsWith('response.')).every((e) => ['agent-a', 'agent-b', 'agent-c'].includes(e.stream_id)),
      'no event of a named lane goes out untagged');
  });

  test('with store:true a fork sent while lane A runs its own continuation also runs (its parent comes from the store)', async () => {
    const laneA = session.lane('stored-a');
    const laneB = session.lane('stored-b');
    const model = 'sim-instant';
    laneA.create({ model, store: true, input: 'Remember the word cobalt.' });
    const a1 = await laneA.finalResponse({ signal: waitLimit() });
    const question = 'Which word did I ask you to remember?';
    laneA.create({ model, store: true, previous_response_id: a1.id, input: question });
    laneB.create({ model, store: true, previous_response_id: a1.id, input: question });
    const [a2, fork] = await Promise.all([laneA.finalResponse({ signal: waitLimit() }), laneB.finalResponse({ signal: waitLimit() })]);
    assert.equal(a2.status, 'completed');
    assert.equal(fork.status, 'completed');
    assert.equal(fork.previous_response_id, a1.id);
    assert.equal(text(fork), text(a2));
    const stored = await client.responses.retrieve(fork.id);
    assert.equal(stored.previous_response_id, a1.id);
  });

  test('the default lane carries no stream_id key', async () => {
    const lane = session.lane();
    const before = events.length;
    lane.create({ model: 'sim-instant', store: false, input: 'Hello on the default lane.' });
    const response = await lane.finalResponse({ signal: waitLimit() });
    assert.equal(response.status, 'completed');
    const own = events.slice(before);
    assert.ok(own.length > 0);
    for (const e of own) {
      assert.equal(Object.hasOwn(e, 'stream_id'), false, `${e.type} has no stream_id key`);
    }
  });

  test('a steer on a running response: accepted, the target ends (steered or completed), a successor continues with the steer', async () => {
    const lane = session.lane('steered');
    // sim-gpt5 decodes slowly, so the answer is still streaming when the steer arrives (if it has finished first,
    // the target stays completed and the successor still follows: both are the protocol's outcomes).
    lane.create({ model: 'sim-gpt5', store: false, input: 'Tell me at length about sockets.' });
    const seen = [];
    let target;
    for (;;) {
      const e = await lane.receive({ signal: waitLimit() });
      seen.push(e);
      if (e.type === 'response.created') {
        target = e.response.id;
      }
      if (e.type === 'response.output_text.delta') {
        break;
      }
      assert.notEqual(e.type, 'error', JSON.stringify(e));
    }

    // The SDK types the client event; the helper's lane has no steer method, so it goes on the SDK's socket.
    connection.send({ type: 'response.steer', previous_response_id: target, input: 'Talk about caching instead.' });
    let accepted;
    let targetEnd;
    for (;;) {
      const e = await lane.receive({ signal: waitLimit() });
      seen.push(e);
      assert.notEqual(e.type, 'error', JSON.stringify(e));
      assert.notEqual(e.type, 'response.steer.failed', JSON.stringify(e));
      if (e.type === 'response.steer.accepted') {
        accepted = e;
      }
      if (e.response?.id === target && ['response.completed', 'response.incomplete', 'response.failed'].includes(e.type)) {
        targetEnd = e;
        break;
      }
    }

    assert.ok(accepted, 'response.steer.accepted arrives before the target ends');
    assert.match(accepted.steer.id, /^steer_/);
    assert.equal(accepted.steer.previous_response_id, target);
    assert.equal(accepted.stream_id, 'steered');
    if (targetEnd.type === 'response.incomplete') {
      assert.equal(targetEnd.response.incomplete_details.reason, 'steered');
    } else {
      assert.equal(targetEnd.type, 'response.completed');
    }

    // The automatic successor: the helper's finalResponse reads it like any response on the lane.
    const successor = await lane.finalResponse({ signal: waitLimit() });
    assert.equal(successor.status, 'completed');
    assert.equal(successor.previous_response_id, target);
    assert.notEqual(successor.id, target);
    if (targetEnd.type === 'response.incomplete') {
      assert.match(text(successor), /^Changing course as asked: Talk about caching instead/);
    }
    for (const e of seen) {
      assert.equal(e.stream_id, 'steered', `${e.type} carries the lane`);
    }
  });
});
