CREATE TABLE `kiosk_near_misses` (
	`tenant_id` char(36) NOT NULL,
	`kiosk_id` char(36) NOT NULL,
	`ist_day` date NOT NULL,
	`bucket` int NOT NULL,
	`count` int NOT NULL DEFAULT 0,
	CONSTRAINT `kiosk_near_misses_kiosk_id_ist_day_bucket_pk` PRIMARY KEY(`kiosk_id`,`ist_day`,`bucket`)
);
--> statement-breakpoint
CREATE INDEX `kiosk_near_misses_tenant_ix` ON `kiosk_near_misses` (`tenant_id`,`ist_day`);