import { createHmac, hkdfSync } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { Alerter } from '../observability/alert.js';
import { BoundedCache } from '../cache/bounded-cache.js';
import { addDataKeyVersion, checkMasterKey, latestDataKeyVersion, listDataKeyVersions, readDataKey } from './data-keys.js';
import { associatedData, CiphertextRejected, openField, parseCiphertext, sealField, type FieldLocation, type RejectionReason } from './format.js';
import type { KeyProvider } from './key-provider.js';
import { mask } from '../text/mask.js';

/**
 * Envelope encryption of single fields (PAN, Aadhaar last-4, bank account, face embeddings).
 * Each tenant has data keys (versions 1, 2, … after rotations), wrapped by the key service and stored
 * in `tenant_data_keys`; values are AES-256-GCM under the tenant's newest version, in the format
 * documented in format.ts, bound to `tenant/table/column/row id`.
 */
export interface FieldCipher {
  encrypt(tenantId: string, ad: FieldLocation, plaintext: string): Promise<string>;
  /** Throws CiphertextRejected (and raises an alert) when the value does not decrypt here. */
  decrypt(tenantId: string, ad: FieldLocation, ciphertext: string): Promise<string>;
  /**
   * The value as pages show it, masked (`XXXXXX1234`, text/mask.ts), remembered for this exact stored
   * value at this exact place so that a list viewed again does not decrypt fifty rows again. Rejects
   * exactly as decrypt does (rejections are never remembered).
   *
   * What is kept is the masked form only, never a plaintext. The memo is keyed by the associated data
   * and the whole ciphertext: a changed value is a new ciphertext (fresh IV), so nothing needs
   * invalidating on this or any other instance, and a value copied elsewhere is a miss that fails
   * authentication as usual. An entry answers only while the data key it was decrypted with is still
   * in this instance's key cache, so it never outlives that key's time to live (a key revoked in KMS).
   */
  decryptMasked(tenantId: string, ad: FieldLocation, ciphertext: string): Promise<string>;
  /**
   * HMAC-SHA256 of `value` under a per-tenant, per-purpose index key, for equality look-ups ("is this
   * PAN already used in this company") without storing plaintext. The caller normalises first (trim,
   * upper-case a PAN): the index matches only identical strings. Do not index low-entropy values.
   *
   * Each data key version has a blind-index key of its own (wrapped with KMS context purpose=blind-index),
   * so rotation moves the indexes too: an index is `i<version>:<64 hex>` under the current version.
   * Versions made before index keys existed have none; their indexes are the bare HMAC under a key
   * derived (HKDF) from version 1's data key, until a rotation re-indexes them.
   */
  blindIndex(tenantId: string, purpose: string, value: string): Promise<string>;
  /** The index of `value` under every version a stored index may be under: look up with all of them. */
  blindIndexes(tenantId: string, purpose: string, value: string): Promise<string[]>;
  /** Rotation: the index of `value` under `version`. */
  blindIndexUnder(tenantId: string, purpose: string, value: string, version: number): Promise<string>;
  /** The key version new values get; creates the tenant's first data key when there is none. */
  currentVersion(tenantId: string): Promise<number>;
  /** Rotation: the value re-encrypted under `version`, or undefined when it already is. */
  reencrypt(tenantId: string, ad: FieldLocation, ciphertext: string, version: number): Promise<string | undefined>;
  /** Drops this process's cached current version for a tenant (after a rotation added one). */
  forgetVersion(tenantId: string): void;
  /** How long a cached current version lives: how long any instance may still write under the previous one after a rotation adds a version. */
  readonly cacheTtlMs: number;
}

export interface FieldCipherOptions {
  db: Db;
  keyProvider: KeyProvider;
  alert: Alerter;
  /**
   * How long and how many unwrapped keys stay in memory. The time also bounds how long another
   * instance keeps writing under the previous version after a rotation. Defaults: 5 minutes, 1000.
   * `maxMasked`: how many masked values decryptMasked remembers (default 20,000, a few MB).
   */
  cache?: { ttlMs?: number; maxEntries?: number; maxMasked?: number };
  /** The clock for the cache (tests move it). */
  now?: () => number;
}

const PURPOSE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const BLIND_INDEX_SALT = Buffer.from('bizlumo/blind-index/v1', 'utf8');
/** Versions without an index key of their own derive their index keys from this version's data key. */
const DERIVED_INDEX_ROOT = 1;

export function createFieldCipher(options: FieldCipherOptions): FieldCipher {
  const { db, keyProvider, alert } = options;
  const ttlMs = options.cache?.ttlMs ?? 5 * 60_000;
  const maxEntries = options.cache?.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  const versions = new BoundedCache<number>(maxEntries, ttlMs, now);
  // A key leaving memory is overwritten first: a heap dump or a core file taken later does not hold it.
  const wipe = (key: Buffer) => void key.fill(0);
  const keys = new BoundedCache<Buffer>(maxEntries, ttlMs, now, wipe);
  const indexKeys = new BoundedCache<{ key: Buffer; prefix: string }>(maxEntries, ttlMs, now, (entry) => wipe(entry.key));
  // One load per key at a time: a burst of requests for a cold tenant makes one KMS call, not fifty.
  const loading = new Map<string, Promise<unknown>>();
  // decryptMasked's memo, oldest first (a Map keeps insertion order), so dropping the oldest is O(1).
  const maxMasked = options.cache?.maxMasked ?? 20_000;
  if (!(maxMasked >= 1)) throw new Error('maxMasked must be at least 1');
  const maskedValues = new Map<string, { masked: string; keyName: string; expiresAt: number }>();

  function once<T>(name: string, load: () => Promise<T>): Promise<T> {
    let pending = loading.get(name) as Promise<T> | undefined;
    if (!pending) {
      pending = load().finally(() => loading.delete(name));
      loading.set(name, pending);
    }
    return pending;
  }

  const keyName = (tenantId: string, version: number) => `${tenantId}#${version}`;

  async function loadCurrentVersion(tenantId: string): Promise<number> {
    return once(`version:${tenantId}`, async () => {
      let version = await latestDataKeyVersion(db, tenantId);
      if (version === undefined) {
        const added = await addDataKeyVersion(db, keyProvider, tenantId, 1);
        if (added.plaintext) keys.set(keyName(tenantId, 1), added.plaintext);
        added.indexPlaintext?.fill(0); // unwrapped again on first use, per purpose
        version = 1;
      }
      versions.set(tenantId, version);
      return version;
    });
  }

  /** The unwrapped key of one version, or undefined when the tenant has no such version. */
  async function loadDataKey(tenantId: string, version: number): Promise<Buffer | undefined> {
    const name = keyName(tenantId, version);
    return once(`key:${name}`, async () => {
      const stored = await readDataKey(db, tenantId, version);
      if (!stored) return undefined;
      await checkMasterKey(keyProvider, stored);
      const key = await keyProvider.unwrap(tenantId, stored.wrapped);
      keys.set(name, key);
      return key;
    });
  }

  // '/' separates the parts of the associated data; forbidding it keeps the encoding unambiguous.
  const badPart = (value: unknown) => typeof value !== 'string' || value === '' || value.includes('/');

  function checkLocation(tenantId: string, ad: FieldLocation): void {
    if (badPart(tenantId) || badPart(ad.table) || badPart(ad.column) || badPart(ad.rowId)) {
      const part = badPart(tenantId) ? 'tenant id' : badPart(ad.table) ? 'table' : badPart(ad.column) ? 'column' : 'row id';
      throw new Error(`field encryption needs a non-empty ${part} without '/'`);
    }
  }

  function reject(reason: RejectionReason, tenantId: string, ad: FieldLocation): never {
    // Every rejection is worth a look: a bad tag means tampering or a copied value, a malformed or
    // unknown-version value means something wrote to an encrypted column around this code.
    alert('crypto.decrypt_failed', { tenantId, table: ad.table, column: ad.column, rowId: ad.rowId, reason });
    throw new CiphertextRejected(reason, tenantId, { table: ad.table, column: ad.column, rowId: ad.rowId });
  }

  async function decrypt(tenantId: string, ad: FieldLocation, ciphertext: string): Promise<string> {
    return (await open(tenantId, ad, ciphertext)).plaintext;
  }

  /** The plaintext and the name of the key that opened it. */
  async function open(tenantId: string, ad: FieldLocation, ciphertext: string): Promise<{ plaintext: string; keyName: string }> {
    checkLocation(tenantId, ad);
    const parsed = parseCiphertext(ciphertext);
    if (typeof parsed === 'string') return reject(parsed, tenantId, ad);
    const name = keyName(tenantId, parsed.keyVersion);
    const key = keys.get(name) ?? (await loadDataKey(tenantId, parsed.keyVersion));
    if (!key) return reject('unknown_key_version', tenantId, ad);
    const plaintext = openField(key, associatedData(tenantId, ad), parsed);
    if (plaintext === undefined) return reject('authentication_failed', tenantId, ad);
    return { plaintext, keyName: name };
  }

  async function decryptMasked(tenantId: string, ad: FieldLocation, ciphertext: string): Promise<string> {
    checkLocation(tenantId, ad); // no part holds '/', so the name below is unambiguous
    const name = `${tenantId}/${ad.table}/${ad.column}/${ad.rowId}/${ciphertext}`;
    const remembered = maskedValues.get(name);
    if (remembered && remembered.expiresAt > now() && keys.get(remembered.keyName)) return remembered.masked;
    const opened = await open(tenantId, ad, ciphertext);
    const masked = mask(opened.plaintext);
    maskedValues.delete(name);
    if (maskedValues.size >= maxMasked) maskedValues.delete(maskedValues.keys().next().value!);
    maskedValues.set(name, { masked, keyName: opened.keyName, expiresAt: now() + ttlMs });
    return masked;
  }

  async function sealUnder(tenantId: string, version: number, ad: FieldLocation, plaintext: string): Promise<string> {
    const key = keys.get(keyName(tenantId, version)) ?? (await loadDataKey(tenantId, version));
    if (!key) throw new Error(`tenant ${tenantId} has no data key version ${version}`);
    return sealField(key, version, associatedData(tenantId, ad), plaintext);
  }

  /** The HMAC key of one purpose under one version, and how that version's indexes are written. */
  async function indexKeyUnder(tenantId: string, version: number, purpose: string): Promise<{ key: Buffer; prefix: string }> {
    if (!PURPOSE.test(purpose)) throw new Error('a blind index purpose is a short lower-case name such as "pan"');
    const name = `${keyName(tenantId, version)}#${purpose}`;
    const cached = indexKeys.get(name);
    if (cached) return cached;
    return once(`index:${name}`, async () => {
      const stored = await readDataKey(db, tenantId, version);
      if (!stored) throw new Error(`tenant ${tenantId} has no data key version ${version} for its blind index`);
      await checkMasterKey(keyProvider, stored);
      let root: Buffer;
      let prefix = `i${version}:`;
      if (stored.wrappedIndex) {
        root = await keyProvider.unwrap(tenantId, stored.wrappedIndex, 'blind-index');
      } else {
        const derivedFrom = keys.get(keyName(tenantId, DERIVED_INDEX_ROOT)) ?? (await loadDataKey(tenantId, DERIVED_INDEX_ROOT));
        if (!derivedFrom) throw new Error(`tenant ${tenantId} has no data key version ${DERIVED_INDEX_ROOT} to derive its blind index key from`);
        root = Buffer.from(derivedFrom);
        prefix = '';
      }
      const info = Buffer.from(`tenant=${tenantId};purpose=${purpose}`, 'utf8');
      const entry = { key: Buffer.from(hkdfSync('sha256', root, BLIND_INDEX_SALT, info, 32)), prefix };
      root.fill(0);
      indexKeys.set(name, entry);
      return entry;
    });
  }

  async function indexUnder(tenantId: string, purpose: string, value: string, version: number): Promise<string> {
    if (typeof value !== 'string') throw new Error('a blind index takes a string');
    const { key, prefix } = await indexKeyUnder(tenantId, version, purpose);
    return prefix + createHmac('sha256', key).update(value, 'utf8').digest('hex');
  }

  async function currentIndex(tenantId: string, purpose: string, value: string): Promise<string> {
    const version = versions.get(tenantId) ?? (await loadCurrentVersion(tenantId));
    return indexUnder(tenantId, purpose, value, version);
  }

  return {
    cacheTtlMs: ttlMs,

    async currentVersion(tenantId) {
      return versions.get(tenantId) ?? loadCurrentVersion(tenantId);
    },

    async encrypt(tenantId, ad, plaintext) {
      checkLocation(tenantId, ad);
      if (typeof plaintext !== 'string') throw new Error('field encryption takes a string');
      const version = versions.get(tenantId) ?? (await loadCurrentVersion(tenantId));
      // The usual case, both cached, stays synchronous: one promise per call, not three.
      const key = keys.get(keyName(tenantId, version));
      if (key) return sealField(key, version, associatedData(tenantId, ad), plaintext);
      return sealUnder(tenantId, version, ad, plaintext);
    },

    decrypt,

    decryptMasked,

    async reencrypt(tenantId, ad, ciphertext, version) {
      const parsed = parseCiphertext(ciphertext);
      if (typeof parsed !== 'string' && parsed.keyVersion === version) return undefined;
      const plaintext = await decrypt(tenantId, ad, ciphertext);
      return sealUnder(tenantId, version, ad, plaintext);
    },

    blindIndex: currentIndex,

    blindIndexUnder: indexUnder,

    async blindIndexes(tenantId, purpose, value) {
      // Read afresh, not cached: a version another instance's rotation just added must be looked up too.
      const stored = await listDataKeyVersions(db, tenantId);
      if (stored.length === 0) return [await currentIndex(tenantId, purpose, value)];
      const derived = stored.find((k) => !k.hasIndexKey);
      const under = [...stored.filter((k) => k.hasIndexKey).map((k) => k.version), ...(derived ? [derived.version] : [])];
      return Promise.all(under.map((version) => indexUnder(tenantId, purpose, value, version)));
    },

    forgetVersion(tenantId) {
      versions.delete(tenantId);
    },
  };
}
