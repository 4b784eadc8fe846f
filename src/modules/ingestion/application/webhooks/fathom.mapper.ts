import { addSeconds, clockSeconds, ignored, isObject, MappedDelivery, messageOf, str, validEmail, WebhookAction } from './webhook-actions';

/**
 * Fathom "new meeting content ready" -> one message per transcript segment, plus one summary
 * message (default summary and action items) when the payload has them. Every message of a
 * meeting shares the thread `fathom:<recording_id>` and the meeting title.
 *
 * Why per segment and not one message per meeting: a segment has one speaker, so the author is
 * right (attribution to the customer who said it, CRM matching by invitee email, erasure per
 * person), and it has its own time (the "HH:MM:SS" offset from the recording start, kept for
 * playback links). Knowledge chunking regroups consecutive segments of a thread into windows of
 * the size it wants; splitting one huge message back into speakers would be the lossy way round.
 * Each segment keeps its own payload slice as raw (not the whole meeting N times).
 */
export function mapFathom(payload: unknown): MappedDelivery {
  if (!isObject(payload)) return { deliveryId: null, actions: [ignored('not a Fathom webhook')] };
  const recordingId = str(payload.recording_id) ?? recordingIdFromUrl(payload.url);
  if (!recordingId) return { deliveryId: null, actions: [ignored('a Fathom meeting without recording_id')] };
  const title = str(payload.title) ?? str(payload.meeting_title);
  const start = str(payload.recording_start_time) ?? str(payload.scheduled_start_time) ?? str(payload.created_at);
  const common = { recordingId, url: payload.url ?? null, shareUrl: payload.share_url ?? null, meetingTitle: payload.meeting_title ?? null };
  const transcript = Array.isArray(payload.transcript) ? payload.transcript : [];
  const actions: WebhookAction[] = transcript.map((segment: unknown, index: number) => {
    if (!isObject(segment)) return ignored(`transcript[${index}] is not a segment`);
    const offset = clockSeconds(segment.timestamp) ?? 0;
    const speaker = isObject(segment.speaker) ? segment.speaker : {};
    return messageOf({
      externalId: `${recordingId}:${index}`,
      content: typeof segment.text === 'string' ? segment.text : '',
      sentAt: addSeconds(start, offset) ?? start,
      threadId: `fathom:${recordingId}`,
      isReply: false,
      title,
      author: { name: str(speaker.display_name), email: validEmail(speaker.matched_calendar_invitee_email) },
      metadata: { ...common, kind: 'transcript-segment', segmentIndex: index, timestamp: segment.timestamp ?? null, offsetSeconds: offset },
      raw: segment,
    });
  });
  const summary = summaryOf(payload);
  if (summary) {
    const recordedBy = isObject(payload.recorded_by) ? payload.recorded_by : {};
    const { transcript: _t, ...withoutTranscript } = payload;
    actions.push(
      messageOf({
        externalId: `${recordingId}:summary`,
        content: summary,
        sentAt: str(payload.recording_end_time) ?? str(payload.created_at) ?? start,
        threadId: `fathom:${recordingId}`,
        isReply: false,
        title,
        author: { name: str(recordedBy.name), email: validEmail(recordedBy.email) },
        metadata: {
          ...common,
          kind: 'summary',
          actionItems: Array.isArray(payload.action_items) ? payload.action_items : [],
          calendarInvitees: Array.isArray(payload.calendar_invitees) ? payload.calendar_invitees : [],
          calendarInviteesDomainsType: payload.calendar_invitees_domains_type ?? null,
        },
        raw: withoutTranscript,
      }),
    );
  }
  if (actions.length === 0) actions.push(ignored('a Fathom meeting without transcript or summary (enable them on the webhook)'));
  return { deliveryId: null, actions };
}

function summaryOf(p: Record<string, any>): string | null {
  const summary = isObject(p.default_summary) ? str(p.default_summary.markdown_formatted) : null;
  const items = (Array.isArray(p.action_items) ? p.action_items : [])
    .filter((a: unknown) => isObject(a) && str(a.description))
    .map((a: Record<string, any>) => `- ${a.description}${isObject(a.assignee) && str(a.assignee.name) ? ` (${a.assignee.name})` : ''}`);
  const parts = [summary?.trim(), items.length ? `## Action items\n${items.join('\n')}` : null].filter((x): x is string => !!x);
  return parts.length ? parts.join('\n\n') : null;
}

function recordingIdFromUrl(url: unknown): string | null {
  const m = typeof url === 'string' ? /\/calls?\/(\d+)/.exec(url) : null;
  return m ? m[1] : null;
}
