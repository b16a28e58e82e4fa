import { identityGround, type IdentityDeps } from './ground.js';
import { passwordLinks } from './password-links.js';
import { secondFactorUseCases } from './second-factor.js';
import { signInUseCases } from './sign-in.js';
import { signUpUseCases } from './sign-up.js';
import { userAdminUseCases } from './user-admin.js';

export { BAD_CREDENTIALS, type SignInResult } from './sign-in.js';
export type { IdentityDeps } from './ground.js';

/**
 * Identity's use cases, one file per kind of thing a person does: sign-in.ts (signing in and out,
 * one's password), sign-up.ts (a new company, confirmed by its owner's link), password-links.ts
 * (reset and invitation links, and the job that mails links), user-admin.ts (the
 * owner's users page), second-factor.ts (TOTP and recovery codes). They share one ground.
 */
export function createIdentity(deps: IdentityDeps) {
  const ground = identityGround(deps);
  const links = passwordLinks(ground);
  return {
    sessions: ground.sessions,
    ...signInUseCases(ground),
    ...signUpUseCases(ground, links),
    sendLinkMail: links.sendLinkMail,
    requestPasswordReset: links.requestPasswordReset,
    checkPasswordLink: links.checkPasswordLink,
    resetPassword: links.resetPassword,
    ...userAdminUseCases(ground, links),
    ...secondFactorUseCases(ground),
  };
}

export type Identity = ReturnType<typeof createIdentity>;
