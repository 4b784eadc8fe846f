import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { DataSubjects } from '@libs/event-store/data-subjects';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

/*
 * The labelled set: messages of a fictional B2B SaaS ("Relay", a support inbox with analytics)
 * from three sources (support inbox, sales call transcripts, team Slack), and queries with the
 * messages someone asking would want to find. Some queries are exact identifiers or names with a
 * few words (full-text's strength); others are questions in the asker's own words, with word forms
 * and words the messages do not use (semantic's strength, and where full-text's AND finds nothing).
 */
interface LabelledMessage {
  id: string;
  source: 'support' | 'calls' | 'slack';
  text: string;
  title?: string;
  channel?: string;
  author: string;
  at: string;
}

interface LabelledQuery {
  q: string;
  /** What the query is like: an exact identifier or name with a few words, or a question in the asker's own words. */
  kind: 'exact' | 'paraphrase';
  relevant: string[];
}

const day = (d: number, h = 10) => new Date(Date.UTC(2026, 2, 1 + d, h, 0, 0)).toISOString();

const CORPUS: LabelledMessage[] = [
  // Support inbox: exports
  { id: 'exp-1', source: 'support', author: 'Lena Fischer', at: day(1), text: "Hi, since Monday our finance team can't get the quarterly revenue numbers out. Exporting the 90 day revenue report to CSV runs for about a minute and then stops with error code E-4012 in a red banner. Smaller ranges like 30 days still work, and the PDF export of the same report is fine. We tried Chrome and Firefox, cleared caches and used two different admin accounts. Our board meeting is on Thursday, so this is getting urgent. Could you check what E-4012 means and whether there is a workaround, for example splitting the export or running it overnight?" },
  { id: 'exp-2', source: 'support', author: 'Omar Haddad', at: day(2), text: 'The CSV export drops the currency column since version 4.2. Finance needs it back.' },
  { id: 'exp-3', source: 'support', author: 'Aiko Tanaka', at: day(2, 14), text: 'When I export the dashboard to PDF the charts come out blank.' },
  { id: 'exp-4', source: 'support', author: 'Grace Okafor', at: day(3), text: 'Large exports over 200k rows never finish; the download spinner keeps going forever.' },
  { id: 'exp-5', source: 'support', author: 'Tobias Berg', at: day(3, 15), text: 'Export error again today: the report export says something went wrong and nothing downloads.' },
  { id: 'exp-6', source: 'support', author: 'Sofia Rossi', at: day(4), text: 'Can we schedule a weekly CSV export of all conversations to our S3 bucket?' },
  { id: 'exp-7', source: 'support', author: 'Jonas Weber', at: day(4, 16), text: 'The exported CSV file opens with broken umlauts in Excel.' },
  { id: 'exp-8', source: 'support', author: 'Chen Wei', at: day(5), text: 'Exports time out for the whole team since this morning, the report just fails.' },
  { id: 'exp-9', source: 'support', author: 'Amara Diallo', at: day(5, 11), text: 'Is there an API endpoint to export tickets instead of the CSV button?' },
  { id: 'exp-10', source: 'support', author: 'Mateo Garcia', at: day(6), text: 'Report export to Excel fails for reports with more than ten custom fields.' },
  // Support inbox: billing
  { id: 'bil-1', source: 'support', author: 'Klaus Meyer', title: 'Wrong VAT number on our invoice', at: day(1, 9), text: "Hello billing team, we received the March invoice yesterday and our accounts payable department flagged it. Invoice INV-20931 lists the VAT number of our old Austrian subsidiary instead of the German entity, Meyer Logistik GmbH, DE 284 771 903. Our auditors will not accept it like this. Could you please reissue it with the correct company name and VAT ID, and also confirm that the next invoices will use the German entity by default? We would like to pay before the end of the month to keep our early payment terms. Thanks, Klaus" },
  { id: 'bil-2', source: 'support', author: 'Klaus Meyer', title: 'Re: Wrong VAT number on our invoice', at: day(6, 9), text: "Thanks for the quick reply last week. I checked the reissued document today and unfortunately it still shows our old street address in Vienna in the header, although the VAT number is now correct. Our accounts payable team can only book it once the address matches the registration. Could you correct INV-20931 one more time? If it is easier, send it as a credit note and a new invoice, that works for us as well." },
  { id: 'bil-3', source: 'support', author: 'Priti Shah', at: day(2, 9), text: 'We were charged twice this month; please refund the duplicate payment.' },
  { id: 'bil-4', source: 'support', author: 'Hannah Cole', at: day(3, 9), text: 'Can we pay by bank transfer instead of credit card for the annual plan?' },
  { id: 'bil-5', source: 'support', author: 'Marco Bianchi', at: day(4, 9), text: 'The billing page does not let me download past invoices as PDF.' },
  { id: 'bil-6', source: 'support', author: 'Ines Moreau', at: day(5, 9), text: 'Proration after the seat upgrade looks wrong on the last invoice.' },
  { id: 'bil-7', source: 'support', author: 'Dev Patel', at: day(6, 12), text: 'Our card was declined but the subscription still shows active. Will we be charged again?' },
  { id: 'bil-8', source: 'support', author: 'Lucy Grant', at: day(7, 9), text: 'Please add our purchase order number to all future invoices.' },
  { id: 'bil-9', source: 'support', author: 'Noah Kim', at: day(7, 13), text: 'Our invoice shows 45 seats but we only have 38 active users.' },
  // Support inbox: mobile
  { id: 'mob-1', source: 'support', author: 'Rachel Green', at: day(1, 13), text: 'The iOS app crashes every time I try to upload a photo from the camera roll.' },
  { id: 'mob-2', source: 'support', author: 'Ben Carter', at: day(2, 13), text: 'Android app freezes when opening a conversation with many attachments.' },
  { id: 'mob-3', source: 'support', author: 'Yuki Sato', at: day(3, 13), text: 'The mobile app logs me out every time the phone goes to sleep.' },
  { id: 'mob-4', source: 'support', author: 'Carlos Ruiz', at: day(4, 13), text: 'Push notifications stopped arriving on Android 14 devices.' },
  { id: 'mob-5', source: 'support', author: 'Eva Novak', at: day(5, 13), text: 'Uploading images larger than 10 MB crashes the Android app.' },
  { id: 'mob-6', source: 'support', author: 'Sam Lee', at: day(6, 13), text: 'The app is very slow to start on older iPhones.' },
  { id: 'mob-7', source: 'support', author: 'Mia Wong', at: day(7, 14), text: 'In dark mode the mobile app makes the attachment icons invisible.' },
  // Support inbox: SSO
  { id: 'sso-1', source: 'support', author: 'Peter Novak', title: 'Urgent: nobody can log in', at: day(2, 8), text: "Good morning, after our IT team rotated the Okta signing certificate last night, none of our 120 agents can log in. The browser comes back from Okta to your sign-in page with the message SAML_RESPONSE_INVALID and nothing else. We uploaded the new certificate in the security settings as described in your help center, and the metadata URL has not changed. Our support queue is piling up because agents cannot reach the inbox. Please call me as soon as possible, this is a production outage for us." },
  { id: 'sso-2', source: 'support', author: 'Laura Becker', at: day(3, 8), text: 'Azure AD single sign-on breaks when the user has no email claim.' },
  { id: 'sso-3', source: 'support', author: 'Felix Braun', at: day(4, 8), text: 'Can we enforce SSO for all members and disable password login?' },
  { id: 'sso-4', source: 'support', author: 'Nina Petrova', at: day(5, 8), text: 'SCIM provisioning from Okta creates duplicate users.' },
  { id: 'sso-5', source: 'support', author: 'Oscar Lind', at: day(6, 8), text: 'After enforcing SSO, API tokens of deprovisioned users still work.' },
  { id: 'sso-6', source: 'support', author: 'Julia Horvat', at: day(7, 8), text: 'The login page loops back to the sign-in screen after the Okta redirect.' },
  { id: 'sso-7', source: 'support', author: 'Tom Fischer', at: day(8, 8), text: 'Our Okta login stopped working this morning for every agent.' },
  // Support inbox: integrations
  { id: 'int-1', source: 'support', author: 'Ava Thompson', at: day(1, 15), text: 'The Salesforce sync skips contacts created by the API user.' },
  { id: 'int-2', source: 'support', author: 'Liam Walsh', at: day(2, 15), text: 'Salesforce integration throws INVALID_FIELD on the custom industry field.' },
  { id: 'int-3', source: 'support', author: 'Zoe Martin', at: day(3, 16), text: 'The Slack app does not import private channels.' },
  { id: 'int-4', source: 'support', author: 'Max Keller', at: day(4, 15), text: 'Threads from Slack arrive without their replies.' },
  { id: 'int-5', source: 'support', author: 'Ella Davis', at: day(5, 15), text: 'HubSpot deals are not linked to the right companies after the sync.' },
  { id: 'int-6', source: 'support', author: 'Leo Schmidt', at: day(6, 15), text: 'Webhook deliveries fail with TLS handshake errors since Tuesday.' },
  // Support inbox: everything else
  { id: 'rep-1', source: 'support', author: 'Isabel Cruz', at: day(1, 11), text: 'Scheduled reports arrive empty since the last release.' },
  { id: 'rep-2', source: 'support', author: 'Ahmed Saleh', at: day(2, 11), text: 'We need a report of first response time per agent.' },
  { id: 'rep-3', source: 'support', author: 'Clara Jensen', at: day(3, 11), text: 'The SLA report counts weekends although business hours are set.' },
  { id: 'rep-4', source: 'support', author: 'Victor Hugo', at: day(4, 11), text: 'Can we export the weekly report to Google Sheets automatically?' },
  { id: 'rep-5', source: 'support', author: 'Elena Popescu', at: day(5, 10), text: "Reporting numbers on the dashboard don't match the CSV export totals." },
  { id: 'dash-1', source: 'support', author: 'Paul Martin', at: day(1, 16), text: 'The analytics dashboard takes 20 seconds to load.' },
  { id: 'dash-2', source: 'support', author: 'Sara Lind', at: day(2, 16), text: 'Charts on the dashboard show UTC instead of our timezone.' },
  { id: 'dash-3', source: 'support', author: 'Ravi Kumar', at: day(3, 17), text: 'Can dashboards be shared with read-only guests?' },
  { id: 'not-1', source: 'support', author: 'Anna Berg', at: day(4, 17), text: 'Email notifications arrive 30 minutes late.' },
  { id: 'not-2', source: 'support', author: 'Jack Wilson', at: day(5, 17), text: 'Daily digest emails go to spam.' },
  { id: 'perf-1', source: 'support', author: 'Lina Haddad', at: day(6, 17), text: 'Search is slow: queries take 8 seconds.' },
  { id: 'perf-2', source: 'support', author: 'George Hall', at: day(7, 17), text: 'The inbox becomes sluggish with more than 10k open conversations.' },
  { id: 'perm-1', source: 'support', author: 'Maya Cohen', at: day(1, 17), text: 'Viewers can still edit tags, which we did not expect.' },
  { id: 'perm-2', source: 'support', author: 'Ethan Brooks', at: day(2, 17), text: 'We need a custom role that can export but not delete data.' },
  { id: 'gdpr-1', source: 'support', author: 'Sophie Laurent', at: day(3, 18), text: 'How do you handle GDPR deletion requests?' },
  { id: 'gdpr-2', source: 'support', author: 'Henrik Olsen', at: day(4, 18), text: 'We need a data processing agreement signed before the 30th.' },
  { id: 'onb-1', source: 'support', author: 'Olivia Reed', at: day(5, 18), text: 'New admins cannot find where to invite their team.' },
  { id: 'imp-1', source: 'support', author: 'Daniel Park', at: day(6, 18), text: 'Importing 50k tickets from Zendesk stopped halfway.' },
  { id: 'imp-2', source: 'support', author: 'Chloe Martin', at: day(7, 18), text: 'Re-running the import created duplicate contacts.' },
  { id: 'bot-1', source: 'support', author: 'Lucas Silva', at: day(8, 9), text: 'The chatbot answers in English although the visitor writes Spanish.' },
  { id: 'sec-1', source: 'support', author: 'Emma Stone', at: day(8, 10), text: 'Two-factor codes are rejected after the phone changed time zone.' },
  { id: 'sec-2', source: 'support', author: 'William Ford', at: day(8, 11), text: 'Please share your SOC 2 report under NDA.' },
  // Sales calls (transcripts with the call title)
  { id: 'call-1', source: 'calls', author: 'Priya Raman', title: 'Globex renewal call', at: day(2, 12), text: "Priya Raman opened by saying Globex is happy overall and intends to stay. Their contract ends in May. For the next term she wants the Salesforce sync and Okta single sign-on included in the Growth plan instead of paying for the Enterprise add-ons, and she asked for a 15 percent discount if they sign for two years. Procurement needs a written quote by Friday. She also mentioned that two of their team leads still export conversations by hand every week, which they hope the scheduled exports will replace. Next step: send the quote and a draft order form." },
  { id: 'call-2', source: 'calls', author: 'Bill Lumbergh', title: 'Initech discovery call', at: day(3, 12), text: "Bill Lumbergh walked us through their support team: 40 agents in two shifts, email and chat, about 3,000 conversations a week. Their pain points are slow search across old tickets, no way to see trends across channels, and a weekly report the team lead builds by hand in spreadsheets every Monday. They use Zendesk today and their renewal there is in August. Budget is approved for this fiscal year. They asked about a pilot for one team and about importing two years of history." },
  { id: 'call-3', source: 'calls', author: 'Gavin Belson', title: 'Hooli pricing follow-up', at: day(4, 12), text: "Gavin's team compared our per-seat price with usage-based pricing from a competitor. They have many seasonal agents in December and find paying for idle seats the whole year too expensive. We discussed flexible seats that can be added for a month at a time. They want a proposal with volume pricing before the end of the quarter and a reference customer in retail." },
  { id: 'call-4', source: 'calls', author: 'Alice Wong', title: 'Umbrella onboarding kickoff', at: day(5, 12), text: 'Onboarding plan agreed with Umbrella: import their Zendesk history first, then set up Okta SSO, then train 25 agents next Tuesday. Alice owns the rollout on their side and wants a weekly check-in until go-live.' },
  { id: 'call-5', source: 'calls', author: 'Priya Raman', title: 'Globex quarterly business review', at: day(7, 12), text: "Quarterly business review with Globex. Usage grew 30 percent since January and first response times dropped by a third. Priya Raman wants an executive dashboard for her VP of customer experience. Open issues they raised: the Android app crashed twice during a customer visit when an agent uploaded pictures, and the weekly CSV export is missing the currency column. Action items: share the dashboard roadmap and escalate the mobile crash to engineering." },
  { id: 'call-6', source: 'calls', author: 'Art Vandelay', title: 'Vandelay account check-in', at: day(6, 12), text: 'Art Vandelay says adoption is low: only 12 of their 80 seats logged in last month. They are evaluating another vendor because the reporting they need is missing. We offered a training session and a review of their report requirements.' },
  { id: 'call-7', source: 'calls', author: 'Pepper Potts', title: 'Stark Industries demo', at: day(8, 12), text: 'Pepper asked whether the chatbot can answer in Spanish and hand over to a human agent after two failed answers. She also wants the bot to book demo meetings into their sales calendars.' },
  { id: 'call-8', source: 'calls', author: 'Michael Scott', title: 'Dunder Mifflin renewal', at: day(9, 12), text: 'Michael confirmed the renewal for another year at the same seat count. No discount requested. He asked for an invoice in the name of their new parent company and for the renewal paperwork by the end of the month.' },
  // Team Slack
  { id: 'slk-1', source: 'slack', author: 'Mateo Garcia', channel: 'sales', at: day(9, 9), text: 'Priya Raman from Globex just emailed: legal approved the renewal terms, signature next week 🎉' },
  { id: 'slk-2', source: 'slack', author: 'Chen Wei', channel: 'eng', at: day(9, 10), text: 'Deployed 4.3.1 with the fix for the missing currency column in CSV exports.' },
  { id: 'slk-3', source: 'slack', author: 'Aiko Tanaka', channel: 'eng', at: day(9, 11), text: 'Who is on call this weekend? The export workers are paging again.' },
  { id: 'slk-4', source: 'slack', author: 'Grace Okafor', channel: 'support-escalations', at: day(2, 10), text: 'Escalating: a customer cannot log in since their Okta cert rotation, every agent sees SAML_RESPONSE_INVALID. Production outage on their side.' },
  { id: 'slk-5', source: 'slack', author: 'Sofia Rossi', channel: 'random', at: day(9, 12), text: 'Lunch order closes at noon, Mateo is collecting.' },
  { id: 'slk-6', source: 'slack', author: 'Jonas Weber', channel: 'eng', at: day(9, 13), text: "Postmortem for Tuesday's outage is due Friday: the database failover took 14 minutes." },
  { id: 'slk-7', source: 'slack', author: 'Omar Haddad', channel: 'support-escalations', at: day(3, 10), text: 'Refund approved for the double charge, finance will process it today.' },
  { id: 'slk-8', source: 'slack', author: 'Chen Wei', channel: 'eng', at: day(8, 14), text: 'The Android upload crash is a memory issue when resizing big images; the fix goes into 4.3.2.' },
  { id: 'slk-9', source: 'slack', author: 'Mateo Garcia', channel: 'sales', at: day(5, 14), text: 'Hooli wants a quote with volume pricing before the end of the quarter.' },
  { id: 'slk-10', source: 'slack', author: 'Sofia Rossi', channel: 'random', at: day(9, 14), text: 'Standup moved to 10:30 tomorrow.' },
  { id: 'slk-11', source: 'slack', author: 'Tobias Berg', channel: 'eng', at: day(10, 9), text: 'Root cause of E-4012: the export job hits the 60 second query timeout on ranges over 60 days. Raising it and moving big exports to the background queue.' },
  { id: 'slk-12', source: 'slack', author: 'Grace Okafor', channel: 'support-escalations', at: day(10, 10), text: 'Finance asks again about INV-20931, the customer is waiting on a corrected address. Can billing take it today?' },
  { id: 'slk-13', source: 'slack', author: 'Amara Diallo', channel: 'sales', at: day(10, 11), text: 'Vandelay might churn, their seats are mostly unused. Setting up a training.' },
  { id: 'slk-14', source: 'slack', author: 'Chen Wei', channel: 'eng', at: day(10, 12), text: 'Okta metadata cache was stale after the cert rotation; clearing it fixes the SSO login errors.' },
  // More of the same inbox: invoices, error codes, tickets by number.
  { id: 'bil-10', source: 'support', author: 'Karin Vogel', at: day(8, 9), text: 'INV-20977 was paid by bank transfer on the 3rd but still shows as open.' },
  { id: 'bil-11', source: 'support', author: 'Nora Blake', at: day(8, 10), text: 'Please send a copy of INV-19840, our finance team lost the PDF.' },
  { id: 'bil-12', source: 'support', author: 'Adam Frost', at: day(8, 11), text: 'INV-20412 charges us for 50 seats, we downgraded to 40 in February.' },
  { id: 'bil-13', source: 'support', author: 'Petra Kovac', at: day(8, 13), text: 'Could you split INV-21003 into two invoices, one per cost center?' },
  { id: 'bil-14', source: 'support', author: 'Luis Ortega', at: day(8, 15), text: 'Is INV-20988 the final invoice of our old contract?' },
  { id: 'bil-15', source: 'support', author: 'Greta Lund', at: day(9, 8), text: 'We disputed INV-20654 with our bank by mistake, please ignore the chargeback.' },
  { id: 'bil-16', source: 'support', author: 'Ivan Petrov', at: day(9, 9), text: 'The invoice for April was sent to a former employee; please update the billing contact.' },
  { id: 'bil-17', source: 'support', author: 'Julie Dupont', at: day(9, 10), text: 'Does the invoice include the reverse charge note required for EU customers?' },
  { id: 'exp-11', source: 'support', author: 'Kofi Mensah', at: day(8, 16), text: 'Getting error E-4013 when exporting contacts with custom fields.' },
  { id: 'exp-12', source: 'support', author: 'Ruth Adler', at: day(9, 11), text: 'E-5001 appears when the export finishes but the file never arrives by email.' },
  { id: 'exp-13', source: 'support', author: 'Hugo Lambert', at: day(9, 13), text: 'The export of call transcripts fails with E-4102 for calls longer than two hours.' },
  { id: 'exp-14', source: 'support', author: 'Aisha Bello', at: day(9, 15), text: 'Export to JSON works, export to CSV shows error E-4210.' },
  { id: 'exp-15', source: 'support', author: 'Viktor Stan', at: day(10, 8), text: 'Our nightly export job failed with E-4400 three nights in a row.' },
  { id: 'sso-8', source: 'support', author: 'Mira Patel', at: day(9, 16), text: 'The SAML assertion is rejected because the clock of our IdP is two minutes off.' },
  { id: 'sso-9', source: 'support', author: 'Owen Price', at: day(10, 13), text: 'OneLogin SSO works for admins but agents get an invalid response error.' },
  { id: 'sso-10', source: 'support', author: 'Selma Aydin', at: day(10, 14), text: 'We rotated our Azure AD certificate and login keeps failing with an invalid signature.' },
  { id: 'mob-8', source: 'support', author: 'Tara Quinn', at: day(10, 15), text: 'Photos taken in the iOS app are rotated sideways after upload.' },
  { id: 'mob-9', source: 'support', author: 'Erik Holm', at: day(10, 16), text: 'The Android app drains the battery in the background.' },
  { id: 'mob-10', source: 'support', author: 'Lily Evans', at: day(10, 17), text: 'Can agents use the mobile app offline on flights?' },
  { id: 'misc-1', source: 'support', author: 'Dora Kim', at: day(11, 8), text: 'Please reopen ticket #48213, the customer replied after it was closed.' },
  { id: 'misc-2', source: 'support', author: 'Frank Moss', at: day(11, 9), text: 'Ticket #48201 was assigned to an agent who left the company.' },
  { id: 'misc-3', source: 'support', author: 'Gina Ricci', at: day(11, 10), text: 'Merge tickets #48177 and #48178, same customer and same issue.' },
  { id: 'misc-4', source: 'support', author: 'Hector Ruiz', at: day(11, 11), text: 'Our agents want keyboard shortcuts for switching conversations.' },
  { id: 'misc-5', source: 'support', author: 'Ida Berg', at: day(11, 12), text: 'Can we set different business hours per team?' },
  { id: 'misc-6', source: 'support', author: 'Jon Snow', at: day(11, 13), text: 'Canned responses lose their formatting when inserted.' },
  { id: 'misc-7', source: 'support', author: 'Kate Bell', at: day(11, 14), text: 'Customers receive the satisfaction survey twice.' },
  { id: 'misc-8', source: 'support', author: 'Liam Shaw', at: day(11, 15), text: 'We need to route VIP customers to a dedicated queue.' },
  { id: 'misc-9', source: 'support', author: 'Marta Nowak', at: day(11, 16), text: 'The translation of the chat widget into Polish is incomplete.' },
  { id: 'misc-10', source: 'support', author: 'Nils Dahl', at: day(11, 17), text: 'Auto-assignment gives all new tickets to the same agent.' },
  { id: 'call-9', source: 'calls', author: 'Wile Coyote', title: 'Acme expansion call', at: day(10, 12), text: 'Acme wants to roll the inbox out to their EMEA team and add 60 seats. They need data residency in the EU, single sign-on with Azure AD and one invoice per region. They asked whether the analytics dashboard can break down response times by language. Their legal team reviews our data processing agreement next week.' },
  { id: 'call-10', source: 'calls', author: 'Priya Raman', title: 'Globex technical deep dive', at: day(11, 12), text: 'Globex engineers asked about our API rate limits, webhook retries and whether exports can be triggered through the API. They plan to load conversation data into their data warehouse every night and want the schema documented.' },
  { id: 'slk-15', source: 'slack', author: 'Jonas Weber', channel: 'eng', at: day(11, 9), text: 'Release 4.3.2 is going out Thursday after the QA sign-off.' },
  { id: 'slk-16', source: 'slack', author: 'Grace Okafor', channel: 'support-escalations', at: day(11, 10), text: 'Ticket #48213 needs a manager, the customer threatens to cancel.' },
  { id: 'slk-17', source: 'slack', author: 'Mateo Garcia', channel: 'sales', at: day(11, 11), text: 'Pipeline review moved to Wednesday.' },
  { id: 'slk-18', source: 'slack', author: 'Chen Wei', channel: 'eng', at: day(11, 13), text: 'Reminder: code freeze for 4.4 starts Monday.' },
  { id: 'slk-19', source: 'slack', author: 'Omar Haddad', channel: 'support-escalations', at: day(11, 14), text: "Another E-5001 report today, that's four this week." },
  { id: 'slk-20', source: 'slack', author: 'Amara Diallo', channel: 'sales', at: day(11, 15), text: 'Initech pilot approved for one team starting next month.' },
];

const QUERIES: LabelledQuery[] = [
  // Exact identifiers and names, with a few words around them.
  { q: 'E-4012 export', kind: 'exact', relevant: ['exp-1', 'slk-11'] },
  { q: 'INV-20931 invoice', kind: 'exact', relevant: ['bil-1', 'bil-2', 'slk-12'] },
  { q: 'Priya Raman renewal', kind: 'exact', relevant: ['call-1', 'slk-1'] },
  { q: 'SAML_RESPONSE_INVALID after certificate rotation', kind: 'exact', relevant: ['sso-1', 'slk-4'] },
  { q: 'Globex quote discount', kind: 'exact', relevant: ['call-1'] },
  { q: 'Initech Zendesk pilot', kind: 'exact', relevant: ['call-2'] },
  { q: 'E-4012', kind: 'exact', relevant: ['exp-1', 'slk-11'] },
  { q: 'INV-20931', kind: 'exact', relevant: ['bil-1', 'bil-2', 'slk-12'] },
  { q: 'ticket #48213', kind: 'exact', relevant: ['misc-1', 'slk-16'] },
  { q: 'release 4.3.2', kind: 'exact', relevant: ['slk-8', 'slk-15'] },
  { q: 'Initech pilot', kind: 'exact', relevant: ['call-2', 'slk-20'] },
  // In the asker's own words (other word forms, words the messages do not use).
  { q: 'why does the phone app crash when agents upload pictures', kind: 'paraphrase', relevant: ['mob-1', 'mob-5', 'slk-8', 'call-5'] },
  { q: 'customers who were billed twice and want their money back', kind: 'paraphrase', relevant: ['bil-3', 'slk-7'] },
  { q: 'agents cannot sign in with Okta', kind: 'paraphrase', relevant: ['sso-1', 'sso-6', 'sso-7', 'slk-4', 'slk-14'] },
  { q: 'exporting reports keeps failing or timing out', kind: 'paraphrase', relevant: ['exp-1', 'exp-5', 'exp-8', 'exp-10', 'slk-11'] },
  { q: 'the exported spreadsheet is missing the currency', kind: 'paraphrase', relevant: ['exp-2', 'slk-2', 'call-5'] },
  { q: 'accounts at risk of churning because nobody uses the seats', kind: 'paraphrase', relevant: ['call-6', 'slk-13'] },
  { q: 'seasonal staff make per seat pricing too expensive', kind: 'paraphrase', relevant: ['call-3', 'slk-9'] },
  { q: 'invoice lists the wrong company address or VAT', kind: 'paraphrase', relevant: ['bil-1', 'bil-2'] },
];

interface Hit {
  messageId: string;
  chunkId: string;
  chunkIndex: number;
  text: string;
  snippet: string;
  score: number;
  ranks: { fulltext: number | null; semantic: number | null };
  similarity: number | null;
  message: {
    id: string;
    externalId: string;
    sourceId: string;
    sourceKind: string;
    channelId: string | null;
    channelName: string | null;
    conversationId: string | null;
    author: { name: string | null; subjectId: string | null };
    sentAt: string;
    link: { api: string; external: string | null };
  };
}

const SOURCE_KIND = { support: 'api', calls: 'gong', slack: 'slack' } as const;
const permalinkOf = (id: string) => `https://relay.slack.com/archives/C042/p${id.replace(/\D/g, '')}0001`;

describe('knowledge: search and evidence over chunked, embedded messages (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let owner: SignedUp;
  let ws: string;
  let pool: Pool;
  const sources: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const search = (query: Record<string, unknown>, workspace = ws, who: SignedUp = owner) => http().get(`/api/v1/workspaces/${workspace}/search`).query(query).set(who.auth);
  const hitsOf = async (query: Record<string, unknown>, workspace = ws, who: SignedUp = owner): Promise<Hit[]> => (await search(query, workspace, who).expect(200)).body.items;
  const externalIds = (hits: Hit[]) => [...new Set(hits.map((h) => h.message.externalId))];

  const importInto = async (workspace: string, who: SignedUp, source: { kind: string; name: string }, messages: unknown[]) => {
    const res = await http().post(`/api/v1/workspaces/${workspace}/messages/import`).set(who.auth).send({ source, messages }).expect(202);
    expect(res.body.accepted).toBe(messages.length);
  };
  /** Every chunk of the workspace embedded, and as many messages chunked as expected. */
  const settled = (workspace: string, messages: number) =>
    eventually(
      async () => {
        const r = await pool.query(
          `SELECT count(DISTINCT message_id)::int AS messages, count(*) FILTER (WHERE embedding_status <> 'ready')::int AS waiting FROM knowledge_rag_chunks WHERE workspace_id = $1`,
          [workspace],
        );
        expect(r.rows[0]).toEqual({ messages, waiting: 0 });
      },
      30_000,
      100,
    );

  beforeAll(async () => {
    testApp = await createTestApp();
    ({ app, pool } = testApp);
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
    for (const name of ['support', 'calls', 'slack'] as const) {
      const messages = CORPUS.filter((m) => m.source === name).map((m) => ({
        externalId: m.id,
        content: m.text,
        sentAt: m.at,
        author: { name: m.author, externalId: `ext-${m.author.toLowerCase().replace(/\W+/g, '-')}` },
        ...(m.channel ? { channel: { id: `C-${m.channel}`, name: m.channel } } : {}),
        ...(m.title ? { title: m.title } : {}),
        ...(name === 'slack' ? { metadata: { permalink: permalinkOf(m.id) } } : {}),
      }));
      await importInto(ws, owner, { kind: SOURCE_KIND[name], name }, messages);
    }
    for (const s of (await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200)).body.items) sources[s.name] = s.id;
    await settled(ws, CORPUS.length);
  });
  afterAll(() => testApp?.close());

  it('finds more of what is relevant with hybrid search than with full-text or semantic alone (recall@10 on the labelled set)', async () => {
    const modes = ['fulltext', 'semantic', 'hybrid'] as const;
    const recall: Record<(typeof modes)[number], number[]> = { fulltext: [], semantic: [], hybrid: [] };
    for (const query of QUERIES) {
      for (const mode of modes) {
        const found = externalIds(await hitsOf({ q: query.q, mode, limit: 10 }));
        recall[mode].push(query.relevant.filter((id) => found.includes(id)).length / query.relevant.length);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const byKind = (mode: (typeof modes)[number], kind: LabelledQuery['kind']) => mean(recall[mode].filter((_, i) => QUERIES[i].kind === kind));
    const numbers = Object.fromEntries(modes.map((m) => [m, { all: +mean(recall[m]).toFixed(3), exact: +byKind(m, 'exact').toFixed(3), paraphrase: +byKind(m, 'paraphrase').toFixed(3) }]));
    console.log(`recall@10 over ${QUERIES.length} labelled queries, ${CORPUS.length} messages: ${JSON.stringify(numbers)}`);

    expect(mean(recall.hybrid)).toBeGreaterThan(mean(recall.fulltext));
    expect(mean(recall.hybrid)).toBeGreaterThan(mean(recall.semantic));
    // Each retriever has its own strength: full-text on identifiers, semantic on the asker's own words.
    expect(byKind('fulltext', 'exact')).toBeGreaterThan(byKind('fulltext', 'paraphrase'));
    expect(byKind('semantic', 'paraphrase')).toBeGreaterThan(byKind('fulltext', 'paraphrase'));
    expect(byKind('hybrid', 'exact')).toBeGreaterThanOrEqual(byKind('fulltext', 'exact'));
  });

  it('cites the message of every hit (ids, source, channel, author, time, links) and marks full-text matches in an escaped snippet', async () => {
    const [hit] = await hitsOf({ q: 'SAML_RESPONSE_INVALID', mode: 'fulltext' }).then((hits) => hits.filter((h) => h.message.externalId === 'slk-4'));
    const slk4 = CORPUS.find((m) => m.id === 'slk-4')!;
    expect(hit).toEqual({
      messageId: hit.message.id,
      chunkId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      chunkIndex: 0,
      text: slk4.text,
      snippet: expect.stringContaining('<mark>'),
      score: expect.any(Number),
      ranks: { fulltext: expect.any(Number), semantic: null },
      similarity: null,
      message: {
        id: hit.messageId,
        externalId: 'slk-4',
        sourceId: sources.slack,
        sourceKind: 'slack',
        channelId: 'C-support-escalations',
        channelName: 'support-escalations',
        conversationId: null,
        author: { name: 'Grace Okafor', subjectId: expect.stringMatching(/^author:/) },
        sentAt: slk4.at,
        link: { api: `/api/v1/workspaces/${ws}/messages/${hit.messageId}`, external: permalinkOf('slk-4') },
      },
    });
    expect(hit.snippet).toMatch(/<mark>saml<\/mark>/i);
    // The API link answers with that very message.
    const cited = await http().get(hit.message.link.api).set(owner.auth).expect(200);
    expect(cited.body).toEqual(expect.objectContaining({ id: hit.messageId, externalId: 'slk-4' }));

    // Semantic hits carry their similarity and the start of the chunk; hybrid says which retriever saw them.
    const [near] = await hitsOf({ q: 'phone app crashes uploading pictures', mode: 'semantic', limit: 1 });
    expect(near.similarity).toBeGreaterThan(0);
    expect(near.score).toBe(near.similarity);
    expect(near.ranks).toEqual({ fulltext: null, semantic: 1 });
    const fused = await hitsOf({ q: 'phone app crashes uploading pictures', mode: 'hybrid', limit: 5 });
    expect(fused[0].ranks.fulltext ?? fused[0].ranks.semantic).not.toBeNull();
    for (let i = 1; i < fused.length; i++) expect(fused[i].score).toBeLessThanOrEqual(fused[i - 1].score);

    // Markup in a message comes back escaped in the snippet, never live.
    const other = await createWorkspace(app, owner);
    await importInto(other, owner, { kind: 'api', name: 'html' }, [{ externalId: 'x', content: 'Widget shows <img src=x onerror=alert(1)> instead of the avatar', sentAt: '2026-03-01T10:00:00Z' }]);
    await settled(other, 1);
    const [escaped] = await hitsOf({ q: 'avatar widget', mode: 'fulltext' }, other);
    expect(escaped.snippet).toContain('&lt;img');
    expect(escaped.snippet).not.toContain('<img');
    expect(escaped.snippet).toMatch(/<mark>avatar<\/mark>/i);
  });

  it('filters by source, channel (id or name), author (subject id, external id or name, any case) and time range, in every mode', async () => {
    for (const mode of ['fulltext', 'semantic', 'hybrid']) {
      const slack = await hitsOf({ q: 'export', mode, source: sources.slack, limit: 100 });
      expect(slack.length).toBeGreaterThan(0);
      expect(new Set(slack.map((h) => h.message.sourceKind))).toEqual(new Set(['slack']));

      for (const channel of ['eng', '#ENG', 'C-eng']) {
        const eng = await hitsOf({ q: 'release', mode, channel, limit: 100 });
        expect(eng.length).toBeGreaterThan(0);
        expect(new Set(eng.map((h) => h.message.channelName))).toEqual(new Set(['eng']));
      }

      const chen = await hitsOf({ q: 'fix', mode, author: 'chen WEI', limit: 100 });
      expect(chen.length).toBeGreaterThan(0);
      expect(new Set(chen.map((h) => h.message.author.name))).toEqual(new Set(['Chen Wei']));
      const bySubject = await hitsOf({ q: 'fix', mode, author: chen[0].message.author.subjectId, limit: 100 });
      expect(externalIds(bySubject).sort()).toEqual(externalIds(chen).sort());
      expect(externalIds(await hitsOf({ q: 'fix', mode, author: 'ext-chen-wei', limit: 100 })).sort()).toEqual(externalIds(chen).sort());

      const window = await hitsOf({ q: 'invoice', mode, from: '2026-03-08T00:00:00Z', to: '2026-03-09T00:00:00Z', limit: 100 });
      expect(window.length).toBeGreaterThan(0);
      for (const h of window) expect(h.message.sentAt >= '2026-03-08T00:00:00' && h.message.sentAt < '2026-03-09T00:00:00').toBe(true);

      expect(await hitsOf({ q: 'export', mode, source: '01234567-89ab-7def-8123-456789abcdef' })).toEqual([]);
    }
  });

  it("never shows another workspace's messages, and answers 404 on another workspace's search", async () => {
    const stranger = await signUp(app);
    const theirs = await createWorkspace(app, stranger);
    await importInto(theirs, stranger, { kind: 'api', name: 'secret' }, [
      { externalId: 's1', content: 'Project Zanzibar: the E-4012 export fix ships to Globex on Friday with invoice INV-20931 credited.', sentAt: '2026-03-02T10:00:00Z' },
    ]);
    await settled(theirs, 1);
    const theirMessage = (await hitsOf({ q: 'Zanzibar', mode: 'fulltext' }, theirs, stranger))[0].messageId;
    for (const mode of ['fulltext', 'semantic', 'hybrid']) {
      for (const q of ['Zanzibar', 'E-4012 export fix Globex INV-20931']) {
        const hits = await hitsOf({ q, mode, limit: 100 });
        expect(hits.map((h) => h.messageId)).not.toContain(theirMessage);
      }
      const foreign = await search({ q: 'Zanzibar', mode }, theirs, owner).expect(404);
      expect(foreign.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(foreign.body.code).toBe('NOT_FOUND');
    }
    const evidence = await http().get(`/api/v1/workspaces/${ws}/evidence`).query({ q: 'Zanzibar' }).set(owner.auth).expect(200);
    expect(evidence.body.items).toEqual([]);
    await http().get(`/api/v1/workspaces/${theirs}/evidence`).set(owner.auth).expect(404);
  });

  it('refuses bad input with 400 problem+json, never a 500', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{}, 'q'],
      [{ q: '' }, 'q'],
      [{ q: '   ' }, 'q'],
      [{ q: 'x'.repeat(1001) }, 'q'],
      [{ q: 'export', mode: 'fuzzy' }, 'mode'],
      [{ q: 'export', limit: 0 }, 'limit'],
      [{ q: 'export', limit: 101 }, 'limit'],
      [{ q: 'export', limit: 'ten' }, 'limit'],
      [{ q: 'export', source: 'not-a-uuid' }, 'source'],
      [{ q: 'export', from: 'yesterday' }, 'from'],
      [{ q: 'export', to: '2026-02-30T00:00:00Z' }, 'to'],
      [{ q: 'export', author: 'x'.repeat(301) }, 'author'],
      [{ q: 'export', sort: 'date' }, 'sort'],
    ];
    for (const [query, field] of bad) {
      const res = await search(query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toEqual(expect.objectContaining({ status: 400, code: 'VALIDATION_FAILED' }));
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    // Query syntax is never an error: websearch reads anything, stop words alone find nothing.
    for (const q of ['"unclosed phrase', 'or or and -', '!!! ::: &|', 'the and of']) {
      for (const mode of ['fulltext', 'semantic', 'hybrid']) await search({ q, mode }).expect(200);
    }
    for (const query of [{ cursor: 'bogus!' }, { cursor: Buffer.from('["t","yesterday","x"]').toString('base64url') }, { kind: 'atom' }, { limit: 501 }, { from: 'soon' }]) {
      const res = await http().get(`/api/v1/workspaces/${ws}/evidence`).query(query).set(owner.auth);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('follows edits and deletions: changed chunks are re-embedded, unchanged ones keep their vector, deleted messages disappear', async () => {
    const scratch = await createWorkspace(app, owner);
    const paragraph = (topic: string) => Array.from({ length: 6 }, (_, i) => `${topic} sentence number ${i + 1} explains one more detail of the ${topic} plan for the quarter.`).join(' ');
    const long = [paragraph('onboarding'), paragraph('pricing'), paragraph('security')].join('\n\n');
    await importInto(scratch, owner, { kind: 'api', name: 'mutable' }, [
      { externalId: 'long', content: long, sentAt: '2026-03-03T10:00:00Z' },
      { externalId: 'short', content: 'The quarterly kickoff is in Lisbon this year.', sentAt: '2026-03-03T11:00:00Z' },
      { externalId: 'gone', content: 'Temporary note about the Marrakesh offsite.', sentAt: '2026-03-03T12:00:00Z' },
    ]);
    await settled(scratch, 3);
    const source = (await http().get(`/api/v1/workspaces/${scratch}/sources`).set(owner.auth).expect(200)).body.items[0];
    const ref = { id: source.id, kind: 'api' as const, workspaceId: scratch };
    const ctx = { importJobId: null, actorId: null, correlationId: null };
    const chunksOf = async (externalId: string) =>
      (
        await pool.query(
          `SELECT id, chunk_index, text_hash, embedding_status, last_embedded_at, content_tokens FROM knowledge_rag_chunks WHERE workspace_id = $1 AND external_id = $2 ORDER BY chunk_index`,
          [scratch, externalId],
        )
      ).rows;
    const before = await chunksOf('long');
    expect(before.length).toBeGreaterThanOrEqual(2);
    for (const c of before) expect(c.content_tokens).toBeLessThanOrEqual(200);

    // Edit the end of the long message and all of the short one.
    const writer = app.get(MessageWriter);
    expect(await writer.change(ref, 'long', 'ingestion.message-edited', { content: long.replace(/security/g, 'compliance'), editedAt: new Date().toISOString() }, ctx)).toBe(true);
    expect(await writer.change(ref, 'short', 'ingestion.message-edited', { content: 'The quarterly kickoff moved to Porto.', editedAt: new Date().toISOString() }, ctx)).toBe(true);
    expect(await writer.change(ref, 'gone', 'ingestion.message-deleted', { deletedAt: new Date().toISOString() }, ctx)).toBe(true);

    await eventually(async () => expect(externalIds(await hitsOf({ q: 'Porto', mode: 'fulltext' }, scratch))).toEqual(['short']), 20_000, 100);
    await settled(scratch, 2);
    for (const mode of ['fulltext', 'semantic', 'hybrid']) {
      expect(externalIds(await hitsOf({ q: 'Lisbon', mode }, scratch))).not.toContain('short');
      expect(externalIds(await hitsOf({ q: 'Marrakesh offsite', mode }, scratch))).not.toContain('gone');
    }
    expect(await chunksOf('gone')).toEqual([]);
    const evidence = await http().get(`/api/v1/workspaces/${scratch}/evidence`).set(owner.auth).expect(200);
    expect(evidence.body.items.map((i: { externalId: string }) => i.externalId).sort()).toEqual(['long', 'short']);

    const after = await chunksOf('long');
    // Same ids for the same positions; the chunk that did not change kept its vector (not embedded again).
    expect(after.map((c) => c.id)).toEqual(before.slice(0, after.length).map((c) => c.id));
    expect(after[0].text_hash).toBe(before[0].text_hash);
    expect(after[0].last_embedded_at).toEqual(before[0].last_embedded_at);
    const changed = after.filter((c, i) => c.text_hash !== before[i]?.text_hash);
    expect(changed.length).toBeGreaterThan(0);
    for (const c of changed) expect(c.last_embedded_at.getTime()).toBeGreaterThan(before[0].last_embedded_at.getTime());
    expect(externalIds(await hitsOf({ q: 'compliance plan', mode: 'hybrid' }, scratch))[0]).toBe('long');
    expect(externalIds(await hitsOf({ q: 'security', mode: 'fulltext' }, scratch))).toEqual([]);
  });

  it("erasing an author scrubs their name from chunks and evidence (search by it finds nothing), and a replay of the log gives the same rows", async () => {
    const exp1 = (await hitsOf({ q: 'E-4012', mode: 'fulltext' })).find((h) => h.message.externalId === 'exp-1')!;
    expect(exp1.message.author.name).toBe('Lena Fischer');
    expect(externalIds(await hitsOf({ q: 'export', mode: 'fulltext', author: 'Lena Fischer' }))).toEqual(['exp-1']);
    const evidenceFor = async (q: string) => (await http().get(`/api/v1/workspaces/${ws}/evidence`).query({ q }).set(owner.auth).expect(200)).body.items.map((i: { externalId: string }) => i.externalId);
    expect(await evidenceFor('Lena')).toEqual(['exp-1']);

    await app.get(DataSubjects).erase(exp1.message.author.subjectId!, { actorId: 'test' });

    const erased = (await hitsOf({ q: 'E-4012', mode: 'fulltext' })).find((h) => h.message.externalId === 'exp-1')!;
    expect(erased.message.author).toEqual({ name: '[erased]', subjectId: exp1.message.author.subjectId });
    expect(await hitsOf({ q: 'export', mode: 'fulltext', author: 'Lena Fischer' })).toEqual([]);
    expect(await hitsOf({ q: 'export', mode: 'fulltext', author: 'ext-lena-fischer' })).toEqual([]);
    expect(await evidenceFor('Lena')).toEqual([]);
    const rows = await pool.query(`SELECT author_name, author_external_id FROM knowledge_evidence_items WHERE author_subject_id = $1`, [exp1.message.author.subjectId]);
    expect(rows.rows).toEqual([{ author_name: '[erased]', author_external_id: null }]);

    // A rebuild (the consumer reset to the start of the log) gives the same chunks, ids and vectors included.
    const snapshot = async () =>
      (
        await pool.query(
          `SELECT id, message_id, chunk_index, text_hash, author_name, author_external_id, embedding_status, embedding::text AS embedding
             FROM knowledge_rag_chunks WHERE workspace_id = $1 ORDER BY id`,
          [ws],
        )
      ).rows;
    const evidenceSnapshot = async () => (await pool.query(`SELECT id, message_id, author_name, author_external_id, search_text::text AS search_text FROM knowledge_evidence_items WHERE workspace_id = $1 ORDER BY id`, [ws])).rows;
    const [chunksBefore, evidenceBefore] = [await snapshot(), await evidenceSnapshot()];
    await pool.query(`UPDATE subscription_checkpoints SET last_tx = '0', last_pos = 0 WHERE name = 'knowledge.chunking'`);
    await eventually(async () => {
      const r = await pool.query(`SELECT last_pos FROM subscription_checkpoints WHERE name = 'knowledge.chunking'`);
      const head = await pool.query(`SELECT max(global_position) AS p FROM events WHERE event_type LIKE 'ingestion.message-%'`);
      expect(Number(r.rows[0].last_pos)).toBeGreaterThanOrEqual(Number(head.rows[0].p));
    }, 20_000);
    await settled(ws, CORPUS.length);
    expect(await snapshot()).toEqual(chunksBefore);
    expect(await evidenceSnapshot()).toEqual(evidenceBefore);
  });

  it('lists evidence items: ranked full-text with highlighted headlines, or newest first in keyset pages, filtered by kind, source and time', async () => {
    const list = (query: Record<string, unknown>) => http().get(`/api/v1/workspaces/${ws}/evidence`).query(query).set(owner.auth).expect(200);

    const found = (await list({ q: 'Globex discount' })).body;
    expect(found.items[0]).toEqual(
      expect.objectContaining({
        kind: 'message',
        externalId: 'call-1',
        sourceKind: 'gong',
        title: 'Globex renewal call',
        headline: expect.stringMatching(/<mark>discount<\/mark>/i),
        score: expect.any(Number),
        link: { api: `/api/v1/workspaces/${ws}/messages/${found.items[0].messageId}`, external: null },
      }),
    );
    // The title weighs most: calls titled with the word come before messages that only say it.
    expect(['call-1', 'call-8']).toContain((await list({ q: 'renewal' })).body.items[0].externalId);

    const seen: string[] = [];
    let cursor: string | null = null;
    let previous = '9999';
    do {
      const page: { items: { externalId: string; occurredAt: string; headline: string | null }[]; nextCursor: string | null } = (await list({ limit: 40, ...(cursor ? { cursor } : {}) })).body;
      for (const item of page.items) {
        expect(item.occurredAt <= previous).toBe(true);
        expect(item.headline).toBeNull();
        previous = item.occurredAt;
        seen.push(item.externalId);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(CORPUS.length);
    expect(new Set(seen).size).toBe(CORPUS.length);

    // Ranked results page by offset: the pages of one query do not overlap.
    const first = (await list({ q: 'invoice', limit: 5 })).body;
    const second = (await list({ q: 'invoice', limit: 5, cursor: first.nextCursor })).body;
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(second.items.map((i: { id: string }) => i.id)).not.toContain(first.items[0].id);

    const calls = (await list({ source: sources.calls, kind: 'message', limit: 500 })).body.items;
    expect(calls).toHaveLength(CORPUS.filter((m) => m.source === 'calls').length);
    const ninth = (await list({ from: '2026-03-09T00:00:00Z', to: '2026-03-10T00:00:00Z', limit: 500 })).body.items;
    expect(ninth.map((i: { externalId: string }) => i.externalId).sort()).toEqual(CORPUS.filter((m) => m.at.startsWith('2026-03-09')).map((m) => m.id).sort());
  });
});
