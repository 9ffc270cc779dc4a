/**
 * The machine's floor for send → /sync: a message's hops with no Matrix work in them. A PUT is
 * committed to one table, published to JetStream through our streams layer and answered; a
 * consumer (one at a time, as the syncapi's) commits it to a second table and answers the parked
 * GET. Same processes and sockets as the monolith on PostgreSQL + NATS: HTTP, two durable
 * commits, a publish and a delivery. Run by chat.bench.ts: `floor-server.ts <postgres-url>
 * <nats-url> <stream-prefix> <port>`.
 */
import http from "node:http";
import { connectPostgres, createJetStreamStreams } from "@dendrite-ts/runtime";

const [postgresUrl, natsUrl, prefix, port] = process.argv.slice(2);
if (!postgresUrl || !natsUrl || !prefix || !port) throw new Error("usage: floor-server.ts <postgres-url> <nats-url> <stream-prefix> <port>");

const sql = connectPostgres(postgresUrl, { max: 4 });
await sql`CREATE TABLE IF NOT EXISTS floor_in (id bigserial PRIMARY KEY, body text NOT NULL)`;
await sql`CREATE TABLE IF NOT EXISTS floor_out (pos bigserial PRIMARY KEY, id bigint NOT NULL, body text NOT NULL)`;
const streams = await createJetStreamStreams({ servers: [natsUrl], prefix });
await streams.ensureStream({ name: "Floor", subjects: ["Floor.>"] });
await streams.ensureConsumer("Floor", "floor");

const parked: http.ServerResponse[] = [];
await streams.consume("Floor", "floor", async (m) => {
  const { id, body } = m.json<{ id: number; body: string }>();
  const [row] = await sql<{ pos: string }[]>`INSERT INTO floor_out (id, body) VALUES (${id}, ${body}) RETURNING pos`;
  for (const res of parked.splice(0)) res.end(JSON.stringify({ pos: Number(row!.pos) }));
}, { concurrency: 1 });

const server = http.createServer((req, res) => {
  if (req.url === "/ready") {
    res.end("{}");
    return;
  }
  if (req.method !== "PUT") {
    parked.push(res);
    return;
  }
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (body += chunk));
  req.on("end", () => {
    void (async () => {
      const [row] = await sql<{ id: string }[]>`INSERT INTO floor_in (body) VALUES (${body}) RETURNING id`;
      const id = Number(row!.id);
      res.end(JSON.stringify({ id }));
      await streams.publish("Floor.room", { id, body }, { msgId: String(id) });
    })().catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  });
});
// A clean exit on SIGTERM (the harness's stop), so `--cpu-prof` can write its profile.
process.on("SIGTERM", () => process.exit(0));
server.listen(Number(port), "127.0.0.1", () => console.log("floor server listening"));
