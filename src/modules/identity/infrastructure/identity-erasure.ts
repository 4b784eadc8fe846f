import { PoolClient } from 'pg';
import { ErasureHook } from '@libs/event-store/data-subjects';

/**
 * When a user is erased, what identity holds about them under OTHER subjects goes too, in the
 * same transaction: invitations sent to their email (each its own subject), the mails the
 * outbox kept for them, their OAuth tokens (unusable from then on, in the view as in the
 * log) and their OAuth connect attempts in flight. Runs first, while the users view still knows the email.
 */
export const eraseWhatIdentityTiesToTheUser: ErasureHook = async (tx: PoolClient, events, also) => {
  for (const e of events) {
    const subjectId = String((e.data as { subjectId: string }).subjectId);
    if (!/^[0-9a-f-]{36}$/i.test(subjectId)) continue;
    await tx.query(
      `UPDATE identity_oauth_accounts_view
          SET access_token_ciphertext = '[erased]',
              refresh_token_ciphertext = CASE WHEN refresh_token_ciphertext IS NULL THEN NULL ELSE '[erased]' END,
              id_token_ciphertext = CASE WHEN id_token_ciphertext IS NULL THEN NULL ELSE '[erased]' END
        WHERE user_id = $1`,
      [subjectId],
    );
    // Connect attempts in flight: their callback must not link anything to an erased user.
    await tx.query(`DELETE FROM identity_oauth_connect_attempts WHERE user_id = $1`, [subjectId]);
    const user = await tx.query<{ email_lower: string | null }>(`SELECT email_lower FROM identity_users_view WHERE id = $1`, [subjectId]);
    const email = user.rows[0]?.email_lower;
    if (!email) continue;
    const invitations = await tx.query<{ id: string }>(`SELECT id FROM identity_invitations_view WHERE lower(email) = $1`, [email]);
    for (const inv of invitations.rows) await also(inv.id);
    await tx.query(`DELETE FROM mail_outbox WHERE lower(recipient) = $1`, [email]);
  }
};
