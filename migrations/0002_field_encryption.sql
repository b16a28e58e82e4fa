CREATE TABLE `key_rotation_jobs` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`target_version` int NOT NULL,
	`table_name` varchar(64) NOT NULL,
	`column_name` varchar(64) NOT NULL,
	`cursor` varchar(64) NOT NULL DEFAULT '',
	`status` varchar(10) NOT NULL DEFAULT 'running',
	`rows_seen` int NOT NULL DEFAULT 0,
	`rows_reencrypted` int NOT NULL DEFAULT 0,
	`rows_rejected` int NOT NULL DEFAULT 0,
	`batches` int NOT NULL DEFAULT 0,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`finished_at` datetime(3),
	CONSTRAINT `key_rotation_jobs_id` PRIMARY KEY(`id`),
	CONSTRAINT `key_rotation_jobs_target_uq` UNIQUE(`tenant_id`,`target_version`,`table_name`,`column_name`)
);
--> statement-breakpoint
CREATE TABLE `tenant_data_keys` (
	`tenant_id` char(36) NOT NULL,
	`version` int NOT NULL,
	`wrapped_key` varbinary(1024) NOT NULL,
	`master_key_id` varchar(512) NOT NULL,
	`status` varchar(10) NOT NULL DEFAULT 'active',
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`retired_at` datetime(3),
	CONSTRAINT `tenant_data_keys_pk` PRIMARY KEY(`tenant_id`,`version`)
);
--> statement-breakpoint
CREATE INDEX `key_rotation_jobs_status_ix` ON `key_rotation_jobs` (`tenant_id`,`status`);--> statement-breakpoint
ALTER TABLE `sessions` DROP COLUMN `needs_two_factor_setup`;