ALTER TABLE `login_failures` ADD `device_key` varchar(64);--> statement-breakpoint
ALTER TABLE `users` ADD `totp_pending_sealed` varchar(255);--> statement-breakpoint
ALTER TABLE `users` ADD `totp_pending_at` datetime(3);