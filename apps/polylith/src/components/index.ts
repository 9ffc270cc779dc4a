/** Every component the polylith can run as a process, in start order. */
import { clientapiEntry } from "./clientapi";
import { eduserverEntry } from "./eduserver";
import { keyserverEntry } from "./keyserver";
import { mediaapiEntry } from "./mediaapi";
import { roomserverEntry } from "./roomserver";
import { serverkeyapiEntry } from "./serverkeyapi";
import { syncapiEntry } from "./syncapi";
import { userapiEntry } from "./userapi";
import type { ComponentEntry } from "./types";

export const COMPONENT_ENTRIES: readonly ComponentEntry[] = [
  serverkeyapiEntry,
  roomserverEntry,
  userapiEntry,
  eduserverEntry,
  keyserverEntry,
  clientapiEntry,
  syncapiEntry,
  mediaapiEntry,
];

export function componentEntry(name: string): ComponentEntry | undefined {
  return COMPONENT_ENTRIES.find((c) => c.name === name);
}

export type { ComponentContext, ComponentEntry, RunningComponent } from "./types";
