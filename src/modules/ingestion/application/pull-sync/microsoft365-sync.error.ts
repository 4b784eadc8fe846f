/** A refusal the runner writes itself, with what the person has to do about it (sync-failure.ts reads `problem`). */
export class Microsoft365SyncError extends Error {
  constructor(
    message: string,
    readonly problem: 'reconnect' | 'unreachable' | 'invalid_config' = 'reconnect',
  ) {
    super(message);
    this.name = 'Microsoft365SyncError';
  }
}
