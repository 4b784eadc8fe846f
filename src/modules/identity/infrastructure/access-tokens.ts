import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { IDENTITY_OPTIONS, IdentityOptions } from './identity.options';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  su?: boolean;
}

/** Short-lived HS256 access tokens; the refresh token (opaque, rotated) renews them. */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly jwt: JwtService,
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions,
  ) {}

  issue(userId: string, sessionId: string, superuser: boolean): { accessToken: string; expiresIn: number } {
    const claims: AccessTokenClaims = { sub: userId, sid: sessionId, ...(superuser ? { su: true } : {}) };
    return {
      accessToken: this.jwt.sign(claims, { secret: this.options.jwtSecret, algorithm: 'HS256', expiresIn: this.options.accessTokenTtlSeconds, issuer: 'convo-intel', audience: 'api' }),
      expiresIn: this.options.accessTokenTtlSeconds,
    };
  }
}
