import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { Mail, Mailer } from './mailer';

/**
 * The default when no SMTP server is configured (trying it, demos, tests): mail is kept in the
 * `mail_outbox` table, readable by superusers at GET /api/v1/admin/mail-outbox. Log lines name
 * the tag and id only, never the content (PINs and invitation links are secrets).
 */
export class OutboxMailer extends Mailer {
  private readonly logger = new Logger('Mailer');

  constructor(private readonly pool: Pool) {
    super();
  }

  async send(mail: Mail): Promise<void> {
    const id = uuidv7();
    await this.pool.query(`INSERT INTO mail_outbox (id, recipient, subject, body, tag) VALUES ($1, $2, $3, $4, $5)`, [id, mail.to, mail.subject, mail.text, mail.tag]);
    this.logger.log({ tag: mail.tag, mailId: id }, 'mail kept in the outbox (no SMTP_URL)');
  }
}
