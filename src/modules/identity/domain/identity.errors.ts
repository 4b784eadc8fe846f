import { ApplicationError } from '@libs/common/errors/application-error';

/** Every refusal of the identity context; mapped to HTTP once, in infrastructure/identity.errors.http.ts. */
export enum IdentityErrorCode {
  EmailTaken = 'IDENTITY.EMAIL_TAKEN',
  InvalidCredentials = 'IDENTITY.INVALID_CREDENTIALS',
  UserNotFound = 'IDENTITY.USER_NOT_FOUND',
  UserInactive = 'IDENTITY.USER_INACTIVE',
  WeakPassword = 'IDENTITY.WEAK_PASSWORD',
  WrongPassword = 'IDENTITY.WRONG_PASSWORD',
  PasswordResetInvalid = 'IDENTITY.PASSWORD_RESET_INVALID',
  RefreshTokenInvalid = 'IDENTITY.REFRESH_TOKEN_INVALID',
  RefreshTokenReused = 'IDENTITY.REFRESH_TOKEN_REUSED',
  SessionNotFound = 'IDENTITY.SESSION_NOT_FOUND',
  PinInvalid = 'IDENTITY.PIN_INVALID',
  PinExpired = 'IDENTITY.PIN_EXPIRED',
  PinAttemptsExhausted = 'IDENTITY.PIN_ATTEMPTS_EXHAUSTED',
  SignupAlreadyCompleted = 'IDENTITY.SIGNUP_ALREADY_COMPLETED',
  OrganizationNameTaken = 'IDENTITY.ORGANIZATION_NAME_TAKEN',
  OrganizationNotFound = 'IDENTITY.ORGANIZATION_NOT_FOUND',
  WorkspaceNotFound = 'IDENTITY.WORKSPACE_NOT_FOUND',
  SlugTaken = 'IDENTITY.SLUG_TAKEN',
  WorkspaceInactive = 'IDENTITY.WORKSPACE_INACTIVE',
  AlreadyMember = 'IDENTITY.ALREADY_MEMBER',
  MemberNotFound = 'IDENTITY.MEMBER_NOT_FOUND',
  LastOwner = 'IDENTITY.LAST_OWNER',
  RoleNotAllowed = 'IDENTITY.ROLE_NOT_ALLOWED',
  InvitationNotFound = 'IDENTITY.INVITATION_NOT_FOUND',
  InvitationExpired = 'IDENTITY.INVITATION_EXPIRED',
  InvitationNotPending = 'IDENTITY.INVITATION_NOT_PENDING',
  InvitationEmailMismatch = 'IDENTITY.INVITATION_EMAIL_MISMATCH',
  EmailNotVerified = 'IDENTITY.EMAIL_NOT_VERIFIED',
  ApiKeyNotFound = 'IDENTITY.API_KEY_NOT_FOUND',
  ApiKeyRevoked = 'IDENTITY.API_KEY_REVOKED',
  TelegramProfileTaken = 'IDENTITY.TELEGRAM_PROFILE_TAKEN',
  TelegramProfileNotFound = 'IDENTITY.TELEGRAM_PROFILE_NOT_FOUND',
  OAuthAccountTaken = 'IDENTITY.OAUTH_ACCOUNT_TAKEN',
  OAuthAccountNotFound = 'IDENTITY.OAUTH_ACCOUNT_NOT_FOUND',
  SettingNotFound = 'IDENTITY.SETTING_NOT_FOUND',
  /** The OAuth connect flows (application/oauth-connect). */
  OAuthProviderUnknown = 'IDENTITY.OAUTH_PROVIDER_UNKNOWN',
  OAuthProviderNotConfigured = 'IDENTITY.OAUTH_PROVIDER_NOT_CONFIGURED',
  OAuthReturnToNotAllowed = 'IDENTITY.OAUTH_RETURN_TO_NOT_ALLOWED',
  OAuthStateInvalid = 'IDENTITY.OAUTH_STATE_INVALID',
  OAuthStateExpired = 'IDENTITY.OAUTH_STATE_EXPIRED',
  OAuthStateUsed = 'IDENTITY.OAUTH_STATE_USED',
  OAuthStateOtherUser = 'IDENTITY.OAUTH_STATE_OTHER_USER',
  OAuthAuthorizationDenied = 'IDENTITY.OAUTH_AUTHORIZATION_DENIED',
  OAuthAuthorizationFailed = 'IDENTITY.OAUTH_AUTHORIZATION_FAILED',
  OAuthCodeRejected = 'IDENTITY.OAUTH_CODE_REJECTED',
  OAuthProviderUnavailable = 'IDENTITY.OAUTH_PROVIDER_UNAVAILABLE',
}

export class IdentityError extends ApplicationError {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}
