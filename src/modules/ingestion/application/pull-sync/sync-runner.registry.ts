import { ChatwootSyncRunner } from './chatwoot-sync.runner';
import { GongSyncRunner } from './gong-sync.runner';
import { SlackSyncRunner } from './slack-sync.runner';
import { ImapSyncRunner } from './imap-sync.runner';
import { Microsoft365SyncRunner } from './microsoft365-sync.runner';
import { FathomSyncRunner } from './fathom-sync.runner';
import { GmailSyncRunner } from './gmail-sync.runner';
import { PullSourceKind, SyncRunner, SyncRunnerDeps } from './sync-runner';

/** The runner of each kind of pull source (plain classes: the app and a stand-alone process build them alike). */
export function createSyncRunners(deps: SyncRunnerDeps): Record<PullSourceKind, SyncRunner> {
  return {
    chatwoot: new ChatwootSyncRunner(deps), gong: new GongSyncRunner(deps), slack: new SlackSyncRunner(deps), imap: new ImapSyncRunner(deps),
    gmail: new GmailSyncRunner(deps),
    microsoft365: new Microsoft365SyncRunner(deps),
    fathom: new FathomSyncRunner(deps),
  };
}
