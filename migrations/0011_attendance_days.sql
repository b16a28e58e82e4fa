CREATE TABLE `regularisations` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`employee_id` char(36) NOT NULL,
	`date` date NOT NULL,
	`first_in` datetime(3) NOT NULL,
	`last_out` datetime(3) NOT NULL,
	`reason` varchar(500) NOT NULL,
	`status` varchar(10) NOT NULL DEFAULT 'pending',
	`pending_key` tinyint,
	`requested_by` char(36) NOT NULL,
	`decided_by` char(36),
	`decided_at` datetime(3),
	`decision_note` varchar(500),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `regularisations_id` PRIMARY KEY(`id`),
	CONSTRAINT `regularisations_pending_uq` UNIQUE(`tenant_id`,`employee_id`,`date`,`pending_key`)
);
--> statement-breakpoint
CREATE TABLE `shift_settings` (
	`tenant_id` char(36) NOT NULL,
	`rules` text NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `shift_settings_tenant_id` PRIMARY KEY(`tenant_id`)
);
--> statement-breakpoint
ALTER TABLE `regularisations` ADD CONSTRAINT `regularisations_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `regularisations` ADD CONSTRAINT `regularisations_employee_id_employees_id_fk` FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `shift_settings` ADD CONSTRAINT `shift_settings_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `regularisations_tenant_status_ix` ON `regularisations` (`tenant_id`,`status`,`date`);