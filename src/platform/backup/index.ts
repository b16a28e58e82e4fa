/**
 * Encrypted logical backups of the database (the local one, or RDS over verified TLS: production takes
 * one daily and drills monthly, beside RDS's own snapshots and point-in-time recovery) and the restore drill
 * that proves one comes back.
 * See backup.ts (taking), format.ts (the encrypted file), restore.ts, verify.ts and drill.ts.
 */
export { takeBackup } from './backup.js';
export type { BackupOptions } from './backup.js';
export { restoreBackup } from './restore.js';
export type { RestoreOptions, RestoreResult } from './restore.js';
export { registerAuditChainVerifier, verifyRestore } from './verify.js';
export type { AuditChainVerifier, Check, CheckStatus, VerificationReport, VerifyOptions } from './verify.js';
export { describeDrill, drillDatabaseName, runRestoreDrill, runVerificationDrill } from './drill.js';
export type { DrillReport, RestoreDrillOptions, VerifyDrillOptions } from './drill.js';
export { backupKeyContext, createBackupMasterKey, kmsBackupMasterKey, localBackupMasterKey } from './backup-key.js';
export type { BackupKeyContext, BackupMasterKey } from './backup-key.js';
export { BACKUP_RETENTION_DAYS, BackupRefused, dumpKey, isBackupId, latestBackupId, listBackups, metadataKey, readMetadata } from './metadata.js';
export type { BackupMetadata, RefusalReason } from './metadata.js';
export { fingerprintTables, readStructure, startSnapshot } from './checksums.js';
export type { DatabaseStructure, SchemaVersion, TableFingerprint } from './checksums.js';
export { BACKUP_FORMAT } from './format.js';
export { pruneBackups } from './prune.js';
export type { PrunedBackup, PruneOptions } from './prune.js';
