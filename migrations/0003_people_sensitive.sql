CREATE TABLE `audit_events` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`at` datetime(3) NOT NULL,
	`actor_kind` varchar(20) NOT NULL,
	`actor_id` varchar(64),
	`action` varchar(64) NOT NULL,
	`target_type` varchar(40),
	`target_id` varchar(64),
	`ip` varchar(45),
	`user_agent` varchar(255),
	`details` text,
	CONSTRAINT `audit_events_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `profile_corrections` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`employee_id` char(36) NOT NULL,
	`requested_by` char(36) NOT NULL,
	`field` varchar(40) NOT NULL,
	`message` varchar(1000) NOT NULL,
	`status` varchar(10) NOT NULL DEFAULT 'open',
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `profile_corrections_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `employees` ADD `pan_cipher` varchar(255);--> statement-breakpoint
ALTER TABLE `employees` ADD `pan_index` char(64);--> statement-breakpoint
ALTER TABLE `employees` ADD `aadhaar_last4_cipher` varchar(255);--> statement-breakpoint
ALTER TABLE `employees` ADD `bank_account_cipher` varchar(255);--> statement-breakpoint
ALTER TABLE `employees` ADD `ifsc` varchar(11);--> statement-breakpoint
ALTER TABLE `employees` ADD `uan` varchar(12);--> statement-breakpoint
ALTER TABLE `employees` ADD `esic_number` varchar(10);--> statement-breakpoint
ALTER TABLE `employees` ADD CONSTRAINT `employees_tenant_pan_uq` UNIQUE(`tenant_id`,`pan_index`);--> statement-breakpoint
ALTER TABLE `profile_corrections` ADD CONSTRAINT `profile_corrections_employee_id_employees_id_fk` FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `audit_events_tenant_at_ix` ON `audit_events` (`tenant_id`,`at`);--> statement-breakpoint
CREATE INDEX `profile_corrections_tenant_ix` ON `profile_corrections` (`tenant_id`,`status`);--> statement-breakpoint
CREATE INDEX `employees_tenant_name_ix` ON `employees` (`tenant_id`,`full_name`);