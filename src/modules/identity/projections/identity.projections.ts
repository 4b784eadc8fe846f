import { RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { OrganizationsProjection } from './organizations.projection';
import { ApiKeysProjection, SessionsProjection, SignupRequestsProjection } from './sessions.projection';
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
  ];
}
