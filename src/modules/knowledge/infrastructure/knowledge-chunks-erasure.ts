import { ErasureHook } from '@libs/event-store/data-subjects';
import { ERASED } from '@libs/event-store/personal-data';
import { evidencePeople, evidenceSearchText } from './knowledge-chunks.writer';

/**
 * Message authors are data subjects (`author:<uuid>`): erasing one scrubs their name and
 * external id from chunks and evidence items in the erasure's transaction, and takes the name
 * out of the evidence's search_text too (a replay reads '[erased]' from the log and writes the
 * same). Rows are locked evidence first, then chunks, by id: the chunking consumer's order.
 */
export const eraseChunkAuthors =
  (textConfig: string): ErasureHook =>
  async (tx, events) => {
    for (const e of events) {
      const subjectId = String((e.data as { subjectId: string }).subjectId);
      if (!subjectId.startsWith('author:')) continue;
      await tx.query(`SELECT 1 FROM knowledge_evidence_items WHERE author_subject_id = $1 ORDER BY id FOR UPDATE`, [subjectId]);
      await tx.query(
        `UPDATE knowledge_evidence_items
            SET author_name = $2, author_external_id = NULL,
                search_text = ${evidenceSearchText('$3::regconfig', 'title', 'content', evidencePeople('$2::text', 'channel_name'))},
                updated_at = now()
          WHERE author_subject_id = $1`,
        [subjectId, ERASED, textConfig],
      );
      await tx.query(`SELECT 1 FROM knowledge_rag_chunks WHERE author_subject_id = $1 ORDER BY id FOR UPDATE`, [subjectId]);
      await tx.query(`UPDATE knowledge_rag_chunks SET author_name = $2, author_external_id = NULL, updated_at = now() WHERE author_subject_id = $1`, [subjectId, ERASED]);
    }
  };
