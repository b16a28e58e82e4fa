CREATE TABLE `salary_structures` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`employee_id` char(36) NOT NULL,
	`effective_from` date NOT NULL,
	`template_id` char(36) NOT NULL,
	`annual_ctc` int NOT NULL,
	`basic_override` int,
	`hra_override` int,
	`da` int NOT NULL DEFAULT 0,
	`allowances` text NOT NULL,
	`pf_mode` varchar(10) NOT NULL DEFAULT 'restricted',
	`set_by` char(36) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `salary_structures_id` PRIMARY KEY(`id`),
	CONSTRAINT `salary_structures_month_uq` UNIQUE(`tenant_id`,`employee_id`,`effective_from`)
);
--> statement-breakpoint
CREATE TABLE `salary_templates` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`name` varchar(80) NOT NULL,
	`basic_basis_points` int NOT NULL,
	`hra_basis_points` int NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `salary_templates_id` PRIMARY KEY(`id`),
	CONSTRAINT `salary_templates_name_uq` UNIQUE(`tenant_id`,`name`)
);
--> statement-breakpoint
ALTER TABLE `salary_structures` ADD CONSTRAINT `salary_structures_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `salary_structures` ADD CONSTRAINT `salary_structures_employee_id_employees_id_fk` FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `salary_structures` ADD CONSTRAINT `salary_structures_template_id_salary_templates_id_fk` FOREIGN KEY (`template_id`) REFERENCES `salary_templates`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `salary_templates` ADD CONSTRAINT `salary_templates_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `salary_structures_template_ix` ON `salary_structures` (`tenant_id`,`template_id`);