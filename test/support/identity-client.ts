import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { PG_POOL } from '@libs/database/database-backend';

export const PASSWORD = 'correct horse battery staple';

export interface SignedUp {
  userId: string;
  email: string;
  accessToken: string;
  refreshToken: string;
  auth: { Authorization: string };
}

/** Signs a new user up through the API (a unique email each time). */
export async function signUp(app: INestApplication, overrides: Partial<{ email: string; firstName: string; lastName: string; organizationName: string }> = {}): Promise<SignedUp> {
  const email = overrides.email ?? `user-${uuidv7()}@example.com`;
  const res = await request(app.getHttpServer())
    .post('/api/v1/auth/signup')
    .send({ email, password: PASSWORD, firstName: overrides.firstName ?? 'Ada', lastName: overrides.lastName ?? 'Lovelace', ...(overrides.organizationName ? { organizationName: overrides.organizationName } : {}) })
    .expect(201);
  return { userId: res.body.user.id, email, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken, auth: { Authorization: `Bearer ${res.body.accessToken}` } };
}

/** Verifies `user`'s email with the PIN mailed at sign-up (members are added at once only with a verified email). */
export async function verifyEmail(app: INestApplication, user: { email: string }): Promise<void> {
  const pin = pinIn((await lastMail(app, user.email, 'signup-pin')).body);
  await request(app.getHttpServer()).post('/api/v1/auth/verify-email').send({ email: user.email, pin }).expect(200);
}

/** signUp, then verifyEmail: a user a workspace admin can add as a member by email. */
export async function signUpVerified(app: INestApplication, overrides: Parameters<typeof signUp>[1] = {}): Promise<SignedUp> {
  const user = await signUp(app, overrides);
  await verifyEmail(app, user);
  return user;
}

export async function createWorkspace(app: INestApplication, owner: SignedUp, name = `Team ${uuidv7().slice(-6)}`): Promise<string> {
  const res = await request(app.getHttpServer()).post('/api/v1/workspaces').set(owner.auth).send({ name }).expect(201);
  return res.body.id;
}

/** The last mail the outbox mailer kept for an address (the default mailer: no SMTP_URL). */
export async function lastMail(app: INestApplication, to: string, tag: string): Promise<{ subject: string; body: string }> {
  const r = await app.get<Pool>(PG_POOL).query(`SELECT subject, body FROM mail_outbox WHERE recipient = $1 AND tag = $2 ORDER BY created_at DESC LIMIT 1`, [to, tag]);
  if (!r.rows[0]) throw new Error(`no ${tag} mail to ${to}`);
  return r.rows[0];
}

export const pinIn = (body: string) => /\b(\d{6})\b/.exec(body)![1];
export const invitationTokenIn = (body: string) => /: ([A-Za-z0-9_-]{43})\n/.exec(body)![1];

/** A unique, recognisable secret (OAuth tokens, passwords) for the "never in clear" scans. */
export const uniqueSecret = (label: string) => `${label}-${randomBytes(24).toString('base64url')}`;

export interface LinkedOAuthAccount {
  id: string;
  providerAccountId: string;
  accessToken: string;
  refreshToken: string;
  idToken: string;
  body: Record<string, unknown>;
}

/** Links an OAuth account to `user` through the API: a unique provider account id and unique tokens unless given. */
export async function linkOAuthAccount(
  app: INestApplication,
  user: SignedUp,
  overrides: Partial<{ provider: string; providerAccountId: string; accessToken: string; refreshToken: string; idToken: string; expiresAt: string; scope: string }> = {},
): Promise<LinkedOAuthAccount> {
  const body = {
    provider: 'google',
    providerAccountId: `sub-${uuidv7()}`,
    accessToken: uniqueSecret('access'),
    refreshToken: uniqueSecret('refresh'),
    idToken: uniqueSecret('id'),
    tokenType: 'Bearer',
    scope: 'openid email',
    ...overrides,
  };
  const res = await request(app.getHttpServer()).post('/api/v1/me/oauth-accounts').set(user.auth).send(body).expect(201);
  return { id: res.body.id, providerAccountId: body.providerAccountId, accessToken: body.accessToken, refreshToken: body.refreshToken, idToken: body.idToken, body: res.body };
}
