import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { eventually } from '@test/support/eventually';
import { PASSWORD } from '@test/support/identity-client';
import { startSmtpSink } from '@test/support/smtp-sink';
import { createTestApp, TestApp } from '@test/support/test-app';

/** REQUIRE_EMAIL_VERIFICATION=true with SMTP_URL: the PIN travels by real SMTP; no account exists before it is verified. */
describe('identity: sign-up with required email verification over SMTP (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    sink = await startSmtpSink();
    testApp = await createTestApp({ env: { REQUIRE_EMAIL_VERIFICATION: 'true', SMTP_URL: sink.url, MAIL_FROM: 'Platform <no-reply@platform.test>' } });
    app = testApp.app;
  });
  afterAll(async () => {
    await testApp?.close();
    await sink?.close();
  });

  const mailTo = (email: string, n = 1) => eventually(() => (sink.mails.filter((m) => m.to.includes(email)).length >= n ? sink.mails.filter((m) => m.to.includes(email)) : false));

  it('answers 202 { signupRequestId }, mails the PIN, and creates the account (with tokens) only when the PIN comes back', async () => {
    const email = `grace-${uuidv7()}@example.com`;
    const res = await http().post('/api/v1/auth/signup').send({ email, password: PASSWORD, firstName: 'Grace', lastName: 'Hopper' }).expect(202);
    expect(res.body).toEqual({ signupRequestId: expect.any(String) });
    // No account yet.
    await http().post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(401);
    const [mail] = await mailTo(email);
    const pin = /code is (\d{6})/.exec(mail.raw)![1];
    const verified = await http().post('/api/v1/auth/verify-email').send({ email, pin }).expect(200);
    expect(verified.body).toEqual(expect.objectContaining({ accessToken: expect.any(String), refreshToken: expect.any(String), user: expect.objectContaining({ email, emailVerified: true }) }));
    await http().get('/api/v1/me').set('Authorization', `Bearer ${verified.body.accessToken}`).expect(200);
    await http().post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
  });

  it('answers a sign-up for an existing email exactly like a new one (no enumeration) and tells the owner by mail', async () => {
    const email = `alan-${uuidv7()}@example.com`;
    await http().post('/api/v1/auth/signup').send({ email, password: PASSWORD, firstName: 'Alan', lastName: 'Turing' }).expect(202);
    const [first] = await mailTo(email);
    await http().post('/api/v1/auth/verify-email').send({ email, pin: /code is (\d{6})/.exec(first.raw)![1] }).expect(200);
    const again = await http().post('/api/v1/auth/signup').send({ email, password: PASSWORD, firstName: 'Alan', lastName: 'Turing' }).expect(202);
    const fresh = await http().post('/api/v1/auth/signup').send({ email: `new-${uuidv7()}@example.com`, password: PASSWORD, firstName: 'N', lastName: 'N' }).expect(202);
    expect(Object.keys(again.body)).toEqual(Object.keys(fresh.body));
    const mails = await mailTo(email, 2);
    expect(mails[1].raw).toMatch(/already have an account/);
    expect(mails[1].raw).not.toMatch(/code is \d{6}/);
  });
});
