import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AccessTokenClaims } from './access-tokens';
import { IDENTITY_OPTIONS, IdentityOptions } from './identity.options';

/** passport-jwt: signature, expiry, issuer and audience; only HS256 (no `alg: none`, no key confusion). */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(IDENTITY_OPTIONS) options: IdentityOptions) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: options.jwtSecret,
      algorithms: ['HS256'],
      issuer: 'convo-intel',
      audience: 'api',
      ignoreExpiration: false,
    });
  }

  validate(payload: AccessTokenClaims): AccessTokenClaims {
    return payload;
  }
}
