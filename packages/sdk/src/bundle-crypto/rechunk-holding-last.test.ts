import { describe, expect, it } from 'vitest';
import { rechunkHoldingLast } from './rechunk-holding-last.js';

async function cut(options: { pieces: number[]; size: number; head?: number }) {
  const total = options.pieces.reduce((sum, piece) => sum + piece, 0) + (options.head ?? 0);
  const bytes = Buffer.from(Array.from({ length: total }, (_, index) => index % 251));
  let offset = options.head ?? 0;
  async function* chunks() {
    for (const piece of options.pieces) {
      yield bytes.subarray(offset, offset + piece);
      offset += piece;
    }
  }
  const out: { length: number; last: boolean }[] = [];
  const joined: Buffer[] = [];
  for await (const { chunk, last } of rechunkHoldingLast({
    chunks: chunks(),
    size: options.size,
    ...(options.head ? { head: bytes.subarray(0, options.head) } : {}),
  })) {
    out.push({ length: chunk.length, last });
    joined.push(chunk);
  }
  expect(Buffer.concat(joined).equals(bytes)).toBe(true);
  return out;
}

describe('rechunkHoldingLast', () => {
  it('yields one empty last chunk for an empty stream', async () => {
    expect(await cut({ pieces: [], size: 4 })).toEqual([{ length: 0, last: true }]);
    expect(await cut({ pieces: [0, 0], size: 4 })).toEqual([{ length: 0, last: true }]);
  });

  it('keeps a full final chunk full and last, never followed by an empty one', async () => {
    expect(await cut({ pieces: [4], size: 4 })).toEqual([{ length: 4, last: true }]);
    expect(await cut({ pieces: [3, 5], size: 4 })).toEqual([
      { length: 4, last: false },
      { length: 4, last: true },
    ]);
  });

  it('cuts pieces of any size into exact chunks and a short last one', async () => {
    expect(await cut({ pieces: [1, 2, 7, 1], size: 4 })).toEqual([
      { length: 4, last: false },
      { length: 4, last: false },
      { length: 3, last: true },
    ]);
    expect(await cut({ pieces: [13], size: 4 })).toEqual([
      { length: 4, last: false },
      { length: 4, last: false },
      { length: 4, last: false },
      { length: 1, last: true },
    ]);
  });

  it('puts the head before the chunks', async () => {
    expect(await cut({ head: 3, pieces: [2], size: 4 })).toEqual([
      { length: 4, last: false },
      { length: 1, last: true },
    ]);
    expect(await cut({ head: 9, pieces: [], size: 4 })).toEqual([
      { length: 4, last: false },
      { length: 4, last: false },
      { length: 1, last: true },
    ]);
  });
});
