import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { Principal } from '@libs/common/auth/principal';
import { RefreshSessionRequestDto } from '@modules/identity/application/refresh-session/refresh-session.request.dto';
import { RefreshSessionHandler } from '@modules/identity/application/refresh-session/refresh-session.handler';
import { LogOutHandler } from '@modules/identity/application/log-out/log-out.handler';
import { ResetPasswordHandler } from '@modules/identity/application/reset-password/reset-password.handler';
import { ConfirmPasswordResetDto, RequestPasswordResetDto } from '@modules/identity/application/reset-password/reset-password.request.dto';
import { clientInfo } from '@modules/identity/application/shared/client-info';
import { CurrentUser } from '@modules/identity/application/shared/current-user.decorator';
import { UserGuard } from '@modules/identity/application/shared/user.guard';
import { SignUpHandler } from '@modules/identity/application/sign-up/sign-up.handler';
import { SignUpRequestDto } from '@modules/identity/application/sign-up/sign-up.request.dto';
import { VerifyEmailHandler } from '@modules/identity/application/verify-email/verify-email.handler';
import { VerifyEmailRequestDto } from '@modules/identity/application/verify-email/verify-email.request.dto';
import { LogInHandler } from './log-in.handler';
import { LogInRequestDto } from './log-in.request.dto';

/** Sign-up, email verification, login, refresh, logout. Rate limited per client address. */
@ApiTags('auth')
@ApiTooManyRequestsResponse({ description: 'RATE_LIMITED' })
@UseGuards(ThrottlerGuard)
@Controller('api/v1/auth')
export class AuthHttpController {
  constructor(
    private readonly signUp: SignUpHandler,
    private readonly verifyEmail: VerifyEmailHandler,
    private readonly logIn: LogInHandler,
    private readonly refresh: RefreshSessionHandler,
    private readonly logOut: LogOutHandler,
    private readonly resetPassword: ResetPasswordHandler,
  ) {}

  @Post('signup')
  @ApiOperation({ summary: 'Create an account: 201 with tokens, or 202 { signupRequestId } when REQUIRE_EMAIL_VERIFICATION is on' })
  @ApiCreatedResponse({ description: '{ accessToken, refreshToken, tokenType, expiresIn, user }' })
  @ApiAcceptedResponse({ description: '{ signupRequestId }: the PIN was emailed' })
  async signup(@Body() body: SignUpRequestDto, @Req() req: Request, @Res({ passthrough: true }) res: Response, @CommandMeta() meta: CommandMetadata) {
    const out = await this.signUp.execute(body, clientInfo(req), meta);
    if (out.kind === 'verification-required') {
      res.status(202);
      return { signupRequestId: out.signupRequestId };
    }
    res.status(201);
    return { ...out.tokens, user: out.user };
  }

  @Post('verify-email')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify the email with the PIN (answers the tokens when REQUIRE_EMAIL_VERIFICATION is on)' })
  async verify(@Body() body: VerifyEmailRequestDto, @Req() req: Request, @CommandMeta() meta: CommandMetadata) {
    const out = await this.verifyEmail.execute(body, clientInfo(req), meta);
    return out.kind === 'verified' ? { verified: true, userId: out.userId } : { ...out.tokens, user: out.user };
  }

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ description: '{ accessToken, refreshToken, tokenType, expiresIn, user }' })
  async login(@Body() body: LogInRequestDto, @Req() req: Request, @CommandMeta() meta: CommandMetadata) {
    const out = await this.logIn.execute(body, clientInfo(req), meta);
    return { ...out.tokens, user: out.user };
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ description: 'A new pair; the refresh token presented stops working (reusing it revokes the session)' })
  refreshTokens(@Body() body: RefreshSessionRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.refresh.execute(body.refreshToken, meta);
  }

  @Post('password-reset')
  @HttpCode(202)
  @ApiOperation({ summary: 'Mail a password reset token; always the same answer, whether the email has an account or not' })
  async requestReset(@Body() body: RequestPasswordResetDto, @CommandMeta() meta: CommandMetadata): Promise<Record<string, never>> {
    await this.resetPassword.request(body.email, meta);
    return {};
  }

  @Post('password-reset/confirm')
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a new password with the mailed token (once, before it expires); every session is revoked' })
  async confirmReset(@Body() body: ConfirmPasswordResetDto, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.resetPassword.confirm(body.token, body.newPassword, meta);
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(UserGuard)
  @ApiNoContentResponse({ description: 'Ends the session of the access token' })
  async logout(@CurrentUser() user: Extract<Principal, { kind: 'user' }>, @CommandMeta() meta: CommandMetadata): Promise<void> {
    if (user.sessionId) await this.logOut.one(user.sessionId, meta);
  }

  @Post('logout-all')
  @HttpCode(204)
  @UseGuards(UserGuard)
  @ApiNoContentResponse({ description: 'Ends every session of the user, this one included' })
  async logoutAll(@CurrentUser() user: Extract<Principal, { kind: 'user' }>, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.logOut.all(user.userId, 'logout-all', meta);
  }
}
