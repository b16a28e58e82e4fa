import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, timingSafeEqual, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * The encrypted dump file: the plaintext dump cut into frames, each sealed with AES-256-GCM, so a
 * dump of any size streams through with one frame in memory and nothing is released before it
 * authenticates.
 *
 *     file   = "BZBACKUP" | version u8 (1) | id length u8 | backup id (ASCII) | frame*
 *     frame  = flags u8 (0: more follow, 1: last) | length u32 BE | ciphertext (length bytes) | tag (16 bytes)
 *     nonce  = 0x00000000 | frame index u64 BE     (the key is fresh per backup, so a counter never repeats)
 *     AAD    = "bizlumo-backup/v1/<backup id>/<frame index>/<flags>"
 *
 * Every frame but the last holds exactly `frameBytes` of plaintext; the last holds the rest (maybe 0).
 * Binding the index and the last-flag into the AAD means frames cannot be reordered, dropped, swapped
 * in from another backup or cut off after a frame boundary without failing authentication or the
 * "no last frame" check.
 *
 * Keys: the backup's data key (fresh from the key provider for each backup) is never used directly;
 * HKDF-SHA256 derives one key for the frames and one for the metadata MAC, so the two uses never share
 * a key.
 */

export const BACKUP_FORMAT = 'bizlumo-backup/v1';
const MAGIC = Buffer.from('BZBACKUP', 'ascii');
const FILE_VERSION = 1;
const TAG_BYTES = 16;
const FRAME_HEADER_BYTES = 5;
export const DEFAULT_FRAME_BYTES = 1024 * 1024;
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface BackupKeys {
  frames: Buffer;
  metadata: Buffer;
}

export function deriveBackupKeys(dataKey: Buffer): BackupKeys {
  if (dataKey.length !== 32) throw new Error('a backup data key must be 256 bits');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', dataKey, Buffer.from(BACKUP_FORMAT), Buffer.from(info), 32));
  return { frames: derive('frames'), metadata: derive('metadata-mac') };
}

/** Why a stored file is not a valid backup; the restore turns these into a refusal. */
export type FrameProblem = 'not_a_backup' | 'wrong_backup' | 'altered' | 'truncated' | 'extra_bytes';

export class FrameError extends Error {
  constructor(
    readonly problem: FrameProblem,
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

function fileHeader(backupId: string): Buffer {
  const id = Buffer.from(backupId, 'ascii');
  if (id.length > 255) throw new Error('backup id too long');
  return Buffer.concat([MAGIC, Buffer.from([FILE_VERSION, id.length]), id]);
}

function nonce(index: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64BE(BigInt(index), 4);
  return iv;
}

const aad = (backupId: string, index: number, flags: number) => Buffer.from(`${BACKUP_FORMAT}/${backupId}/${index}/${flags}`, 'ascii');

export interface FrameStats {
  plaintextBytes: number;
  ciphertextBytes: number;
  frames: number;
  /** SHA-256 (hex) of every byte written (header and frames): what the metadata records. */
  sha256: string;
}

/**
 * Plaintext in, encrypted file out. `beforeLast` runs before the last frame is sealed and may reject:
 * the dump's exit status is checked there, so a dump that failed half-way never yields a file with a
 * last frame, i.e. never a file the restore would accept.
 */
export class FrameEncoder extends Transform {
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private readonly hash: Hash = createHash('sha256');
  readonly stats: FrameStats = { plaintextBytes: 0, ciphertextBytes: 0, frames: 0, sha256: '' };

  constructor(
    private readonly key: Buffer,
    private readonly backupId: string,
    private readonly frameBytes = DEFAULT_FRAME_BYTES,
    private readonly beforeLast: () => Promise<void> = async () => {},
  ) {
    super();
    if (!(frameBytes >= 1 && frameBytes <= MAX_FRAME_BYTES)) throw new Error(`frameBytes must be 1 to ${MAX_FRAME_BYTES}`);
    this.emit_(fileHeader(backupId));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.stats.plaintextBytes += chunk.length;
    // Strictly more than a frame: only then is it certain that this frame is not the last.
    if (this.pendingBytes > this.frameBytes) {
      let buffered = Buffer.concat(this.pending, this.pendingBytes);
      while (buffered.length > this.frameBytes) {
        this.seal(buffered.subarray(0, this.frameBytes), 0);
        buffered = buffered.subarray(this.frameBytes);
      }
      this.pending.length = 0;
      this.pending.push(buffered);
      this.pendingBytes = buffered.length;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.beforeLast().then(
      () => {
        this.seal(Buffer.concat(this.pending, this.pendingBytes), 1);
        this.stats.sha256 = this.hash.digest('hex');
        done();
      },
      (error: Error) => done(error),
    );
  }

  private seal(plaintext: Buffer, flags: 0 | 1): void {
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(this.index), { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(this.backupId, this.index, flags));
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header[0] = flags;
    header.writeUInt32BE(plaintext.length, 1);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    this.emit_(Buffer.concat([header, body, cipher.getAuthTag()]));
    this.index++;
    this.stats.frames++;
  }

  private emit_(bytes: Buffer): void {
    this.hash.update(bytes);
    this.stats.ciphertextBytes += bytes.length;
    this.push(bytes);
  }
}

/** A queue of chunks that hands out exact byte counts without re-copying everything on each chunk. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    const out = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return out;
  }

  peekByte(offset: number): number {
    let at = offset;
    for (const chunk of this.chunks) {
      if (at < chunk.length) return chunk[at]!;
      at -= chunk.length;
    }
    throw new RangeError('peek past the end');
  }

  peekUInt32BE(offset: number): number {
    return ((this.peekByte(offset) << 24) | (this.peekByte(offset + 1) << 16) | (this.peekByte(offset + 2) << 8) | this.peekByte(offset + 3)) >>> 0;
  }
}

/**
 * Parses and authenticates an encrypted file fed in chunks of any size; `feed` returns the plaintext
 * of each frame that completed and authenticated, and throws a FrameError at the first problem.
 */
export class FrameReader {
  private readonly queue = new ByteQueue();
  private headerDone = false;
  private index = 0;
  private sawLast = false;
  plaintextBytes = 0;

  constructor(
    private readonly key: Buffer,
    private readonly backupId: string,
    private readonly frameBytes: number,
  ) {}

  feed(chunk: Buffer): Buffer[] {
    this.queue.push(chunk);
    const out: Buffer[] = [];
    if (!this.headerDone && !this.readHeader()) return out;
    while (this.queue.length >= FRAME_HEADER_BYTES) {
      if (this.sawLast) break;
      const flags = this.queue.peekByte(0);
      const length = this.queue.peekUInt32BE(1);
      if ((flags !== 0 && flags !== 1) || length > this.frameBytes || (flags === 0 && length !== this.frameBytes)) {
        throw new FrameError('altered', `frame ${this.index} has an impossible header`);
      }
      const total = FRAME_HEADER_BYTES + length + TAG_BYTES;
      if (this.queue.length < total) break;
      const frame = this.queue.take(total);
      const decipher = createDecipheriv('aes-256-gcm', this.key, nonce(this.index), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(this.backupId, this.index, flags));
      decipher.setAuthTag(frame.subarray(total - TAG_BYTES));
      try {
        out.push(Buffer.concat([decipher.update(frame.subarray(FRAME_HEADER_BYTES, total - TAG_BYTES)), decipher.final()]));
      } catch {
        throw new FrameError('altered', `frame ${this.index} does not authenticate`);
      }
      this.plaintextBytes += length;
      this.index++;
      if (flags === 1) this.sawLast = true;
    }
    if (this.sawLast && this.queue.length > 0) throw new FrameError('extra_bytes', 'there are bytes after its last frame');
    return out;
  }

  /** At the end of the input: throws unless the last frame was read. */
  finish(): void {
    if (!this.sawLast) throw new FrameError('truncated', `it ends before its last frame (after frame ${this.index - 1})`);
  }

  private readHeader(): boolean {
    // Check the magic as soon as it can be: a plain SQL file is "not a backup", not "truncated".
    const seen = Math.min(this.queue.length, MAGIC.length);
    for (let i = 0; i < seen; i++) {
      if (this.queue.peekByte(i) !== MAGIC[i]) throw new FrameError('not_a_backup', 'it does not start like a Bizlumo backup file');
    }
    if (this.queue.length < MAGIC.length + 2) return false;
    const idLength = this.queue.peekByte(MAGIC.length + 1);
    if (this.queue.length < MAGIC.length + 2 + idLength) return false;
    const header = this.queue.take(MAGIC.length + 2 + idLength);
    if (header[MAGIC.length] !== FILE_VERSION) throw new FrameError('not_a_backup', `its file version ${header[MAGIC.length]} is not one this build reads`);
    const id = header.subarray(MAGIC.length + 2).toString('ascii');
    if (id !== this.backupId) throw new FrameError('wrong_backup', `the file belongs to backup ${id}, not ${this.backupId}`);
    this.headerDone = true;
    return true;
  }
}

/** FrameReader as a stream: encrypted file in, authenticated plaintext out; hashes what it reads. */
export class FrameDecoder extends Transform {
  private readonly reader: FrameReader;
  private readonly hash: Hash = createHash('sha256');
  sha256 = '';

  constructor(key: Buffer, backupId: string, frameBytes: number) {
    super();
    this.reader = new FrameReader(key, backupId, frameBytes);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    try {
      for (const plaintext of this.reader.feed(chunk)) if (plaintext.length > 0) this.push(plaintext);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    this.sha256 = this.hash.digest('hex');
    try {
      this.reader.finish();
      done();
    } catch (error) {
      done(error as Error);
    }
  }
}

/** JSON with object keys sorted at every level: the bytes the metadata MAC covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function metadataMac(macKey: Buffer, unsigned: object): string {
  return createHmac('sha256', macKey).update(canonicalJson(unsigned), 'utf8').digest('hex');
}

export function macMatches(macKey: Buffer, unsigned: object, mac: unknown): boolean {
  if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac)) return false;
  return timingSafeEqual(Buffer.from(metadataMac(macKey, unsigned), 'hex'), Buffer.from(mac, 'hex'));
}
