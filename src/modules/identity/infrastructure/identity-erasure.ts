import { PoolClient } from 'pg';
import { ErasureHook } from '@libs/event-store/data-subjects';

/**
 * When a user is erased, what identity holds about them under OTHER subjects goes too, in the
 * same transaction: invitations sent to their email (each its own subject) and the mails the
 * outbox kept for them. Runs first, while the users view still knows the email.
 */
export const eraseWhatIdentityTiesToTheUser: ErasureHook = async (tx: PoolClient, events, also) => {
  for (const e of events) {
    const subjectId = String((e.data as { subjectId: string }).subjectId);
    const user = await tx.query<{ email_lower: string | null }>(`SELECT email_lower FROM identity_users_view WHERE id::text = $1`, [subjectId]);
    const email = user.rows[0]?.email_lower;
    if (!email) continue;
    const invitations = await tx.query<{ id: string }>(`SELECT id FROM identity_invitations_view WHERE lower(email) = $1`, [email]);
    for (const inv of invitations.rows) await also(inv.id);
    await tx.query(`DELETE FROM mail_outbox WHERE lower(recipient) = $1`, [email]);
  }
};
