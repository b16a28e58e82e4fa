CREATE TABLE `leave_applications` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`employee_id` char(36) NOT NULL,
	`leave_type` varchar(20) NOT NULL,
	`from_date` date NOT NULL,
	`to_date` date NOT NULL,
	`from_half` varchar(11),
	`to_half` varchar(11),
	`days` double NOT NULL,
	`sandwich` boolean NOT NULL DEFAULT false,
	`status` varchar(10) NOT NULL DEFAULT 'pending',
	`reason` varchar(500),
	`applied_by` char(36) NOT NULL,
	`decided_by` char(36),
	`decided_at` datetime(3),
	`decision_note` varchar(500),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `leave_applications_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `leave_policies` (
	`tenant_id` char(36) NOT NULL,
	`policy` text NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `leave_policies_tenant_id` PRIMARY KEY(`tenant_id`)
);
--> statement-breakpoint
ALTER TABLE `leave_applications` ADD CONSTRAINT `leave_applications_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `leave_applications` ADD CONSTRAINT `leave_applications_employee_id_employees_id_fk` FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `leave_policies` ADD CONSTRAINT `leave_policies_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `leave_applications_employee_ix` ON `leave_applications` (`tenant_id`,`employee_id`,`from_date`);--> statement-breakpoint
CREATE INDEX `leave_applications_status_ix` ON `leave_applications` (`tenant_id`,`status`,`to_date`);--> statement-breakpoint
CREATE INDEX `leave_applications_type_ix` ON `leave_applications` (`tenant_id`,`leave_type`);