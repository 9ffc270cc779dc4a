// Preloaded into a server by bench/message-stages.ts (node --import): timestamps, with no change
// to the server's code, of every HTTP request and answer and every socket write and read to
// PostgreSQL (:5432) and NATS (:4222), written to MESSAGE_STAGES_OUT when the process exits.
import { writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";

const out = process.env.MESSAGE_STAGES_OUT;
const marks = [];
const mark = (name) => {
  if (marks.length < 4_000_000) marks.push(name, Number(process.hrtime.bigint()) / 1e6);
};
process.on("exit", () => {
  if (out) writeFileSync(out, JSON.stringify(marks));
});

const peer = (socket) => (socket.remotePort === 5432 ? "pg" : socket.remotePort === 4222 ? "nats" : undefined);
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (...args) {
  const p = peer(this);
  if (p) mark(`${p} write`);
  return write.apply(this, args);
};
const emit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (event, ...args) {
  if (event === "data") {
    const p = peer(this);
    if (p) mark(`${p} read`);
  }
  return emit.call(this, event, ...args);
};
const serverEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, res) {
  if (event === "request") {
    const what = req.method === "PUT" ? "PUT" : "GET";
    mark(`${what} in`);
    const end = res.end;
    res.end = function (...args) {
      mark(`${what} answered`);
      return end.apply(this, args);
    };
  }
  return serverEmit.call(this, event, req, res);
};
