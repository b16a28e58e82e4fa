/**
 * Field-level (application) encryption: key providers, the envelope field cipher with blind
 * indexes, the registry of encrypted columns and key rotation. See format.ts for the stored format.
 */
export { createKeyProvider, KmsKeyProvider, LocalKeyProvider, kmsEncryptionContext } from './key-provider.js';
export type { KeyProvider, KeyProviderOptions } from './key-provider.js';
export { createFieldCipher } from './field-cipher.js';
export type { FieldCipher, FieldCipherOptions } from './field-cipher.js';
export { CiphertextRejected, keyVersionOf } from './format.js';
export type { FieldLocation, RejectionReason } from './format.js';
export { ForeignMasterKey } from './data-keys.js';
export { rewrapTenantKeys } from './rewrap.js';
export type { RewrapDeps, RewrapResult } from './rewrap.js';
export { listBlindIndexes, listEncryptedColumns, registerBlindIndex, registerEncryptedColumn } from './encrypted-columns.js';
export type { BlindIndexColumn, EncryptedColumn } from './encrypted-columns.js';
export { deleteRetiredDataKeys } from './retired-keys.js';
export { enqueueKeyRotation, KEY_ROTATION, keyRotationJob, rotateAllTenants, rotateTenantKey } from './rotation.js';
export type { RotationCheckpoint, RotationDeps, RotationOptions, RotationProgress, RotationResult, TenantRotation } from './rotation.js';
export { tenantDataKeys } from './schema.js';
export { tenantsWithDataKeys } from './data-keys.js';
