import { ErasureHook } from '@libs/event-store/data-subjects';

/**
 * Message authors are data subjects (`author:<uuid>`): erasing one scrubs their identity from
 * the messages read model in the erasure's transaction (the log reads '[erased]' already).
 */
export const eraseMessageAuthors: ErasureHook = async (tx, events) => {
  for (const e of events) {
    const subjectId = String((e.data as { subjectId: string }).subjectId);
    if (!subjectId.startsWith('author:')) continue;
    await tx.query(
      `UPDATE ingestion_messages_view
          SET author_name = '[erased]', author_email = NULL, author_external_id = NULL, raw = NULL, updated_at = now()
        WHERE author_subject_id = $1`,
      [subjectId],
    );
  }
};
