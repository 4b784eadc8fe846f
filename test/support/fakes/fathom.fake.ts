import { Answer, FakeProvider, SeenRequest } from './fake-provider';

export type FakeFathomMeeting = Record<string, any> & { recording_id: number; created_at: string };

/**
 * Fathom's public API as developers.fathom.ai describes it: `X-Api-Key` header; GET
 * /external/v1/meetings lists the key's meetings newest first, `created_after` (exclusive),
 * `cursor` paging (`{ limit, next_cursor, items }`, next_cursor null on the last page), and the
 * transcript, default summary and action items only when asked (`include_transcript`,
 * `include_summary`, `include_action_items`). A wrong key is 401; 429 with Retry-After through `fail()`.
 */
export class FakeFathom extends FakeProvider {
  private readonly byKey = new Map<string, FakeFathomMeeting[]>();

  constructor(readonly pageSize = 10) {
    super();
  }

  get apiBase(): string {
    return `${this.url}/external/v1`;
  }

  key(apiKey: string): void {
    this.byKey.set(apiKey, []);
  }

  /** A recorded meeting of `segments` transcript segments, with a summary and one action item. */
  meeting(apiKey: string, recordingId: number, createdAt: Date, segments = 3): FakeFathomMeeting {
    const start = new Date(createdAt.getTime() - 3600_000);
    const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const people = [
      { display_name: 'Jane Doe', matched_calendar_invitee_email: 'jane.doe@acme.example' },
      { display_name: 'John Smith', matched_calendar_invitee_email: 'john.smith@initech.example' },
    ];
    const m: FakeFathomMeeting = {
      title: `Renewal review ${recordingId}`,
      meeting_title: `Acme <> Initech ${recordingId}`,
      recording_id: recordingId,
      url: `https://fathom.video/calls/${recordingId}`,
      share_url: `https://fathom.video/share/s${recordingId}`,
      created_at: iso(createdAt),
      scheduled_start_time: iso(start),
      scheduled_end_time: iso(createdAt),
      recording_start_time: iso(start),
      recording_end_time: iso(new Date(createdAt.getTime() - 60_000)),
      calendar_invitees_domains_type: 'one_or_more_external',
      transcript_language: 'en',
      transcript: Array.from({ length: segments }, (_, i) => ({
        speaker: people[i % 2],
        text: `Meeting ${recordingId} segment ${i}: we need SSO before renewing.`,
        timestamp: `00:0${Math.floor(i / 6)}:${String((i % 6) * 10).padStart(2, '0')}`,
      })),
      default_summary: { template_name: 'general', markdown_formatted: `## Summary\nMeeting ${recordingId}: renewal depends on SSO.\n` },
      action_items: [{ description: `Send the SSO roadmap (${recordingId})`, user_generated: false, completed: false, recording_timestamp: '00:10:45', assignee: { name: 'Jane Doe', email: 'jane.doe@acme.example', team: 'CS' } }],
      calendar_invitees: [
        { name: 'Jane Doe', email: 'jane.doe@acme.example', is_external: false, email_domain: 'acme.example' },
        { name: 'John Smith', email: 'john.smith@initech.example', is_external: true, email_domain: 'initech.example' },
      ],
      recorded_by: { name: 'Jane Doe', email: 'jane.doe@acme.example', team: 'CS', email_domain: 'acme.example' },
      crm_matches: null,
    };
    this.byKey.get(apiKey)!.push(m);
    return m;
  }

  meetingRequests(from = 0): SeenRequest[] {
    return this.since(from).filter((r) => r.path === '/external/v1/meetings');
  }

  protected authorize(r: SeenRequest): Answer | null {
    const key = r.headers['x-api-key'];
    return typeof key === 'string' && this.byKey.has(key) ? null : { status: 401, body: { message: 'Invalid API key provided: please check it.' } };
  }

  protected route(r: SeenRequest): Answer {
    if (r.method !== 'GET' || r.path !== '/external/v1/meetings') return { status: 404, body: { message: 'Not found' } };
    const all = this.byKey.get(String(r.headers['x-api-key']))!;
    const after = r.query.created_after;
    if (after !== undefined && Number.isNaN(Date.parse(after))) return { status: 400, body: { message: 'created_after must be an ISO 8601 timestamp' } };
    const listed = all.filter((m) => !after || Date.parse(m.created_at) > Date.parse(after)).sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    const offset = r.query.cursor ? Number(Buffer.from(r.query.cursor, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) return { status: 400, body: { message: 'invalid cursor' } };
    const page = listed.slice(offset, offset + this.pageSize).map((m) => ({
      ...m,
      transcript: r.query.include_transcript === 'true' ? m.transcript : undefined,
      default_summary: r.query.include_summary === 'true' ? m.default_summary : undefined,
      action_items: r.query.include_action_items === 'true' ? m.action_items : undefined,
    }));
    const more = offset + this.pageSize < listed.length;
    return { status: 200, body: { limit: this.pageSize, next_cursor: more ? Buffer.from(String(offset + this.pageSize)).toString('base64url') : null, items: page } };
  }
}
