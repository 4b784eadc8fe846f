import { RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AppSettingsProjection } from './app-settings.projection';
import { OAuthAccountsProjection } from './oauth-accounts.projection';
import { OrganizationsProjection } from './organizations.projection';
import { ApiKeysProjection, SessionsProjection, SignupRequestsProjection } from './sessions.projection';
import { TelegramProfilesProjection } from './telegram-profiles.projection';
import { UsersProjection } from './users.projection';
import { InvitationsProjection, WorkspaceMembersProjection, WorkspacesProjection } from './workspaces.projection';

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
