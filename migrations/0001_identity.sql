CREATE TABLE `alert_windows` (
	`kind` varchar(40) NOT NULL,
	`subject` varchar(100) NOT NULL,
	`window_start` bigint NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `alert_windows_kind_subject_window_start_pk` PRIMARY KEY(`kind`,`subject`,`window_start`)
);
--> statement-breakpoint
CREATE TABLE `ip_blocks` (
	`ip` varchar(45) NOT NULL,
	`blocked_until` datetime(3) NOT NULL,
	`failures` int NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`lifted_at` datetime(3),
	`lifted_by` varchar(100),
	CONSTRAINT `ip_blocks_ip` PRIMARY KEY(`ip`)
);
--> statement-breakpoint
CREATE TABLE `login_failures` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`ip` varchar(45) NOT NULL,
	`account_key` varchar(64) NOT NULL,
	`at` datetime(3) NOT NULL,
	CONSTRAINT `login_failures_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `password_tokens` (
	`id` char(36) NOT NULL,
	`user_id` char(36) NOT NULL,
	`purpose` varchar(10) NOT NULL,
	`token_hash` varchar(64) NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`used_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `password_tokens_id` PRIMARY KEY(`id`),
	CONSTRAINT `password_tokens_hash_uq` UNIQUE(`token_hash`)
);
--> statement-breakpoint
CREATE TABLE `recovery_codes` (
	`id` char(36) NOT NULL,
	`user_id` char(36) NOT NULL,
	`code_hash` varchar(64) NOT NULL,
	`used_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `recovery_codes_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` char(36) NOT NULL,
	`user_id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`expires_at` datetime(3) NOT NULL,
	`revoked_at` datetime(3),
	`revoked_reason` varchar(40),
	`ip` varchar(45),
	`user_agent` varchar(255),
	`impersonator_id` char(36),
	`needs_two_factor_setup` boolean NOT NULL DEFAULT false,
	CONSTRAINT `sessions_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`email` varchar(254) NOT NULL,
	`display_name` varchar(200) NOT NULL,
	`password_hash` varchar(100),
	`role` varchar(20) NOT NULL,
	`status` varchar(20) NOT NULL DEFAULT 'active',
	`employee_id` char(36),
	`totp_secret_sealed` varchar(255),
	`totp_enabled_at` datetime(3),
	`totp_last_step` bigint,
	`password_changed_at` datetime(3),
	`last_login_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `users_id` PRIMARY KEY(`id`),
	CONSTRAINT `users_email_uq` UNIQUE(`email`)
);
--> statement-breakpoint
CREATE TABLE `department_heads` (
	`department_id` char(36) NOT NULL,
	`user_id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `department_heads_department_id_user_id_pk` PRIMARY KEY(`department_id`,`user_id`)
);
--> statement-breakpoint
ALTER TABLE `password_tokens` ADD CONSTRAINT `password_tokens_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `recovery_codes` ADD CONSTRAINT `recovery_codes_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `sessions` ADD CONSTRAINT `sessions_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `users` ADD CONSTRAINT `users_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `department_heads` ADD CONSTRAINT `department_heads_department_id_departments_id_fk` FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `login_failures_ip_ix` ON `login_failures` (`ip`,`at`);--> statement-breakpoint
CREATE INDEX `login_failures_account_ix` ON `login_failures` (`account_key`,`at`);--> statement-breakpoint
CREATE INDEX `recovery_codes_user_ix` ON `recovery_codes` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_user_ix` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `users_tenant_ix` ON `users` (`tenant_id`);--> statement-breakpoint
CREATE INDEX `department_heads_user_ix` ON `department_heads` (`user_id`);