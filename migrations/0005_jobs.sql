CREATE TABLE `jobs` (
	`id` char(36) NOT NULL,
	`kind` varchar(64) NOT NULL,
	`tenant_id` char(36),
	`dedupe_key` varchar(191),
	`payload` text,
	`status` varchar(10) NOT NULL,
	`run_after` datetime(3) NOT NULL,
	`owner` varchar(100),
	`lease_token` char(36),
	`lease_until` datetime(3),
	`attempts` int NOT NULL DEFAULT 0,
	`max_attempts` int NOT NULL,
	`checkpoint` text,
	`progress_done` int NOT NULL DEFAULT 0,
	`progress_total` int,
	`progress_message` varchar(255),
	`last_error` varchar(2000),
	`result` text,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	`finished_at` datetime(3),
	CONSTRAINT `jobs_id` PRIMARY KEY(`id`),
	CONSTRAINT `jobs_dedupe_uq` UNIQUE(`dedupe_key`)
);
--> statement-breakpoint
CREATE INDEX `jobs_due_ix` ON `jobs` (`status`,`run_after`);--> statement-breakpoint
CREATE INDEX `jobs_lease_ix` ON `jobs` (`status`,`lease_until`);--> statement-breakpoint
CREATE INDEX `jobs_tenant_ix` ON `jobs` (`tenant_id`,`kind`);