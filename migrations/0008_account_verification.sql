CREATE TABLE `request_counts` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`action` varchar(30) NOT NULL,
	`subject` varchar(80) NOT NULL,
	`at` datetime(3) NOT NULL,
	CONSTRAINT `request_counts_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `users` DROP INDEX `users_email_uq`;--> statement-breakpoint
ALTER TABLE `users` ADD `account_email` varchar(254) GENERATED ALWAYS AS ((case when `status` = 'invited' then null else `email` end)) STORED;--> statement-breakpoint
ALTER TABLE `users` ADD CONSTRAINT `users_account_email_uq` UNIQUE(`account_email`);--> statement-breakpoint
ALTER TABLE `users` ADD CONSTRAINT `users_tenant_email_uq` UNIQUE(`tenant_id`,`email`);--> statement-breakpoint
CREATE INDEX `request_counts_subject_ix` ON `request_counts` (`action`,`subject`,`at`);--> statement-breakpoint
CREATE INDEX `request_counts_at_ix` ON `request_counts` (`at`);