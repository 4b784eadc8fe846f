/**
 * The text of messages by id, for modules that classify or analyse given messages (analysis's
 * classification experiments). `MessageTexts` is also the DI token (provided globally by ingestion).
 */
export abstract class MessageTexts {
  /** The content of each of these messages of the workspace (deleted ones and other workspaces' left out), by id. */
  abstract texts(workspaceId: string, messageIds: string[]): Promise<Map<string, string>>;
}
