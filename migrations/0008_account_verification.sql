CREATE TABLE `request_counts` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`action` varchar(30) NOT NULL,
	`subject` varchar(80) NOT NULL,
	`at` datetime(3) NOT NULL,
	CONSTRAINT `request_counts_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `request_counts_subject_ix` ON `request_counts` (`action`,`subject`,`at`);--> statement-breakpoint
CREATE INDEX `request_counts_at_ix` ON `request_counts` (`at`);