/** An email to send (plain text; the templates are the callers'). */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** Tags for the outbox and logs ('signup-pin', 'invitation'), never the content. */
  tag: string;
}

/** The port every module sends email through; SMTP when SMTP_URL is set, else the outbox. */
export abstract class Mailer {
  abstract send(mail: Mail): Promise<void>;
}
