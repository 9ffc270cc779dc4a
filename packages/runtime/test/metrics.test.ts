import { expect, it } from "vitest";
import { createMetrics, recordStreamLag } from "../src/metrics";

it("runs beforeScrape refreshes before rendering, ignoring failures, until removed", async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  let lag = 0;
  const remove = metrics.beforeScrape(async () => recordStreamLag(metrics, { stream: "S", consumer: "c" }, ++lag));
  metrics.beforeScrape(async () => {
    throw new Error("ignored");
  });
  expect(await metrics.text()).toContain('dendrite_stream_consumer_lag{stream="S",consumer="c"} 1');
  expect(await metrics.text()).toContain('dendrite_stream_consumer_lag{stream="S",consumer="c"} 2');
  remove();
  expect(await metrics.text()).toContain('dendrite_stream_consumer_lag{stream="S",consumer="c"} 2');
});
