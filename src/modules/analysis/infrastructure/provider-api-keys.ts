import { Injectable } from '@nestjs/common';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';

const aad = (providerId: string) => `analysis-llm-provider:${providerId}`;

/**
 * A provider's API key, sealed with the SecretBox (bound to the provider's id) before it enters
 * an event: the log keeps it forever, so only ciphertext goes there; opened only to call the
 * provider. The read model's column is registered for `secrets rotate`.
 */
@Injectable()
export class ProviderApiKeys {
  constructor(
    private readonly box: SecretBox,
    columns: EncryptedColumns,
  ) {
    columns.register({ table: 'analysis_llm_providers_view', idColumn: 'id', column: 'api_key_encrypted', aad });
  }

  seal(providerId: string, apiKey: string | null): string | null {
    return apiKey ? this.box.encrypt(apiKey, aad(providerId)) : null;
  }

  open(providerId: string, ciphertext: string | null): string | null {
    return ciphertext ? this.box.decrypt(ciphertext, aad(providerId)) : null;
  }
}
