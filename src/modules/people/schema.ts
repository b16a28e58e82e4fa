import { date, index, mysqlTable, primaryKey, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { registerBlindIndex, registerEncryptedColumn } from '../../platform/crypto/index.js';
import { createdAt, idColumn, updatedAt } from '../../platform/db/columns.js';
import { companies } from '../tenancy/index.js';

export const departments = mysqlTable(
  'departments',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    name: varchar('name', { length: 120 }).notNull(),
    costCentre: varchar('cost_centre', { length: 40 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('departments_tenant_name_uq').on(t.tenantId, t.name)],
);

export const GENDERS = ['female', 'male', 'other'] as const;

export const employees = mysqlTable(
  'employees',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    code: varchar('code', { length: 20 }).notNull(),
    fullName: varchar('full_name', { length: 200 }).notNull(),
    email: varchar('email', { length: 254 }),
    phone: varchar('phone', { length: 20 }),
    departmentId: idColumn('department_id').references(() => departments.id),
    designation: varchar('designation', { length: 120 }),
    dateOfJoining: date('date_of_joining', { mode: 'string' }).notNull(),
    dateOfLeaving: date('date_of_leaving', { mode: 'string' }),
    /** ISO 3166-2:IN state code (KA, MH, …): professional tax depends on it. */
    workState: varchar('work_state', { length: 3 }).notNull(),
    gender: varchar('gender', { length: 10, enum: GENDERS }),
    // Sensitive fields: ciphertext only (platform/crypto format), bound to tenant/table/column/row.
    panCipher: varchar('pan_cipher', { length: 255 }),
    /** Blind index of the PAN (`i<key version>:<hmac>`, or the bare HMAC of the derived index key): uniqueness within the company without storing the PAN. */
    panIndex: varchar('pan_index', { length: 80 }),
    aadhaarLast4Cipher: varchar('aadhaar_last4_cipher', { length: 255 }),
    bankAccountCipher: varchar('bank_account_cipher', { length: 255 }),
    ifsc: varchar('ifsc', { length: 11 }),
    uan: varchar('uan', { length: 12 }),
    esicNumber: varchar('esic_number', { length: 10 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('employees_tenant_code_uq').on(t.tenantId, t.code),
    uniqueIndex('employees_tenant_pan_uq').on(t.tenantId, t.panIndex),
    index('employees_tenant_department_ix').on(t.tenantId, t.departmentId),
    index('employees_tenant_name_ix').on(t.tenantId, t.fullName),
  ],
);

export const SENSITIVE_FIELDS = ['pan', 'aadhaarLast4', 'bankAccount'] as const;
export type SensitiveField = (typeof SENSITIVE_FIELDS)[number];
/** SQL column of each sensitive field: the associated data names it, so it must never change. */
export const SENSITIVE_COLUMNS: Record<SensitiveField, string> = {
  pan: 'pan_cipher',
  aadhaarLast4: 'aadhaar_last4_cipher',
  bankAccount: 'bank_account_cipher',
};
for (const column of Object.values(SENSITIVE_COLUMNS)) {
  registerEncryptedColumn({ table: 'employees', column, idColumn: 'id', tenantColumn: 'tenant_id' });
}
/** The purpose the PAN index is computed under (service.ts); rotation re-indexes with it. */
export const PAN_INDEX_PURPOSE = 'employee-pan';
registerBlindIndex({
  table: 'employees',
  column: 'pan_index',
  sourceColumn: 'pan_cipher',
  purpose: PAN_INDEX_PURPOSE,
  idColumn: 'id',
  tenantColumn: 'tenant_id',
});

/** An employee asking HR to correct their profile. */
export const profileCorrections = mysqlTable(
  'profile_corrections',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id').notNull(),
    employeeId: idColumn('employee_id')
      .notNull()
      .references(() => employees.id),
    requestedBy: idColumn('requested_by').notNull(),
    field: varchar('field', { length: 40 }).notNull(),
    message: varchar('message', { length: 1000 }).notNull(),
    status: varchar('status', { length: 10, enum: ['open', 'done', 'rejected'] })
      .notNull()
      .default('open'),
    createdAt: createdAt(),
  },
  (t) => [index('profile_corrections_tenant_ix').on(t.tenantId, t.status)],
);

export type Employee = typeof employees.$inferSelect;
export type Department = typeof departments.$inferSelect;

/** Who heads which department: a department head's pages are scoped to these. */
export const departmentHeads = mysqlTable(
  'department_heads',
  {
    departmentId: idColumn('department_id')
      .notNull()
      .references(() => departments.id),
    userId: idColumn('user_id').notNull(),
    tenantId: idColumn('tenant_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.userId] }), index('department_heads_user_ix').on(t.userId)],
);
