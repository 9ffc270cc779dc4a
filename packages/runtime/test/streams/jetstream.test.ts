import { createJetStreamStreams } from "../../src/index.js";
import { describeWithNats } from "../../src/testing.js";
import { deleteStreams } from "./nats-helpers.js";
import { defineStreamsSuite } from "./suite.js";

describeWithNats("JetStream", (servers) => {
  const prefix = `test${Date.now().toString(36)}${process.pid}`;
  defineStreamsSuite({
    open: () => createJetStreamStreams({ servers, prefix }),
    cleanup: () => deleteStreams(servers, prefix),
  });
});
