import { sign, verify } from "hono/jwt";
import { unauthorized } from "./errors";

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_DAYS = 30;
export const JWT_ISSUER = "mundo-tango-edge";
export const JWT_AUDIENCE = "mundo-tango-api";

/** What an access token says about its bearer. */
export interface AccessClaims {
  userId: number;
  role: string;
  level: number;
  sessionId: string;
}

/**
 * A 15-minute HS256 access token. Stateless: suspending an account takes effect when the
 * token expires (refresh is refused), so at most 15 minutes later.
 */
export function issueAccessToken(secret: string, claims: AccessClaims, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return sign(
    {
      iss: JWT_ISSUER,
      aud: JWT_AUDIENCE,
      sub: String(claims.userId),
      sid: claims.sessionId,
      role: claims.role,
      lvl: claims.level,
      iat,
      exp: iat + ACCESS_TOKEN_TTL_SECONDS,
    },
    secret,
    "HS256",
  );
}

/**
 * Verifies signature (HS256 only), issuer, audience and expiry; any failure is a 401. `exp`,
 * `iat`, `iss` and `aud` are required: a correctly signed token without an expiry is not
 * accepted forever.
 */
export async function verifyAccessToken(secret: string, token: string): Promise<AccessClaims> {
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, secret, { alg: "HS256", iss: JWT_ISSUER, aud: JWT_AUDIENCE });
  } catch (error) {
    const expired = error instanceof Error && error.name === "JwtTokenExpired";
    throw expired
      ? unauthorized("The access token has expired; refresh it.", "token_expired")
      : unauthorized("The access token is not valid.", "invalid_token");
  }
  const userId = Number(payload.sub);
  const { sid, role, lvl, exp, iat, iss, aud } = payload;
  const registered =
    Number.isInteger(exp) && Number.isInteger(iat) && iss === JWT_ISSUER && (aud === JWT_AUDIENCE || (Array.isArray(aud) && aud.includes(JWT_AUDIENCE)));
  if (!registered || !Number.isInteger(userId) || typeof sid !== "string" || typeof role !== "string" || typeof lvl !== "number") {
    throw unauthorized("The access token is not valid.", "invalid_token");
  }
  return { userId, role, level: lvl, sessionId: sid };
}
