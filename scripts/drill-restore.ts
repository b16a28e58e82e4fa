/**
 * `npm run drill:restore [-- --backup ID] [-- --keep] | [-- --database URL [--backup ID] [--restore-point ISO]]`
 * The command lives in src/drill-restore.ts so the image carries it (dist/drill-restore.js); see there.
 */
import '../src/drill-restore.js';
