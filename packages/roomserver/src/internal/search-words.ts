/**
 * Words for the user directory: what a display name is indexed as and what a search term is
 * split into, by one rule so the two always meet. Case-folded and NFKC-normalised (visually equal
 * strings match, "ǆ" is "dž"), cut at anything that is not a letter, digit or combining mark —
 * so "@bob_smith:example.org" is bob, smith, example, org and "Дмитрий Петров" two words. A
 * search matches when each of its words begins a word of the user's ID or display name.
 */

/** Search terms past this many words are cut (a pasted paragraph is not a name). */
export const MAX_SEARCH_WORDS = 10;

export function searchWords(text: string): string[] {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter((w) => w !== "");
}

/**
 * What the directory searches for a joined member: the words of their user ID and of their
 * display name between single spaces, with a space at each end, so "a word starting with w" is
 * `LIKE '% w%'` and "the word w" is `LIKE '% w %'`.
 */
export function searchKey(userId: string, displayName: string | undefined): string {
  return ` ${[...searchWords(userId), ...(displayName === undefined ? [] : searchWords(displayName))].join(" ")} `;
}
