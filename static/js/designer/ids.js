// flowcraft designer — task ids. No DOM.

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Returns 8 random characters of [a-z0-9].
 * @param {() => number} [random] a source of numbers in [0, 1); crypto-strength by default
 * @returns {string}
 */
function randomChars(random) {
  let out = "";
  if (!random && globalThis.crypto?.getRandomValues) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(8));
    for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
    return out;
  }
  const rnd = random || Math.random;
  for (let i = 0; i < 8; i++) out += ALPHABET[Math.floor(rnd() * ALPHABET.length)];
  return out;
}

/**
 * Returns a new task id, "task-" + 8 chars [a-z0-9], that is not in taken.
 * @param {{has(id: string): boolean}} [taken] ids already in use
 * @param {() => number} [random] a source of numbers in [0, 1)
 * @returns {string}
 */
export function newTaskId(taken, random) {
  for (;;) {
    const id = "task-" + randomChars(random);
    if (!taken || !taken.has(id)) return id;
  }
}

/** The pattern of ids the designer makes (the server accepts more). */
export const TASK_ID_RE = /^task-[a-z0-9]{8}$/;
