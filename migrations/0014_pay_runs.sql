CREATE TABLE `pay_runs` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`month` varchar(7) NOT NULL,
	`status` varchar(10) NOT NULL,
	`job_id` char(36),
	`started_by` char(36) NOT NULL,
	`approved_by` char(36),
	`approved_at` datetime(3),
	`employees_total` int NOT NULL DEFAULT 0,
	`employees_done` int NOT NULL DEFAULT 0,
	`problems` text,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `pay_runs_id` PRIMARY KEY(`id`),
	CONSTRAINT `pay_runs_month_uq` UNIQUE(`tenant_id`,`month`)
);
--> statement-breakpoint
CREATE TABLE `payslips` (
	`id` char(36) NOT NULL,
	`run_id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`employee_id` char(36) NOT NULL,
	`month` varchar(7) NOT NULL,
	`input` text NOT NULL,
	`output` text NOT NULL,
	`gross` int NOT NULL,
	`total_deductions` int NOT NULL,
	`net` int NOT NULL,
	`employer_cost` int NOT NULL,
	`tds` int NOT NULL,
	`professional_tax` int NOT NULL,
	`esi_covered` int NOT NULL,
	`lop_half_days` int NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `payslips_id` PRIMARY KEY(`id`),
	CONSTRAINT `payslips_run_employee_uq` UNIQUE(`run_id`,`employee_id`)
);
--> statement-breakpoint
ALTER TABLE `pay_runs` ADD CONSTRAINT `pay_runs_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `payslips` ADD CONSTRAINT `payslips_run_id_pay_runs_id_fk` FOREIGN KEY (`run_id`) REFERENCES `pay_runs`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `payslips` ADD CONSTRAINT `payslips_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `payslips` ADD CONSTRAINT `payslips_employee_id_employees_id_fk` FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `payslips_employee_month_ix` ON `payslips` (`tenant_id`,`employee_id`,`month`);