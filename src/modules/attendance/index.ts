import type { FastifyInstance } from 'fastify';
import type { Attendance } from './service.js';
import { attendanceRoutes } from './routes.js';
import { kioskApiRoutes } from './kiosk-routes.js';

export { createAttendance, KIOSK_LIMITS, type Attendance } from './service.js';
export { kioskAuthenticator, KIOSK_BODY_LIMIT } from './kiosk-routes.js';
export { punches, faceSamples, faceConsents, kioskNonces, kioskRejections, kiosks, attendanceSettings, enrolmentTickets } from './schema.js';
export { setSettings as setAttendanceSettings } from './store.js';
/** For the demo seed and the benches only: a paired kiosk and enrolled faces without a tablet. */
export { insertPairedKiosk, insertEnrolments, kioskNamed, enrolledEmployeeIds } from './bulk-enrolment.js';
export { EMBEDDING_LENGTH } from './matcher.js';
export { attendanceHousekeeping, ATTENDANCE_HOUSEKEEPING, purgeKioskRows, KIOSK_RETENTION } from './housekeeping.js';

export async function attendanceModule(app: FastifyInstance, options: { attendance: Attendance }): Promise<void> {
  await app.register(attendanceRoutes, options);
  await app.register(kioskApiRoutes, { ...options, prefix: '/api/kiosk/v1' });
}
/** Payroll reads LOP days here (specs/payroll-india.md §1). */
export { monthSummariesOf, dayRecordsOf, type Staff } from './month.js';
