CREATE TABLE `attendance_settings` (
	`tenant_id` char(36) NOT NULL,
	`liveness_threshold` double NOT NULL DEFAULT 0.7,
	`match_threshold` double NOT NULL DEFAULT 0.42,
	`match_margin` double NOT NULL DEFAULT 0.06,
	`enrolment_version` bigint NOT NULL DEFAULT 0,
	CONSTRAINT `attendance_settings_tenant_id` PRIMARY KEY(`tenant_id`)
);
--> statement-breakpoint
CREATE TABLE `employee_pins` (
	`employee_id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`pin_hash` varchar(100) NOT NULL,
	`failed_attempts` int NOT NULL DEFAULT 0,
	`locked_until` datetime(3),
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `employee_pins_employee_id` PRIMARY KEY(`employee_id`)
);
--> statement-breakpoint
CREATE TABLE `enrolment_tickets` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`employee_id` char(36) NOT NULL,
	`opened_by` char(36) NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`used_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `enrolment_tickets_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `face_consents` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`employee_id` char(36) NOT NULL,
	`text_version` varchar(40) NOT NULL,
	`accepted_at` datetime(3) NOT NULL,
	`kiosk_id` char(36) NOT NULL,
	`withdrawn_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `face_consents_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `face_samples` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`employee_id` char(36) NOT NULL,
	`sample_cipher` text NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `face_samples_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `kiosk_nonces` (
	`nonce` char(32) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`kiosk_id` char(36) NOT NULL,
	`challenge` varchar(12) NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`used_at` datetime(3),
	CONSTRAINT `kiosk_nonces_nonce` PRIMARY KEY(`nonce`)
);
--> statement-breakpoint
CREATE TABLE `kiosk_rejections` (
	`tenant_id` char(36) NOT NULL,
	`kiosk_id` char(36) NOT NULL,
	`code` varchar(30) NOT NULL,
	`window_start` bigint NOT NULL,
	`count` int NOT NULL DEFAULT 0,
	CONSTRAINT `kiosk_rejections_kiosk_id_window_start_code_pk` PRIMARY KEY(`kiosk_id`,`window_start`,`code`)
);
--> statement-breakpoint
CREATE TABLE `kiosks` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`name` varchar(120) NOT NULL,
	`location` varchar(200),
	`status` varchar(10) NOT NULL DEFAULT 'pending',
	`pairing_code_hash` char(64),
	`pairing_expires_at` datetime(3),
	`public_key_jwk` varchar(400),
	`device_name` varchar(120),
	`paired_at` datetime(3),
	`revoked_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `kiosks_id` PRIMARY KEY(`id`),
	CONSTRAINT `kiosks_pairing_code_uq` UNIQUE(`pairing_code_hash`)
);
--> statement-breakpoint
CREATE TABLE `punches` (
	`id` char(36) NOT NULL,
	`tenant_id` char(36) NOT NULL,
	`employee_id` char(36) NOT NULL,
	`kiosk_id` char(36),
	`at` datetime(3) NOT NULL,
	`ist_day` date NOT NULL,
	`direction` varchar(3) NOT NULL,
	`method` varchar(5) NOT NULL,
	`distance` double,
	`liveness_score` double,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `punches_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `attendance_settings` ADD CONSTRAINT `attendance_settings_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `employee_pins` ADD CONSTRAINT `employee_pins_employee_id_employees_id_fk` FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `enrolment_tickets` ADD CONSTRAINT `enrolment_tickets_employee_id_employees_id_fk` FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `face_consents` ADD CONSTRAINT `face_consents_employee_id_employees_id_fk` FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `face_samples` ADD CONSTRAINT `face_samples_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `face_samples` ADD CONSTRAINT `face_samples_employee_id_employees_id_fk` FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `kiosk_nonces` ADD CONSTRAINT `kiosk_nonces_kiosk_id_kiosks_id_fk` FOREIGN KEY (`kiosk_id`) REFERENCES `kiosks`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `kiosks` ADD CONSTRAINT `kiosks_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `punches` ADD CONSTRAINT `punches_tenant_id_companies_id_fk` FOREIGN KEY (`tenant_id`) REFERENCES `companies`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `punches` ADD CONSTRAINT `punches_employee_id_employees_id_fk` FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `enrolment_tickets_employee_ix` ON `enrolment_tickets` (`tenant_id`,`employee_id`);--> statement-breakpoint
CREATE INDEX `face_consents_employee_ix` ON `face_consents` (`tenant_id`,`employee_id`);--> statement-breakpoint
CREATE INDEX `face_samples_tenant_employee_ix` ON `face_samples` (`tenant_id`,`employee_id`);--> statement-breakpoint
CREATE INDEX `kiosk_nonces_expires_ix` ON `kiosk_nonces` (`expires_at`);--> statement-breakpoint
CREATE INDEX `kiosk_rejections_tenant_ix` ON `kiosk_rejections` (`tenant_id`,`window_start`);--> statement-breakpoint
CREATE INDEX `kiosks_tenant_ix` ON `kiosks` (`tenant_id`);--> statement-breakpoint
CREATE INDEX `punches_employee_at_ix` ON `punches` (`tenant_id`,`employee_id`,`at`);--> statement-breakpoint
CREATE INDEX `punches_tenant_day_ix` ON `punches` (`tenant_id`,`ist_day`);