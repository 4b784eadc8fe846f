import { RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AppSettingsProjection } from './app-settings.projection';
import { OAuthAccountsProjection } from './oauth-accounts.projection';
import { OrganizationsProjection } from './organizations.projection';
import { ApiKeysProjection } from './api-keys.projection';
import { SessionsProjection } from './sessions.projection';
import { SignupRequestsProjection } from './signup-requests.projection';
import { TelegramProfilesProjection } from './telegram-profiles.projection';
import { UsersProjection } from './users.projection';
import { InvitationsProjection } from './invitations.projection';
import { WorkspaceMembersProjection } from './workspace-members.projection';
import { WorkspacesProjection } from './workspaces.projection';

/** Every identity read model (all inline: the module's own reads see its writes at once). */
export function identityProjections(emailHash: (email: string) => string): RowProjection<any>[] {
  return [
    new UsersProjection(),
    new OrganizationsProjection(),
    new WorkspacesProjection(),
    new WorkspaceMembersProjection(),
    new InvitationsProjection(),
    new SessionsProjection(),
    new ApiKeysProjection(),
    new SignupRequestsProjection(emailHash),
    new TelegramProfilesProjection(),
    new OAuthAccountsProjection(),
    new AppSettingsProjection(),
  ];
}
