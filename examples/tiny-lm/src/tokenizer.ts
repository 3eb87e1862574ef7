/**
 * A character-level tokenizer with a fixed vocabulary of 96 tokens: id 0 is the newline, ids 1…95 are
 * the printable ASCII characters from space (32) to tilde (126). The vocabulary does not depend on the
 * training text, so a checkpoint and any prompt agree on it. Carriage returns are dropped, tabs become a
 * space, and any other character becomes `?` (id of '?'), so `encode` never throws on text.
 *
 * @example
 * ```ts
 * import { CharTokenizer } from '@prep/example-tiny-lm';
 * const tokenizer = new CharTokenizer();
 * const ids = tokenizer.encode('Hi!\n'); // Int32Array [41, 74, 2, 0]
 * tokenizer.decode(ids);                  // 'Hi!\n'
 * tokenizer.vocabSize;                    // 96
 * ```
 */
export class CharTokenizer {
  /** Number of token ids, 96. */
  readonly vocabSize = 96;
  /** The id that characters outside the vocabulary map to (the id of `?`). */
  readonly unknownId = '?'.charCodeAt(0) - 31;

  /**
   * Text to token ids.
   * @param text - any string
   * @returns int32 ids in [0, 96)
   * @throws TypeError when text is not a string
   */
  encode(text: string): Int32Array {
    if (typeof text !== 'string') throw new TypeError(`CharTokenizer.encode: 'text' must be a string; got ${typeof text}`);
    const ids = new Int32Array(text.length);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 13) continue; // \r
      if (code === 10) ids[n++] = 0;
      else if (code === 9) ids[n++] = 1; // tab → space
      else if (code >= 32 && code <= 126) ids[n++] = code - 31;
      else ids[n++] = this.unknownId;
    }
    return ids.slice(0, n);
  }

  /**
   * Token ids to text.
   * @param ids - ids in [0, 96)
   * @returns the text
   * @throws TypeError when ids is not an array-like of numbers; RangeError for an id outside [0, 96)
   */
  decode(ids: ArrayLike<number>): string {
    if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
      throw new TypeError(`CharTokenizer.decode: 'ids' must be an array of token ids; got ${ids === null ? 'null' : typeof ids}`);
    }
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (typeof id !== 'number') throw new TypeError(`CharTokenizer.decode: 'ids[${i}]' must be a number; got ${typeof id}`);
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new RangeError(`CharTokenizer.decode: 'ids[${i}]' must be an integer in [0, ${this.vocabSize}); got ${id}`);
      }
      out += id === 0 ? '\n' : String.fromCharCode(id + 31);
    }
    return out;
  }
}
