/**
 * Realistic generated conversation messages for the search benchmark: support tickets, sales
 * calls and team chat about ~30 product areas, each message 1-3 sentences built from the area's
 * own vocabulary with names, numbers and versions filled in. Texts of one area share words and
 * phrasing, so their embeddings form clusters the way real conversations do (HNSW recall on
 * i.i.d. random vectors would say nothing about real data). Deterministic: message i is always
 * the same text.
 */

interface Area {
  name: string;
  /** Sentences with slots: {customer} {person} {n} {version} {plan} {day}. */
  sentences: string[];
}

const AREAS: Area[] = [
  { name: 'csv-export', sentences: ['Exporting the {n} day report to CSV fails with a timeout for {customer}.', 'The CSV export drops the currency column since version {version}.', 'Can we schedule a weekly CSV export of all conversations to S3?', '{person} says the exported CSV file opens with broken umlauts in Excel.', 'Large exports over {n}k rows never finish; the download spinner keeps going.'] },
  { name: 'sso', sentences: ['{customer} wants SSO with Okta and SCIM provisioning for {n} seats.', 'SAML login loops back to the sign-in page after the IdP redirect.', 'Azure AD single sign-on breaks when the user has no email claim.', '{person} asked whether SSO is included in the {plan} plan or an add-on.', 'After enforcing SSO, API tokens of deprovisioned users still work.'] },
  { name: 'billing', sentences: ['Invoice {n} shows the wrong VAT number for {customer}.', 'We were charged twice this month; please refund the duplicate payment.', 'Can {customer} pay by bank transfer instead of credit card for the {plan} plan?', 'The billing page does not let {person} download past invoices as PDF.', 'Proration after the seat upgrade looks wrong on the last invoice.'] },
  { name: 'mobile-crash', sentences: ['The iOS app crashes on launch after updating to {version}.', 'Android app freezes when opening a conversation with many attachments.', '{person} reports the mobile app logs out every time the phone goes to sleep.', 'Push notifications stopped arriving on Android {n} devices.', 'The app crashes when uploading a photo larger than {n} MB.'] },
  { name: 'salesforce', sentences: ['The Salesforce sync skips contacts created by the API user.', '{customer} needs opportunities synced both ways with Salesforce.', 'Salesforce integration throws INVALID_FIELD on the custom industry field.', 'Mapping Salesforce accounts to our workspaces duplicates records for {customer}.', '{person} asks if the Salesforce connector supports sandbox orgs.'] },
  { name: 'pricing', sentences: ['{customer} asked for a discount on the annual {plan} plan for {n} seats.', 'What is the price difference between the {plan} plan and Enterprise?', 'Procurement at {customer} needs a quote with volume pricing before {day}.', 'The pricing page still lists the old per-seat price.', '{person} thinks usage-based pricing would fit their seasonal team better.'] },
  { name: 'onboarding', sentences: ['The onboarding call with {customer} went well; next step is importing their Slack history.', '{person} needs a training session for {n} new agents next {day}.', 'The setup checklist does not mark the email integration as done.', 'New admins cannot find where to invite their team during onboarding.', 'Can we send {customer} the onboarding guide in German?'] },
  { name: 'api-limits', sentences: ['Our integration hits the API rate limit of {n} requests per minute.', 'The REST API returns 429 without a Retry-After header.', '{customer} asks for higher API limits on the {plan} plan.', 'Pagination cursors expire too quickly when syncing {n}k records.', 'The API docs do not say which endpoints count against the rate limit.'] },
  { name: 'webhooks', sentences: ['Webhook deliveries to {customer} fail with TLS handshake errors.', 'We need webhook signatures so {person} can verify the payloads.', 'Webhooks are retried only {n} times; events get lost during their deploys.', 'The webhook payload lacks the conversation id since {version}.', 'Can we filter which events trigger the webhook?'] },
  { name: 'notifications', sentences: ['Email notifications arrive {n} minutes late for the whole team.', '{person} wants to mute notifications outside working hours.', 'Daily digest emails go to spam at {customer}.', 'Slack notifications duplicate every mention since {version}.', 'Please add a notification when a ticket waits longer than {n} hours.'] },
  { name: 'dashboard', sentences: ['The analytics dashboard takes {n} seconds to load for {customer}.', '{person} would like to share a dashboard with read-only guests.', 'Charts on the dashboard show UTC instead of the workspace timezone.', 'The response time widget is empty after the {version} release.', 'Can dashboards be exported as PDF for the monthly board meeting?'] },
  { name: 'permissions', sentences: ['Viewers can still edit tags, which {customer} did not expect.', '{person} needs a custom role that can export but not delete data.', 'Removing a member does not revoke their access to shared views.', 'Admins of {customer} want audit logs of permission changes.', 'Role changes take effect only after logging out and in again.'] },
  { name: 'gdpr', sentences: ['{customer} asks how we handle GDPR data deletion requests.', 'We need a data processing agreement signed before {day}.', '{person} wants customer data stored in the EU region only.', 'How long do we keep call recordings after a contract ends?', 'Please confirm the right to erasure also removes data from backups.'] },
  { name: 'performance', sentences: ['Search is slow for {customer}: queries take {n} seconds.', 'The inbox becomes sluggish with more than {n}k open conversations.', '{person} noticed high memory use in the desktop app after {version}.', 'Page loads got slower since the last release for users in Asia.', 'Bulk actions on {n} tickets time out.'] },
  { name: 'search-feature', sentences: ['Search does not find messages when the query has a typo.', '{person} wants to search call transcripts by speaker.', 'Can search filter by channel and date range at the same time?', 'Exact phrase search with quotes is ignored for {customer}.', 'Search results should show which message matched, not just the thread.'] },
  { name: 'calendar', sentences: ['Google Calendar sync creates duplicate meetings for {person}.', 'Outlook calendar events do not show the call recording link.', '{customer} needs meetings synced from shared team calendars.', 'Timezone changes shift synced events by one hour.', 'Calendar integration lost its token after {n} days.'] },
  { name: 'slack-integration', sentences: ['The Slack app does not import private channels for {customer}.', 'Threads from Slack arrive without their replies.', '{person} asks whether Slack Connect channels are supported.', 'Slack message edits are not reflected after {version}.', 'We need the Slack integration to skip bot messages.'] },
  { name: 'renewal', sentences: ['{customer} renewal is due on {day}; they want a {n} percent discount.', 'The renewal call went fine; {person} will sign the {plan} plan for two years.', 'Legal at {customer} is reviewing the renewal terms.', 'They might not renew unless the Salesforce sync is fixed.', 'Please send the renewal quote with the new seat count of {n}.'] },
  { name: 'churn-risk', sentences: ['{customer} usage dropped {n} percent this quarter; churn risk is high.', '{person} complained that support answers take days.', 'The champion at {customer} left the company; we need a new sponsor.', 'They are evaluating a competitor because of missing reporting.', 'Low adoption: only {n} of their seats logged in last month.'] },
  { name: 'dark-mode', sentences: ['{person} keeps asking for a dark mode in the web app.', 'Dark theme would help agents working night shifts at {customer}.', 'The mobile app follows the system dark mode but the web app does not.', 'Can we get a high contrast theme for accessibility?', 'Dark mode renders code snippets unreadable in version {version}.'] },
  { name: 'email-integration', sentences: ['Emails sent to the support address arrive without attachments.', 'Gmail integration stops syncing after the OAuth token expires.', '{customer} wants to send replies from their own domain with DKIM.', 'Forwarded emails lose the original sender for {person}.', 'The email parser cuts replies at the first quoted line.'] },
  { name: 'reporting', sentences: ['{customer} needs a report of first response time per agent.', 'Scheduled reports arrive empty since {version}.', '{person} wants custom fields available in reports.', 'The SLA report counts weekends although business hours are set.', 'Can we export the weekly report to Google Sheets automatically?'] },
  { name: 'tagging', sentences: ['Auto-tagging labels refund requests as bugs.', '{person} asks for bulk tag editing on {n} conversations.', 'Tags are case sensitive, so Billing and billing split the reports.', 'Please let admins merge duplicate tags.', '{customer} wants tags suggested by AI when a ticket arrives.'] },
  { name: 'chatbot', sentences: ['The chatbot answers in English although the visitor writes Spanish.', '{customer} wants the bot to hand over to a human after {n} failed answers.', 'Bot replies cite outdated help articles.', '{person} asks whether the chatbot can book demo meetings.', 'The widget shows the bot typing forever when the knowledge base is empty.'] },
  { name: 'knowledge-base', sentences: ['Help center articles are not indexed by Google.', '{person} wants article versions with approval before publishing.', 'Internal notes should not appear in the public knowledge base.', '{customer} needs the help center in five languages.', 'Article feedback votes reset after editing.'] },
  { name: 'security', sentences: ['{customer} sent a security questionnaire with {n} questions.', 'Two-factor authentication codes are rejected after the phone changed time zone.', '{person} asks for IP allowlisting on the {plan} plan.', 'A penetration test found missing rate limits on the login form.', 'Please share our SOC 2 report with {customer} under NDA.'] },
  { name: 'data-import', sentences: ['Importing {n}k tickets from Zendesk stopped halfway.', '{person} needs to import contacts from a CSV with custom fields.', 'The Intercom import maps closed conversations as open.', 'Re-running the import created duplicates for {customer}.', 'Import errors only say row {n} is invalid without a reason.'] },
  { name: 'team-chat', sentences: ['Standup moved to 10:30 tomorrow, {person} will run it.', 'Who is on call this weekend?', 'Release {version} is going out {day} after the QA sign-off.', 'Lunch order closes at noon, {person} is collecting.', 'The staging database is being restored; expect downtime for {n} minutes.'] },
  { name: 'hiring', sentences: ['We have {n} candidates for the support lead role.', '{person} will do the technical interview on {day}.', 'Please review the job description for the solutions engineer.', 'The offer for the backend engineer was accepted.', 'Onboarding laptop for the new hire arrives on {day}.'] },
  { name: 'outage', sentences: ['We had a {n} minute outage of the API this morning.', 'Status page was not updated during the incident; {customer} noticed first.', 'The postmortem for the database failover is due {day}.', '{person} asks for credits after the outage on the {plan} plan.', 'Error rates spiked to {n} percent after deploying {version}.'] },
];

const CUSTOMERS = ['Acme Corp', 'Initech', 'Globex', 'Umbrella', 'Hooli', 'Vandelay Industries', 'Stark Industries', 'Wayne Enterprises', 'Soylent', 'Cyberdyne', 'Tyrell', 'Wonka', 'Oscorp', 'Massive Dynamic', 'Pied Piper', 'Aperture', 'Black Mesa', 'Monarch', 'Gringotts', 'Nakatomi'];
const PEOPLE = ['Dana', 'Fox', 'Walter', 'Monica', 'John', 'Priya', 'Mateo', 'Aiko', 'Lena', 'Omar', 'Sofia', 'Chen', 'Grace', 'Tobias', 'Amara', 'Jonas'];
const PLANS = ['Starter', 'Team', 'Business', 'Growth'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'the 15th', 'end of month', 'next week'];
/** What people add around the point: context, urgency, history. Mixed in so no two messages read alike. */
const CLAUSES = [
  'This started after the weekend', 'It happens on every second try', 'Our admin already cleared the cache', 'We saw it first in the EU tenant',
  'The same thing happened in March', 'Support ticket {ticket} has the details', 'Screenshots are in the shared drive', 'It blocks the finance team',
  'Only users on Safari are affected', 'Chrome works fine for now', 'The workaround from last time no longer helps', 'Their CTO escalated it twice',
  'We promised an update by tomorrow', 'Logs show error {code} around that time', 'Nobody changed the configuration', 'It worked in the staging environment',
  'The customer is on a trial until the end of the month', 'They have {n} users in that region', 'Legal wants this in writing', 'Budget is approved for next quarter',
  'Marketing asked about it as well', 'It is the third complaint this week', 'The account manager is on vacation', 'Sales promised this on the demo call',
  'The integration partner confirmed it', 'We could not reproduce it locally', 'It only happens with large files', 'Mobile and desktop behave differently',
  'The issue is intermittent', 'Their IT department whitelisted our domains', 'A hotfix might be enough', 'The release notes did not mention it',
  'They compared us with a competitor', 'The board meets on {day}', 'Their security team reviews every vendor', 'They would pay extra for priority support',
  'Engineering estimates two sprints', 'Product says it is on the roadmap', 'Documentation is outdated here', 'The onboarding video skips this step',
];
const SWAPS: Record<string, string[]> = {
  fails: ['breaks', 'errors out', 'does not work'], wants: ['would like', 'asked for', 'needs'], asked: ['wanted to know', 'inquired'],
  crashes: ['closes unexpectedly', 'dies', 'quits'], slow: ['sluggish', 'laggy'], wrong: ['incorrect', 'off'], needs: ['requires', 'wants'],
  Please: ['Could you please', 'Kindly'], customer: ['client', 'account'], broken: ['not working', 'failing'], report: ['report', 'summary'],
};

const OPENERS = ['', '', 'Hi team,', 'Quick update:', 'FYI', 'Hey,', 'From the call:', 'Customer says:'];
const CLOSERS = ['', '', '', 'Thanks!', 'Can someone look into it?', 'Any ideas?', 'Please advise.', 'Keeping you posted.'];

/** A small, fast deterministic PRNG (mulberry32) so message i is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

function fill(template: string, r: () => number): string {
  const swapped = template.replace(/(?<!\{)\b(fails|wants|asked|crashes|slow|wrong|needs|Please|customer|broken)\b/g, (w) => (r() < 0.5 ? pick(r, SWAPS[w]) : w));
  return swapped
    .replace(/\{ticket\}/g, () => `#${10_000 + Math.floor(r() * 90_000)}`)
    .replace(/\{code\}/g, () => `E${1000 + Math.floor(r() * 9000)}`)
    .replace(/\{customer\}/g, () => pick(r, CUSTOMERS))
    .replace(/\{person\}/g, () => pick(r, PEOPLE))
    .replace(/\{n\}/g, () => String(2 + Math.floor(r() * 498)))
    .replace(/\{version\}/g, () => `${1 + Math.floor(r() * 5)}.${Math.floor(r() * 20)}`)
    .replace(/\{plan\}/g, () => pick(r, PLANS))
    .replace(/\{day\}/g, () => pick(r, DAYS));
}

export interface CorpusMessage {
  index: number;
  area: string;
  content: string;
  channel: string;
  author: string;
  sentAt: string;
}

export const AREA_COUNT = AREAS.length;

/** Message i: an area (skewed, as real traffic is), 1-3 of its sentences, sometimes an opener and a closer. */
export function corpusMessage(i: number): CorpusMessage {
  const r = rng(i * 2654435761);
  // Skewed area popularity: a few areas carry most of the traffic.
  const areaIdx = Math.min(AREAS.length - 1, Math.floor(AREAS.length * r() ** 1.6));
  const area = AREAS[areaIdx];
  const n = 1 + Math.floor(r() * 3);
  const parts: string[] = [];
  const opener = pick(r, OPENERS);
  if (opener) parts.push(opener);
  for (let k = 0; k < n; k++) {
    parts.push(fill(pick(r, area.sentences), r));
    if (r() < 0.6) parts.push(`${fill(pick(r, CLAUSES), r)}.`);
  }
  const closer = pick(r, CLOSERS);
  if (closer) parts.push(closer);
  return {
    index: i,
    area: area.name,
    content: parts.join(' '),
    channel: `${area.name.split('-')[0]}-${Math.floor(r() * 4)}`,
    author: `${pick(r, PEOPLE)} ${String.fromCharCode(65 + Math.floor(r() * 26))}.`,
    sentAt: new Date(Date.UTC(2026, 0, 1) + i * 30_000).toISOString(),
  };
}

/** Search queries as people type them: short keyword queries and natural-language questions. */
export function corpusQuery(i: number): string {
  const r = rng(0x9e3779b9 ^ (i * 7919));
  const area = AREAS[Math.floor(r() * AREAS.length)];
  const sentence = fill(pick(r, area.sentences), r).replace(/[.?!]$/, '');
  const words = sentence.split(/\s+/).filter((w) => w.length > 3);
  if (r() < 0.5) {
    // A keyword query: 2-4 of the sentence's longer words.
    const k = 2 + Math.floor(r() * 3);
    const out: string[] = [];
    for (let j = 0; j < k && words.length; j++) out.push(words.splice(Math.floor(r() * words.length), 1)[0]);
    return out.join(' ').replace(/[,;:]/g, '');
  }
  return sentence;
}
