import type { FastifyInstance } from 'fastify';
import type { Attendance } from './service.js';
import { attendanceRoutes } from './routes.js';
import { kioskApiRoutes } from './kiosk-routes.js';
import { createDays } from './days.js';
import { dayRoutes } from './day-routes.js';
import { regularisationRoutes } from './regularisation-routes.js';
import { attendanceReportRoutes } from './report-routes.js';
import { createAttendanceReports } from './reports.js';
import { createLeave } from './leave-service.js';
import { leaveRoutes } from './leave-routes.js';
import { kioskPageRoutes } from './kiosk-page-routes.js';

export { createAttendance, KIOSK_LIMITS, type Attendance } from './service.js';
export { kioskAuthenticator, KIOSK_BODY_LIMIT } from './kiosk-routes.js';
export { DEFAULT_LEAVE_POLICY } from './leave-policy.js';
export { leaveApplications, leavePolicies } from './schema.js';
export { KIOSK_DETECTOR, KIOSK_MODELS, KIOSK_VENDOR, KIOSK_VENDOR_URL } from './kiosk-vendor.js';
export { CONSENT_TEXT_VERSION } from './consent.js';
export { punches, faceSamples, faceConsents, kioskNonces, kioskRejections, kiosks, attendanceSettings, enrolmentTickets } from './schema.js';
export { setSettings as setAttendanceSettings } from './store.js';
/** For the demo seed and the benches only: a paired kiosk and enrolled faces without a tablet. */
export { insertPairedKiosk, insertEnrolments } from './bulk-enrolment.js';
export { enrolledEmployeeIds } from './store.js';
export { EMBEDDING_LENGTH } from './matcher.js';
export { attendanceHousekeeping, ATTENDANCE_HOUSEKEEPING, purgeKioskRows, KIOSK_RETENTION } from './housekeeping.js';

export async function attendanceModule(app: FastifyInstance, options: { attendance: Attendance }): Promise<void> {
  await app.register(attendanceRoutes, options);
  await app.register(kioskApiRoutes, { ...options, prefix: '/api/kiosk/v1' });
  // Punches to days: built from the app's shared database, clock and audit log (the decorators app.ts sets).
  const days = createDays({ db: app.database.db, clock: app.clock, audit: app.audit });
  await app.register(dayRoutes, { days });
  await app.register(regularisationRoutes, { days });
  // Team pages read departments through the people service the composition root decorated the app with.
  const reports = createAttendanceReports({ db: app.database.db, clock: app.clock, people: app.people });
  await app.register(attendanceReportRoutes, { reports });
  // Leave needs only the platform the app already decorates itself with (database, clock, audit).
  await app.register(leaveRoutes, { leave: createLeave({ db: app.database.db, clock: app.clock, audit: app.audit }) });
  await app.register(kioskPageRoutes);
}
/** Payroll reads LOP days here (specs/payroll-india.md §1). */
export { monthSummariesOf, dayRecordsOf, type Staff } from './month.js';
export { shiftSettings, regularisations } from './schema.js';
export { DEFAULT_SHIFT_RULES } from './shift-store.js';
