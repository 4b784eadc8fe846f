import { Logger } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { Mail, Mailer } from './mailer';

/** SMTP through nodemailer (`smtp://user:pass@host:587`, `smtps://...`); logs never hold the body. */
export class SmtpMailer extends Mailer {
  private readonly logger = new Logger('Mailer');
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    this.transport = createTransport(smtpUrl);
  }

  async send(mail: Mail): Promise<void> {
    const info = await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
    this.logger.log({ tag: mail.tag, messageId: info.messageId }, 'mail sent');
  }

  close(): void {
    this.transport.close();
  }
}
