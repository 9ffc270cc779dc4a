import { describe, expect, it } from "vitest";
import { inputSubject, outputSubject } from "../src";
import { KeyedQueues } from "@dendrite-ts/runtime";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("per-room queues", () => {
  it("runs a room's tasks one at a time in order, rooms in parallel, and survives a failing task", async () => {
    const q = new KeyedQueues();
    const log: string[] = [];
    const task = (room: string, n: number, ms: number, fail = false) =>
      q.run(room, async () => {
        log.push(`${room}${n}+`);
        await tick(ms);
        log.push(`${room}${n}-`);
        if (fail) throw new Error("boom");
        return n;
      });
    const a1 = task("a", 1, 30, true);
    const a2 = task("a", 2, 1);
    const b1 = task("b", 1, 1);
    await expect(a1).rejects.toThrow("boom");
    expect(await a2).toBe(2);
    expect(await b1).toBe(1);
    // b ran while a1 was still running; a2 only after a1 ended.
    expect(log.indexOf("b1-")).toBeLessThan(log.indexOf("a1-"));
    expect(log.indexOf("a2+")).toBeGreaterThan(log.indexOf("a1-"));
    await q.drain();
  });
});

describe("subjects", () => {
  it("escape what means something in a subject, keep the rest readable", () => {
    expect(inputSubject("!abc:example.org")).toBe("InputRoomEvent.!abc:example%2eorg");
    expect(outputSubject("!x*y>z:h")).toBe("OutputRoomEvent.!x%2ay%3ez:h");
    expect(outputSubject("!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT")).toBe("OutputRoomEvent.!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT");
  });
});
