/**
 * Access tokens resolved from memory: the owner of a token digest, kept after the first look-up
 * so the hot path of every authenticated request costs no statement. It is exactly as correct as
 * the tables because every write that revokes a token or changes what it resolves to goes through
 * the userapi store, which reports the user once the write is committed (storage/index.ts), and
 * `invalidateUser` drops that user's entries before the write's caller gets its answer. This
 * holds because there is one userapi process per database: nothing else writes these tables.
 *
 * A look-up that was already reading when an invalidation came may have read the old row, so
 * its result is kept only if no invalidation happened meanwhile (the generation is unchanged).
 * Unknown tokens and deactivated accounts are not kept (nothing to revoke; a flood of made-up
 * tokens must not push real ones out). Bounded: least recently used entries go first.
 */
import type { TokenOwner } from "../storage";

export const DEFAULT_TOKEN_CACHE_SIZE = 50_000;

export class TokenCache {
  /** Digest (base64) → owner, in least- to most-recently-used order. */
  private readonly entries = new Map<string, TokenOwner>();
  /** Localpart → its digests in `entries`. */
  private readonly byUser = new Map<string, Set<string>>();
  private generation = 0;

  constructor(private readonly maxEntries: number = DEFAULT_TOKEN_CACHE_SIZE) {}

  get size(): number {
    return this.entries.size;
  }

  /** The owner of `digest`: from memory, or `load`ed (and kept when still current). */
  async lookup(digest: Buffer, load: (digest: Buffer) => Promise<TokenOwner | undefined>): Promise<TokenOwner | undefined> {
    const key = digest.toString("base64");
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const generation = this.generation;
    const owner = await load(digest);
    if (owner && !owner.deactivated && generation === this.generation) this.add(key, owner);
    return owner;
  }

  /** Forgets every token of the user, and anything read before now that is still in flight. */
  invalidateUser(localpart: string): void {
    this.generation++;
    const keys = this.byUser.get(localpart);
    if (!keys) return;
    this.byUser.delete(localpart);
    for (const key of keys) this.entries.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.byUser.clear();
  }

  private add(key: string, owner: TokenOwner): void {
    if (this.maxEntries <= 0) return;
    const previous = this.entries.get(key);
    if (previous) this.unindex(key, previous.localpart);
    this.entries.delete(key);
    this.entries.set(key, owner);
    let keys = this.byUser.get(owner.localpart);
    if (!keys) this.byUser.set(owner.localpart, (keys = new Set()));
    keys.add(key);
    while (this.entries.size > this.maxEntries) {
      const [oldest, evicted] = this.entries.entries().next().value as [string, TokenOwner];
      this.entries.delete(oldest);
      this.unindex(oldest, evicted.localpart);
    }
  }

  private unindex(key: string, localpart: string): void {
    const keys = this.byUser.get(localpart);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.byUser.delete(localpart);
  }
}
