// `casegraph user …`: local accounts from a terminal on the server (whoever can run this can read the data
// directory anyway). Passwords come from a hidden prompt, from stdin with --password-stdin, or are
// generated and printed once; they never travel on the command line, where `ps` and shell history see them.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ROLES, type Role } from './auth/access.ts';
import { cliActor } from './auth/audited.ts';
import type { AuthService } from './auth/auth.service.ts';
import type { UserRow } from './auth/auth.store.ts';
import { randomPassword } from './auth/passwords.ts';
import { AppError } from './errors.ts';

export const USER_USAGE = `  casegraph user list [--json]         users, roles, granted cases
  casegraph user add NAME --role admin|analyst|viewer [--cases A,B] [--password-stdin]
                                       add a user; the password is prompted (hidden), read from
                                       stdin, or generated and printed once
  casegraph user passwd NAME [--password-stdin]
                                       set a new password (ends the user's sessions)
  casegraph user disable NAME          refuse the user's sign-ins and end their sessions
  casegraph user enable NAME
  casegraph user grant NAME --cases A,B [--role ROLE]
                                       set the cases (and role) of a user`;

export interface UserArgs {
  role?: string;
  cases?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

export interface UserIo {
  out(s: string): void;
  /** the password for NAME: prompt, stdin or generated (then `generated` is true) */
  password(name: string, fromStdin: boolean): Promise<{ password: string; generated: boolean }>;
}

function parseRole(role: string | undefined, required: boolean): Role | undefined {
  if (role === undefined) {
    if (required) throw new AppError('bad_request', `give --role ${ROLES.join('|')}`);
    return undefined;
  }
  if (!ROLES.includes(role as Role)) throw new AppError('bad_request', `--role must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

const parseCases = (s: string | undefined) => (s === undefined ? undefined : s.split(',').map((c) => c.trim()).filter(Boolean));

const describe = (u: UserRow) => `${u.name}\t${u.role}${u.disabled ? ' (disabled)' : ''}\t${u.role === 'admin' ? 'all cases' : u.cases.join(', ') || 'no cases'}`;

export async function runUser(auth: AuthService, sub: string | undefined, name: string | undefined, args: UserArgs, io: UserIo): Promise<number> {
  const by = cliActor();
  const need = () => {
    if (!name) throw new AppError('bad_request', `usage:\n${USER_USAGE}`);
    return name;
  };
  const show = (u: UserRow, what: string, extra?: string) => io.out(args.json ? `${JSON.stringify(u, null, 2)}\n` : `${what}: ${describe(u)}${extra ?? ''}\n`);
  switch (sub) {
    case 'list': {
      const users = auth.listUsers();
      io.out(args.json ? `${JSON.stringify({ users }, null, 2)}\n` : `${users.map(describe).join('\n') || 'no users'}\n`);
      return 0;
    }
    case 'add': {
      const n = need();
      const role = parseRole(args.role, true)!;
      const { password, generated } = await io.password(n, !!args.passwordStdin);
      const u = await auth.addUser(by, { name: n, role, password, cases: parseCases(args.cases) });
      show(u, 'added', generated ? `\npassword (shown once): ${password}` : '');
      return 0;
    }
    case 'passwd': {
      const n = need();
      const { password, generated } = await io.password(n, !!args.passwordStdin);
      show(await auth.updateUser(by, n, { password }), 'password changed', generated ? `\npassword (shown once): ${password}` : '');
      return 0;
    }
    case 'disable':
    case 'enable':
      show(await auth.updateUser(by, need(), { disabled: sub === 'disable' }), sub === 'disable' ? 'disabled' : 'enabled');
      return 0;
    case 'grant': {
      const cases = parseCases(args.cases);
      if (cases === undefined && args.role === undefined) throw new AppError('bad_request', 'give --cases A,B and/or --role ROLE');
      show(await auth.updateUser(by, need(), { cases, role: parseRole(args.role, false) }), 'changed');
      return 0;
    }
    default:
      throw new AppError('bad_request', `usage:\n${USER_USAGE}`);
  }
}

/** Terminal I/O: a hidden prompt (asked twice) on a TTY, the first line of stdin with --password-stdin, else a generated password. */
export const terminalUserIo: UserIo = {
  out: (s) => process.stdout.write(s),
  async password(name, fromStdin) {
    if (fromStdin) {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
      return { password, generated: false };
    }
    if (!process.stdin.isTTY) return { password: randomPassword(), generated: true };
    const first = await hiddenPrompt(`password for ${name}: `);
    const again = await hiddenPrompt('again: ');
    if (first !== again) throw new AppError('bad_request', 'the two passwords differ');
    return { password: first, generated: false };
  },
};

function hiddenPrompt(question: string): Promise<string> {
  process.stderr.write(question);
  const muted = new Writable({ write: (_c, _e, cb) => cb() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
