import assert from "node:assert/strict";
import { parseClientFrame, PROTOCOL_VERSION, ServerFrame } from "./stream_protocol.ts";

Deno.test("stream protocol: valid client frames parse", () => {
  assert.equal(PROTOCOL_VERSION, 1);
  assert.deepEqual(parseClientFrame('{"type":"auth","token":"t"}'), {
    ok: true,
    frame: { type: "auth", token: "t" },
  });
  const sub = parseClientFrame(
    '{"type":"subscribe","topics":["tenant","lead:L1","type:lead.captured"],"from":null}',
  );
  assert.ok(sub.ok);
  assert.ok(
    parseClientFrame('{"type":"subscribe","topics":["campaign:C1","task:T1"],"from":5}').ok,
  );
  assert.deepEqual(parseClientFrame('{"type":"ping"}'), { ok: true, frame: { type: "ping" } });
});

Deno.test("stream protocol: bad frames name the bad field and never throw", () => {
  assert.deepEqual(parseClientFrame("{nope"), {
    ok: false,
    code: "bad_json",
    path: "",
    message: "frame is not JSON",
  });
  const bad = (text: string) => {
    const r = parseClientFrame(text);
    assert.ok(!r.ok, text);
    return r.path;
  };
  assert.equal(bad('{"type":"subscribe","topics":["tenant"],"from":-1}'), "from");
  assert.equal(bad('{"type":"subscribe","topics":["lead:a/b"],"from":null}'), "topics.0");
  assert.equal(bad('{"type":"subscribe","topics":[],"from":null}'), "topics");
  assert.equal(bad('{"type":"subscribe","topics":["calendar:x"],"from":null}'), "topics.0");
  assert.equal(bad('{"type":"auth"}'), "token");
  assert.equal(bad('{"type":"dance"}'), "type");
  assert.equal(bad("[]"), "");
});

Deno.test("stream protocol: server frames validate", () => {
  const event = {
    type: "event",
    position: 3,
    event: { actor: "lead/t1/L1", seq: 1, type: "lead.captured", version: 1, data: {}, at: 1 },
  };
  assert.ok(ServerFrame.safeParse(event).success);
  assert.ok(!ServerFrame.safeParse({ type: "caught_up", position: -1 }).success);
});
