import type { Db } from "./db";
import type { Config } from "./env";
import type { Logger } from "./logger";

/** Who is calling: set by the auth middleware from a valid access token, else null. */
export interface Viewer {
  id: number;
  role: string;
  level: number;
  /** The login (refresh token family) this access token was issued from. */
  sessionId: string;
}

/** Hono's environment for this app: bindings, and what the context middleware puts on `c.var`. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    logger: Logger;
    db: Db;
    viewer: Viewer | null;
  };
}
