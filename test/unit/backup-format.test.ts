import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  deriveBackupKeys,
  FrameDecoder,
  FrameEncoder,
  FrameError,
  FrameReader,
  macMatches,
  metadataMac,
} from '../../src/platform/backup/format.js';

const ID = '20260522T031500123Z-4f2a9c';
const FRAME = 64;

async function encrypt(plaintext: Buffer, key: Buffer, options: { chunk?: number; beforeLast?: () => Promise<void> } = {}) {
  const encoder = new FrameEncoder(key, ID, FRAME, options.beforeLast);
  const chunks: Buffer[] = [];
  const size = options.chunk ?? 7;
  const pieces = Array.from({ length: Math.ceil(plaintext.length / size) }, (_, i) => plaintext.subarray(i * size, (i + 1) * size));
  await pipeline(Readable.from(pieces), encoder, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return { file: Buffer.concat(chunks), stats: encoder.stats };
}

function decryptAll(file: Buffer, key: Buffer, id = ID): Buffer {
  const reader = new FrameReader(key, id, FRAME);
  const out: Buffer[] = [];
  // Odd-sized chunks: frames and the header arrive split at every possible place.
  for (let at = 0; at < file.length; at += 13) out.push(...reader.feed(file.subarray(at, at + 13)));
  reader.finish();
  return Buffer.concat(out);
}

const problemOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return error instanceof FrameError ? error.problem : `other: ${(error as Error).message}`;
  }
  return 'none';
};

describe('the encrypted backup file format', () => {
  const key = deriveBackupKeys(randomBytes(32)).frames;

  it('round-trips any length: full frames, then a last frame of the rest (empty only for an empty dump)', async () => {
    for (const length of [0, 1, FRAME - 1, FRAME, FRAME + 1, 3 * FRAME, 5 * FRAME + 17]) {
      const plaintext = randomBytes(length);
      const { file, stats } = await encrypt(plaintext, key);
      expect(decryptAll(file, key)).toEqual(plaintext);
      expect(stats.frames).toBe(Math.max(1, Math.ceil(length / FRAME)));
      expect(stats.ciphertextBytes).toBe(file.length);
      if (length >= 16) expect(file.includes(plaintext.subarray(0, 16))).toBe(false);
    }
  });

  it('refuses reordered, dropped, flag-flipped, foreign and extended files', async () => {
    const { file } = await encrypt(randomBytes(3 * FRAME + 5), key);
    const header = 8 + 2 + ID.length;
    const frame = 5 + FRAME + 16;
    const frames = [0, 1, 2].map((i) => file.subarray(header + i * frame, header + (i + 1) * frame));
    const last = file.subarray(header + 3 * frame);
    const head = file.subarray(0, header);

    expect(problemOf(() => decryptAll(Buffer.concat([head, frames[1]!, frames[0]!, frames[2]!, last]), key))).toBe('altered');
    // Dropping the last frame leaves a file that ends cleanly at a frame boundary: still refused.
    expect(problemOf(() => decryptAll(Buffer.concat([head, ...frames]), key))).toBe('truncated');
    const flipped = Buffer.from(file);
    flipped[header + 2 * frame] = 1; // mark frame 2 as the last one
    expect(problemOf(() => decryptAll(flipped.subarray(0, header + 3 * frame), key))).toBe('altered');
    expect(problemOf(() => decryptAll(Buffer.concat([file, Buffer.from([0])]), key))).toBe('extra_bytes');
    expect(problemOf(() => decryptAll(file, deriveBackupKeys(randomBytes(32)).frames))).toBe('altered');
    expect(problemOf(() => decryptAll(file, key, '20260522T031500123Z-000000'))).toBe('wrong_backup');
    expect(problemOf(() => decryptAll(Buffer.from('-- MariaDB dump 10.19\nCREATE TABLE x'), key))).toBe('not_a_backup');
  });

  it('writes no last frame when the dump failed, so a half dump never looks complete', async () => {
    const failing = encrypt(randomBytes(2 * FRAME), key, { beforeLast: async () => Promise.reject(new Error('mariadb-dump exited with status 2')) });
    await expect(failing).rejects.toThrow(/status 2/);
  });

  it('the stream decoder releases only authenticated plaintext and hashes what it read', async () => {
    const plaintext = randomBytes(2 * FRAME + 3);
    const { file, stats } = await encrypt(plaintext, key);
    const decoder = new FrameDecoder(key, ID, FRAME);
    const out: Buffer[] = [];
    await pipeline(Readable.from([file]), decoder, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) out.push(chunk);
    });
    expect(Buffer.concat(out)).toEqual(plaintext);
    expect(decoder.sha256).toBe(stats.sha256);
  });

  it('MACs the metadata over canonical JSON: key order does not matter, any value does', () => {
    const macKey = deriveBackupKeys(randomBytes(32)).metadata;
    const metadata = { id: ID, tables: [{ name: 'employees', rows: 120 }], key: { wrapped: 'abc', masterKeyId: 'local:1' } };
    const mac = metadataMac(macKey, metadata);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(macMatches(macKey, { key: metadata.key, tables: metadata.tables, id: ID }, mac)).toBe(true);
    expect(macMatches(macKey, { ...metadata, tables: [{ name: 'employees', rows: 119 }] }, mac)).toBe(false);
    expect(
      macMatches(
        macKey,
        metadata,
        mac.replace(/^./, (c) => (c === '0' ? '1' : '0')),
      ),
    ).toBe(false);
    expect(macMatches(macKey, metadata, undefined)).toBe(false);
  });
});
