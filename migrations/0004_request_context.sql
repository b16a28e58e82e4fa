ALTER TABLE `audit_events` ADD `on_behalf_of` varchar(64);--> statement-breakpoint
ALTER TABLE `audit_events` ADD `ticket` varchar(64);--> statement-breakpoint
ALTER TABLE `audit_events` ADD `request_id` varchar(64);--> statement-breakpoint
ALTER TABLE `sessions` ADD `impersonation_ticket` varchar(64);