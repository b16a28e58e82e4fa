import type { Role } from './roles.js';

/** Who is making the request, as every module sees it. Built by identity from the session row. */
export interface Viewer {
  userId: string;
  tenantId: string;
  sessionId: string;
  email: string;
  displayName: string;
  role: Role;
  roleLabel: string;
  employeeId: string | null;
  companyName: string;
  twoFactorEnabled: boolean;
  /** The company requires a second factor for this role and none is set up yet. */
  needsTwoFactorSetup: boolean;
  /** Set when platform staff act as this user, with consent, under a support ticket (support issue). */
  impersonation: { staffId: string; ticket: string } | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer | null;
  }
}
