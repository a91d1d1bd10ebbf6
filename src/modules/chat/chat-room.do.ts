import { DurableObject } from "cloudflare:workers";

/** One chat room's live state: built in issue 13's ChatRoom part (this file is replaced there). */
export class ChatRoom extends DurableObject<Env> {}
