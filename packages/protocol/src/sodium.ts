/**
 * libsodium-wrappers, initialised once at import (top-level await), so every signing function
 * is synchronous for its callers. The design card names libsodium for ed25519.
 */
import sodium from "libsodium-wrappers";

await sodium.ready;

export { sodium };
