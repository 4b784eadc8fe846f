import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

const DOVECOT_BINARIES = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'];

export function dovecotBinary(): string | null {
  for (const b of DOVECOT_BINARIES) if (existsSync(b)) return b;
  try {
    return execFileSync('sh', ['-c', 'command -v dovecot'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export interface DovecotOptions {
  /** `tls`: STARTTLS on `port` and implicit TLS on `tlsPort`, with a self-signed certificate made at start; `plain`: ssl = no. */
  mode?: 'tls' | 'plain';
  users?: Record<string, string>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/**
 * A private Dovecot IMAP server for tests (Debian's dovecot-imapd): its own config, users
 * (passwd-file, plain passwords), maildirs, certificate and sockets in a temp dir, listening on
 * 127.0.0.1 on free ports; the system's Dovecot (if any) is not touched. Run as root, mail is
 * owned by the package's `dovecot` user (Dovecot never accesses mail as root); run as another
 * user, everything runs as that user.
 */
export class Dovecot {
  readonly host = '127.0.0.1';
  port = 0;
  tlsPort = 0;
  private dir = '';
  private child: ChildProcess | null = null;
  private readonly users: Record<string, string>;
  private readonly mode: 'tls' | 'plain';
  private mailUid = 0;
  private mailGid = 0;

  constructor(options: DovecotOptions = {}) {
    this.mode = options.mode ?? 'tls';
    this.users = { ...(options.users ?? {}) };
  }

  get logFile(): string {
    return join(this.dir, 'dovecot.log');
  }

  async start(): Promise<this> {
    const binary = dovecotBinary();
    if (!binary) throw new Error('Dovecot is not installed: the IMAP tests need a real IMAP server. Install it with `apt-get install -y dovecot-imapd` (.ci/run installs it when missing).');
    this.dir = mkdtempSync(join(tmpdir(), 'dovecot-test-'));
    chmodSync(this.dir, 0o755);
    const me = userInfo();
    const root = me.uid === 0;
    const account = (name: string) => execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim();
    this.mailUid = root ? Number(account('dovecot')) : me.uid;
    this.mailGid = root ? Number(execFileSync('id', ['-g', 'dovecot'], { encoding: 'utf8' }).trim()) : me.gid;
    const internalUser = root ? 'dovecot' : me.username;
    const loginUser = root ? (existsSync('/etc/passwd') && /^dovenull:/m.test(readFileSync('/etc/passwd', 'utf8')) ? 'dovenull' : 'dovecot') : me.username;
    for (const d of ['run', 'state', 'mail']) mkdirSync(join(this.dir, d), { recursive: true });
    chownSync(join(this.dir, 'mail'), this.mailUid, this.mailGid);
    this.writeUsers();
    this.port = await freePort();
    this.tlsPort = await freePort();
    const ssl = this.mode === 'tls';
    if (ssl) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', join(this.dir, 'key.pem'), '-out', join(this.dir, 'cert.pem')], { stdio: 'ignore' });
    }
    const config = [
      `instance_name = dovecot-test-${randomBytes(4).toString('hex')}`,
      'protocols = imap',
      `listen = ${this.host}`,
      `base_dir = ${join(this.dir, 'run')}`,
      `state_dir = ${join(this.dir, 'state')}`,
      `log_path = ${this.logFile}`,
      `default_internal_user = ${internalUser}`,
      `default_login_user = ${loginUser}`,
      ...(root ? [] : [`default_internal_group = ${execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim()}`]),
      'first_valid_uid = 1',
      'last_valid_uid = 0',
      'auth_mechanisms = plain login',
      `disable_plaintext_auth = ${ssl ? 'yes' : 'no'}`,
      `ssl = ${ssl ? 'yes' : 'no'}`,
      ...(ssl ? [`ssl_cert = <${join(this.dir, 'cert.pem')}`, `ssl_key = <${join(this.dir, 'key.pem')}`] : []),
      ...(ssl && existsSync('/usr/share/dovecot/dh.pem') ? ['ssl_dh = </usr/share/dovecot/dh.pem'] : []),
      `mail_location = maildir:${join(this.dir, 'mail')}/%u`,
      'namespace inbox {\n  inbox = yes\n  separator = /\n}',
      `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${join(this.dir, 'passwd')}\n}`,
      `userdb {\n  driver = passwd-file\n  args = username_format=%u ${join(this.dir, 'passwd')}\n  default_fields = uid=${this.mailUid} gid=${this.mailGid} home=${join(this.dir, 'mail')}/%u\n}`,
      `service imap-login {\n  inet_listener imap {\n    port = ${this.port}\n  }\n  inet_listener imaps {\n    port = ${ssl ? this.tlsPort : 0}\n    ssl = yes\n  }\n}`,
      'mail_max_userip_connections = 50',
      // Failed logins answer at once (the tests make several on purpose): no failure delay, no anvil penalty per IP.
      'auth_failure_delay = 0',
      'service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}',
    ].join('\n');
    writeFileSync(join(this.dir, 'dovecot.conf'), `${config}\n`);
    this.child = spawn(binary, ['-F', '-c', join(this.dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    this.child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    const exited = new Promise<never>((_r, reject) => this.child!.once('exit', (code) => reject(new Error(`dovecot exited (${code}): ${out.join('')} ${this.log()}`))));
    exited.catch(() => undefined);
    await Promise.race([this.greeting(15_000), exited]);
    return this;
  }

  /** Adds (or changes the password of) a user; passwd-file is read again on change. */
  setUser(user: string, password: string): void {
    this.users[user] = password;
    this.writeUsers();
  }

  /** Credentials of a source for this server (STARTTLS with the self-signed certificate allowed, or plain). */
  credentials(user: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return this.mode === 'tls'
      ? { host: this.host, port: this.port, username: user, password: this.users[user], tls: true, allowSelfSigned: true, ...extra }
      : { host: this.host, port: this.port, username: user, password: this.users[user], tls: false, ...extra };
  }

  /** A logged-in client of the test's own (to fill and change mailboxes). */
  async client(user: string): Promise<ImapFlow> {
    const c = new ImapFlow({
      host: this.host,
      port: this.port,
      secure: false,
      doSTARTTLS: this.mode === 'tls',
      tls: { rejectUnauthorized: false },
      auth: { user, pass: this.users[user] },
      logger: false,
      disableAutoIdle: true,
    });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  }

  /** APPENDs raw messages (RFC 822 bytes) to a folder, creating it when missing; answers the folder's UIDVALIDITY. */
  async append(user: string, folder: string, messages: (string | Buffer)[], flags: string[] = []): Promise<string> {
    const c = await this.client(user);
    try {
      if (folder !== 'INBOX' && !(await c.list()).some((m) => m.path === folder)) await c.mailboxCreate(folder);
      for (const m of messages) await c.append(folder, m, flags);
      return statusUidValidity(await c.status(folder, { uidValidity: true }));
    } finally {
      await c.logout().catch(() => c.close());
    }
  }

  /** Deletes and creates the folder again (not INBOX, which cannot be deleted): a new UIDVALIDITY, UIDs from 1, as after a server rebuild or a restore. */
  async recreate(user: string, folder: string, messages: (string | Buffer)[]): Promise<string> {
    if (folder === 'INBOX') throw new Error('INBOX cannot be deleted; recreate another folder');
    const c = await this.client(user);
    try {
      await c.mailboxDelete(folder);
    } finally {
      await c.logout().catch(() => c.close());
    }
    return this.append(user, folder, messages);
  }

  async uidValidity(user: string, folder: string): Promise<string> {
    const c = await this.client(user);
    try {
      return statusUidValidity(await c.status(folder, { uidValidity: true }));
    } finally {
      await c.logout().catch(() => c.close());
    }
  }

  /**
   * Writes messages straight into a folder's maildir (new/): fast for big mailboxes (the
   * benchmark); Dovecot gives them UIDs when it next looks.
   */
  fillMaildir(user: string, folder: string, messages: (string | Buffer)[]): void {
    const box = folder === 'INBOX' ? join(this.dir, 'mail', user) : join(this.dir, 'mail', user, `.${folder.replace(/\//g, '.')}`);
    for (const d of ['', 'cur', 'new', 'tmp']) {
      mkdirSync(join(box, d), { recursive: true });
      chownSync(join(box, d), this.mailUid, this.mailGid);
    }
    const stamp = Math.floor(Date.now() / 1000);
    messages.forEach((m, i) => {
      const file = join(box, 'new', `${stamp}.M${i}P${process.pid}R${randomBytes(4).toString('hex')}.test`);
      writeFileSync(file, m);
      chownSync(file, this.mailUid, this.mailGid);
    });
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private writeUsers(): void {
    if (!this.dir) return;
    const lines = Object.entries(this.users).map(([u, p]) => `${u}:{PLAIN}${p}:${this.mailUid}:${this.mailGid}::${join(this.dir, 'mail', u)}::`);
    const file = join(this.dir, 'passwd');
    writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o644 });
  }

  /** Waits for the IMAP greeting on the port. */
  private async greeting(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = netConnect(this.port, this.host);
        s.once('data', (d) => {
          s.destroy();
          resolve(d.toString().startsWith('* OK'));
        });
        s.once('error', () => resolve(false));
        s.setTimeout(1_000, () => {
          s.destroy();
          resolve(false);
        });
      });
      if (ok) return;
      if (Date.now() > until) throw new Error(`dovecot did not greet on ${this.host}:${this.port}: ${this.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function statusUidValidity(status: false | { uidValidity?: bigint | number }): string {
  if (!status || status.uidValidity === undefined) throw new Error('the server gave no UIDVALIDITY');
  return String(status.uidValidity);
}
