// Account data and tags: storage, reads for sync, and exactly one OutputClientData message
// per change, deduplicated by msgId even when the outbox is replayed after a crash.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StreamMessage, Subscription } from "@dendrite-ts/runtime";
import { createUserapi, OUTPUT_CLIENT_DATA, outputClientDataSchema, type OutputClientData } from "../src/index";
import { expectMatrixError, ok, registerAlice, SERVER, startUserapi, TRANSPORTS, warmPool, type Harness } from "./harness";

const ROOM = "!room:test.local";

describe.each(TRANSPORTS)("account data (%s)", (transport) => {
  let h: Harness;
  let userId: string;
  let received: StreamMessage[];
  let sub: Subscription;

  beforeEach(async () => {
    h = await startUserapi(transport);
    ({ userId } = await registerAlice(h.client));
    received = [];
    sub = await h.streams.consume(OUTPUT_CLIENT_DATA, "test_syncapi", (msg) => {
      received.push(msg);
    });
  });
  afterEach(async () => {
    await sub.stop();
    await h.close();
  });

  /** Waits until a message with this account-data type arrives (a change acts as a sentinel). */
  async function until(pred: (m: OutputClientData) => boolean): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if (received.some((m) => pred(m.json<OutputClientData>()))) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("message never arrived");
  }

  it("stores content as a JSON object, not a JSON string", async () => {
    await ok(h.client.setAccountData({ body: { userId, type: "m.direct", content: { a: [1] } } }));
    const rows = await h.db.sql`SELECT jsonb_typeof(content) AS t, content->'a'->>0 AS a FROM userapi.account_data`;
    expect(rows.map((r) => ({ ...r }))).toEqual([{ t: "object", a: "1" }]);
  });

  it("stores global and room data; reads and changes-since for sync", async () => {
    const a = await ok(h.client.setAccountData({ body: { userId, type: "m.direct", content: { "@bob:x": ["!a:x"] } } }));
    const b = await ok(h.client.setAccountData({ body: { userId, roomId: ROOM, type: "org.example", content: { n: 1 } } }));
    expect(b.streamPos).toBeGreaterThan(a.streamPos);
    expect(await ok(h.client.queryAccountData({ body: { userId, type: "m.direct" } }))).toEqual({ content: { "@bob:x": ["!a:x"] } });
    expect(await ok(h.client.queryAccountData({ body: { userId, roomId: ROOM, type: "org.example" } }))).toEqual({ content: { n: 1 } });
    // Global and room data of the same type are different entries.
    await expectMatrixError(h.client.queryAccountData({ body: { userId, type: "org.example" } }), "M_NOT_FOUND", 404);

    const all = await ok(h.client.queryAccountDataSince({ body: { userId, since: 0 } }));
    expect(all.entries.map((e) => [e.roomId, e.type])).toEqual([
      [null, "m.direct"],
      [ROOM, "org.example"],
    ]);
    expect(all.maxStreamPos).toBe(b.streamPos);
    const later = await ok(h.client.queryAccountDataSince({ body: { userId, since: a.streamPos } }));
    expect(later.entries.map((e) => e.type)).toEqual(["org.example"]);
  });

  it("publishes one message per change, with distinct msgIds and increasing positions", async () => {
    await ok(h.client.setAccountData({ body: { userId, type: "m.direct", content: { v: 1 } } }));
    await ok(h.client.setAccountData({ body: { userId, roomId: ROOM, type: "m.fully_read", content: { event_id: "$e" } } }));
    await ok(h.client.setAccountData({ body: { userId, type: "m.direct", content: { v: 2 } } }));
    await ok(h.client.setAccountData({ body: { userId, type: "sentinel", content: {} } }));
    await until((m) => m.type === "sentinel");

    const msgs = received.map((m) => outputClientDataSchema.parse(m.json()));
    expect(msgs.map((m) => [m.kind, m.userId, m.roomId, m.type, m.content])).toEqual([
      ["account_data", userId, null, "m.direct", { v: 1 }],
      ["account_data", userId, ROOM, "m.fully_read", { event_id: "$e" }],
      ["account_data", userId, null, "m.direct", { v: 2 }],
      ["account_data", userId, null, "sentinel", {}],
    ]);
    const ids = received.map((m) => m.msgId);
    expect(new Set(ids).size).toBe(4);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    const positions = msgs.map((m) => m.streamPos);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
  });

  it("a replayed outbox after a crash republishes nothing twice and loses nothing", async () => {
    await ok(h.client.setAccountData({ body: { userId, type: "first", content: {} } }));
    await until((m) => m.type === "first");
    const published = received[0]!;
    // The crash: one message was published but not yet deleted from the outbox, and one change
    // committed whose message never left.
    const lost: OutputClientData = { kind: "account_data", userId, roomId: null, type: "lost", content: {}, streamPos: 999_999 };
    await h.db.sql`INSERT INTO userapi.outbox (subject, msg_id, payload) VALUES
      (${published.subject}, ${published.msgId!}, ${JSON.stringify(published.json())}::jsonb),
      (${published.subject}, ${"account_data:999999"}, ${JSON.stringify(lost)}::jsonb)`;
    // The restart: a new userapi on the same database and streams flushes the outbox.
    const restarted = await createUserapi({ db: h.db, streams: h.streams, serverName: SERVER, registration: { open: true, tokensEnabled: false } });
    await restarted.close();
    await ok(h.client.setAccountData({ body: { userId, type: "sentinel", content: {} } }));
    await until((m) => m.type === "sentinel");
    expect(received.map((m) => m.json<OutputClientData>().type)).toEqual(["first", "lost", "sentinel"]);
    expect((await h.db.sql`SELECT count(*)::int AS n FROM userapi.outbox`)[0]!.n).toBe(0);
  });

  it("account data for an unknown user is M_NOT_FOUND and publishes nothing", async () => {
    await expectMatrixError(h.client.setAccountData({ body: { userId: `@ghost:${SERVER}`, type: "x", content: {} } }), "M_NOT_FOUND");
    await ok(h.client.setAccountData({ body: { userId, type: "sentinel", content: {} } }));
    await until((m) => m.type === "sentinel");
    expect(received).toHaveLength(1);
  });

  describe("tags (m.tag room account data)", () => {
    it("add, replace and remove tags; each change is an m.tag message", async () => {
      expect(await ok(h.client.queryTags({ body: { userId, roomId: ROOM } }))).toEqual({ tags: {} });
      await ok(h.client.setTag({ body: { userId, roomId: ROOM, tag: "m.favourite", content: { order: 0.25 } } }));
      await ok(h.client.setTag({ body: { userId, roomId: ROOM, tag: "u.work", content: {} } }));
      await ok(h.client.setTag({ body: { userId, roomId: ROOM, tag: "m.favourite", content: { order: 0.5 } } }));
      expect(await ok(h.client.queryTags({ body: { userId, roomId: ROOM } }))).toEqual({
        tags: { "m.favourite": { order: 0.5 }, "u.work": {} },
      });
      await ok(h.client.deleteTag({ body: { userId, roomId: ROOM, tag: "u.work" } }));
      await ok(h.client.deleteTag({ body: { userId, roomId: ROOM, tag: "never-set" } })); // no change, no message
      expect(await ok(h.client.queryAccountData({ body: { userId, roomId: ROOM, type: "m.tag" } }))).toEqual({
        content: { tags: { "m.favourite": { order: 0.5 } } },
      });

      await ok(h.client.setAccountData({ body: { userId, type: "sentinel", content: {} } }));
      await until((m) => m.type === "sentinel");
      const tagMsgs = received.map((m) => m.json<OutputClientData>()).filter((m) => m.type === "m.tag");
      expect(tagMsgs.map((m) => m.content)).toEqual([
        { tags: { "m.favourite": { order: 0.25 } } },
        { tags: { "m.favourite": { order: 0.25 }, "u.work": {} } },
        { tags: { "m.favourite": { order: 0.5 }, "u.work": {} } },
        { tags: { "m.favourite": { order: 0.5 } } },
      ]);
      expect(tagMsgs.every((m) => m.roomId === ROOM)).toBe(true);
    });

    it("concurrent tag edits on one room all land", async () => {
      await warmPool(h);
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => h.client.setTag({ body: { userId, roomId: ROOM, tag: `u.t${i}`, content: {} } })),
      );
      const { tags } = await ok(h.client.queryTags({ body: { userId, roomId: ROOM } }));
      expect(Object.keys(tags).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `u.t${i}`));
    });

    it("a tag name over 255 bytes is refused", async () => {
      await expectMatrixError(h.client.setTag({ body: { userId, roomId: ROOM, tag: "é".repeat(128), content: {} } }), "M_INVALID_PARAM");
    });
  });
});
