import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { AdminTokenWorkspaceAccessPolicy } from './admin-token-workspace-access.policy';
import { WorkspaceAccessPolicy } from './workspace-access.policy';

export interface AuthModuleOptions {
  /** The operator token (ADMIN_TOKEN); unset = none. */
  adminToken?: string;
  /** The identity module's binding (memberships, API keys); without it only the operator token reads. */
  policy?: Type<WorkspaceAccessPolicy>;
}

/**
 * Binds the access policies the guards of every module use. Global, so that any module's
 * controllers can put WorkspaceMemberGuard (@WorkspaceScoped()) on their routes without importing it.
 *
 * The app passes identity's membership policy; without one (platform-only tests) only the
 * ADMIN_TOKEN bearer reads workspaces.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        options.policy
          ? { provide: WorkspaceAccessPolicy, useClass: options.policy }
          : { provide: WorkspaceAccessPolicy, useValue: new AdminTokenWorkspaceAccessPolicy(options.adminToken) },
      ],
      exports: [WorkspaceAccessPolicy],
    };
  }
}
