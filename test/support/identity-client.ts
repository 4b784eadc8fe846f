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
