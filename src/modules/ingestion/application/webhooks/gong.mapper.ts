import { addSeconds, ignored, isObject, MappedDelivery, messageOf, str, validEmail, WebhookAction } from './webhook-actions';

interface GongCall {
  id: string;
  title: string | null;
  started: string | null;
  url: string | null;
  system: string | null;
  scope: string | null;
  parties: Record<string, any>[];
}

/**
 * Gong -> actions. Two shapes arrive here:
 * - the automation-rule webhook `{ callData: { metaData, parties, context, content }, isTest }`:
 *   the call's brief, key points and action items (when the rule's call data has them) become
 *   one summary message;
 * - transcripts as `POST /v2/calls/transcript` answers them, `{ callTranscripts: [{ callId,
 *   transcript: [{ speakerId, topic, sentences: [{ start, end, text }] }] }] }`, optionally with
 *   `calls` (`/v2/calls/extensive` items) or `callData` naming the speakers: one message per
 *   monologue (one speaker's consecutive sentences), its time = call start + first sentence
 *   start (ms), its author the party with that speakerId.
 * Every message of a call shares the thread `gong:<callId>` and the call title; a monologue's id is
 * `<callId>:<first sentence start ms>`, the summary's `<callId>:summary`. The Gong pull sync maps
 * its transcripts with this same function, so a transcript that arrives both ways is stored once.
 */
export function mapGong(payload: unknown): MappedDelivery {
  if (!isObject(payload)) return { deliveryId: null, actions: [ignored('not a Gong payload')] };
  const calls = new Map<string, GongCall>();
  const callData = isObject(payload.callData) ? payload.callData : null;
  for (const c of [callData, ...(Array.isArray(payload.calls) ? payload.calls : [])]) {
    const call = callOf(c);
    if (call) calls.set(call.id, call);
  }
  const actions: WebhookAction[] = [];
  for (const t of Array.isArray(payload.callTranscripts) ? payload.callTranscripts : []) {
    if (!isObject(t) || !str(t.callId)) continue;
    const callId = String(t.callId);
    const call = calls.get(callId) ?? null;
    const monologues: unknown[] = Array.isArray(t.transcript) ? t.transcript : [];
    monologues.forEach((m, index) => actions.push(isObject(m) ? monologueMessage(callId, call, m, payload.isTest === true) : ignored(`transcript[${index}] of call ${callId} is not a monologue`)));
  }
  const summarized = callData ? summaryMessage(calls.get(String(callData.metaData?.id)) ?? null, callData, payload.isTest === true) : null;
  if (summarized) actions.push(summarized);
  if (actions.length === 0) {
    actions.push(ignored('a Gong call without transcript or brief: its transcript comes through POST /v2/calls/transcript (the Gong sync)'));
  }
  return { deliveryId: null, actions };
}

function callOf(c: unknown): GongCall | null {
  if (!isObject(c) || !isObject(c.metaData) || !str(c.metaData.id)) return null;
  const m = c.metaData;
  return {
    id: String(m.id),
    title: str(m.title),
    started: str(m.started) ?? str(m.scheduled),
    url: str(m.url),
    system: str(m.system),
    scope: str(m.scope),
    parties: Array.isArray(c.parties) ? c.parties.filter(isObject) : [],
  };
}

function monologueMessage(callId: string, call: GongCall | null, m: Record<string, any>, isTest: boolean): WebhookAction {
  const sentences = (Array.isArray(m.sentences) ? m.sentences : []).filter((s: unknown) => isObject(s) && typeof s.text === 'string' && s.text.trim() !== '');
  if (sentences.length === 0) return ignored(`a monologue of call ${callId} without sentences`);
  const first = typeof sentences[0].start === 'number' ? sentences[0].start : 0;
  const last = sentences[sentences.length - 1];
  const speakerId = str(m.speakerId);
  const party = call?.parties.find((p) => speakerId !== null && str(p.speakerId) === speakerId) ?? null;
  return messageOf({
    externalId: `${callId}:${first}`,
    content: sentences.map((s: Record<string, any>) => s.text.trim()).filter(Boolean).join(' '),
    sentAt: addSeconds(call?.started ?? null, first / 1000) ?? call?.started ?? null,
    channel: call?.system ? { id: null, name: call.system } : undefined,
    threadId: `gong:${callId}`,
    isReply: false,
    title: call?.title ?? null,
    author: party
      ? { name: str(party.name), email: validEmail(party.emailAddress), externalId: str(party.userId) ?? (str(party.emailAddress) ? null : `speaker:${speakerId}`) }
      : { name: speakerId ? `Speaker ${speakerId}` : null, externalId: speakerId ? `speaker:${speakerId}` : null },
    metadata: {
      kind: 'transcript-monologue',
      callId,
      speakerId,
      topic: m.topic ?? null,
      startMs: first,
      endMs: typeof last.end === 'number' ? last.end : null,
      affiliation: party?.affiliation ?? null,
      callUrl: call?.url ?? null,
      scope: call?.scope ?? null,
      ...(isTest ? { isTest } : {}),
    },
    raw: m,
  });
}

function summaryMessage(call: GongCall | null, callData: Record<string, any>, isTest: boolean): WebhookAction | null {
  const content = isObject(callData.content) ? callData.content : {};
  const keyPoints = (Array.isArray(content.keyPoints) ? content.keyPoints : []).map((k: any) => (isObject(k) ? str(k.text) : str(k))).filter((k: string | null): k is string => k !== null);
  const actionItems = (Array.isArray(content.pointsOfInterest?.actionItems) ? content.pointsOfInterest.actionItems : []).map((a: any) => (isObject(a) ? str(a.snippet) : null)).filter((a: string | null): a is string => a !== null);
  const parts = [
    str(content.brief),
    keyPoints.length ? `Key points:\n${keyPoints.map((k: string) => `- ${k}`).join('\n')}` : null,
    actionItems.length ? `Action items:\n${actionItems.map((a: string) => `- ${a}`).join('\n')}` : null,
    str(content.callOutcome?.name) ? `Outcome: ${content.callOutcome.name}` : null,
  ].filter((x): x is string => !!x);
  if (!call || parts.length === 0) return null;
  const primary = call.parties.find((p) => str(p.userId) && str(p.userId) === str(callData.metaData?.primaryUserId)) ?? null;
  return messageOf({
    externalId: `${call.id}:summary`,
    content: parts.join('\n\n'),
    sentAt: call.started,
    channel: call.system ? { id: null, name: call.system } : undefined,
    threadId: `gong:${call.id}`,
    isReply: false,
    title: call.title,
    author: primary ? { name: str(primary.name), email: validEmail(primary.emailAddress), externalId: str(primary.userId) } : undefined,
    metadata: {
      kind: 'call-summary',
      callId: call.id,
      callUrl: call.url,
      scope: call.scope,
      duration: callData.metaData?.duration ?? null,
      topics: Array.isArray(content.topics) ? content.topics : [],
      parties: call.parties.map((p) => ({ name: p.name ?? null, emailAddress: p.emailAddress ?? null, affiliation: p.affiliation ?? null, title: p.title ?? null })),
      crmContext: Array.isArray(callData.context) ? callData.context : [],
      ...(isTest ? { isTest } : {}),
    },
    raw: callData,
  });
}
