import { sql } from "drizzle-orm";

/**
 * Where one kind of assistant keeps its conversations: Mr. Blue's tables, or a Life CEO
 * domain's. The engine and the conversation verbs are the same for both; only the tables and
 * (for a domain) the `domain_id` column differ.
 */
export interface ChatStore {
  /** The kind, in logs and in the 404's wording. */
  name: "mr_blue" | "life_ceo";
  conversations: ReturnType<typeof sql.identifier>;
  messages: ReturnType<typeof sql.identifier>;
  /** True when conversations belong to a Life CEO domain (`domain_id`). */
  hasDomain: boolean;
}

export const MR_BLUE: ChatStore = {
  name: "mr_blue",
  conversations: sql.identifier("mr_blue_conversations"),
  messages: sql.identifier("mr_blue_messages"),
  hasDomain: false,
};

export const LIFE_CEO: ChatStore = {
  name: "life_ceo",
  conversations: sql.identifier("life_ceo_conversations"),
  messages: sql.identifier("life_ceo_chat_messages"),
  hasDomain: true,
};
