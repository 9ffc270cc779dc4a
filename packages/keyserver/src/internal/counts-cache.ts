/**
 * Each device's key counts held in memory: /sync asks for them in every answer, and they change
 * only through this keyserver's own writes (uploads, claims, deletions), which drop the devices
 * they touch before their callers are answered. As in userapi's token cache, this holds because
 * one keyserver process serves a database; and a count read while an invalidation happened is
 * not kept (it may predate the write).
 */
export interface KeyCounts {
  oneTimeKeyCounts: Record<string, number>;
  unusedFallbackKeyTypes: string[];
}

/** Devices remembered at once; past it the cache starts over (it only saves statements). */
const MAX_DEVICES = 100_000;

export class KeyCountsCache {
  private readonly entries = new Map<string, KeyCounts>();
  private generation = 0;

  async get(userId: string, deviceId: string, load: () => Promise<KeyCounts>): Promise<KeyCounts> {
    const key = `${userId}\u0000${deviceId}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    const generation = this.generation;
    const counts = await load();
    if (generation === this.generation) {
      if (this.entries.size >= MAX_DEVICES) this.entries.clear();
      this.entries.set(key, counts);
    }
    return counts;
  }

  /** Forgets these devices' counts, and any read in flight. */
  invalidate(devices: Iterable<{ userId: string; deviceId: string }>): void {
    this.generation++;
    for (const d of devices) this.entries.delete(`${d.userId}\u0000${d.deviceId}`);
  }
}
