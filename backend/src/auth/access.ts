// Who may do what. Three roles, each a set of permissions; analysts and viewers act only within the cases
// granted to them, admins within all. Routes declare the permission they need (api/route.ts checks it).
export const ROLES = ['admin', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['read', 'write', 'export', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(['read', 'write', 'export', 'admin']),
  analyst: new Set(['read', 'write', 'export']),
  viewer: new Set(['read']),
};

/** The cases a user may see: every case, or the named ones. */
export type CaseAccess = 'all' | ReadonlySet<string>;

export interface Principal {
  user: string;
  role: Role;
  cases: CaseAccess;
}

export function can(p: Principal, perm: Permission): boolean {
  return GRANTS[p.role].has(perm);
}

export function seesCase(access: CaseAccess, caseName: string): boolean {
  return access === 'all' || access.has(caseName);
}
