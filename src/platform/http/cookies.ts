/**
 * Every cookie we set is host-only (`__Host-` prefix): Secure, Path=/, no Domain; and HttpOnly with
 * SameSite=Strict so no script and no other site's request carries it. One place for those rules.
 */
export const HOST_COOKIE = { path: '/', httpOnly: true, secure: true, sameSite: 'strict' } as const;
