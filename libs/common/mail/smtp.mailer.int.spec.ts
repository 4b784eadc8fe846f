import { eventually } from '@test/support/eventually';
import { startSmtpSink } from '@test/support/smtp-sink';
import { SmtpMailer } from './smtp.mailer';

describe('SmtpMailer against a real SMTP server', () => {
  it('delivers the mail with its envelope, subject and body', async () => {
    const sink = await startSmtpSink();
    const mailer = new SmtpMailer(sink.url, 'Platform <no-reply@platform.test>');
    try {
      await mailer.send({ to: 'ada@example.com', subject: 'Your verification code', text: 'Your code is 123456.', tag: 'signup-pin' });
      const mail = await eventually(() => sink.mails[0] ?? false);
      expect(mail.from).toBe('no-reply@platform.test');
      expect(mail.to).toEqual(['ada@example.com']);
      expect(mail.raw).toMatch(/^Subject: Your verification code/m);
      expect(mail.raw).toContain('Your code is 123456.');
    } finally {
      mailer.close();
      await sink.close();
    }
  });

  it('fails loudly when the server is unreachable (the caller sees the error)', async () => {
    const sink = await startSmtpSink();
    await sink.close();
    const mailer = new SmtpMailer(sink.url, 'no-reply@platform.test');
    await expect(mailer.send({ to: 'a@example.com', subject: 's', text: 't', tag: 'x' })).rejects.toThrow();
    mailer.close();
  });
});
