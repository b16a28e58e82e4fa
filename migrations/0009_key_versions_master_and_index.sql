ALTER TABLE `employees` MODIFY COLUMN `pan_index` varchar(80);--> statement-breakpoint
ALTER TABLE `tenant_data_keys` ADD `wrapped_index_key` varbinary(1024);