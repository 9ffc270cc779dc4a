// For code that embeds the monolith (test harnesses, benchmarks): start it in-process.
export { startMonolith, type RunningMonolith, type StartMonolithOptions } from "./server";
