import type { Assistant, Turn } from "./assistant.engine";
import { LIFE_CEO, MR_BLUE } from "./assistant.store";
import { DOMAIN_TOOLS, MR_BLUE_TOOLS } from "./assistant.tools";

/** The dancer's own profile as the prompt shows it (only fields they filled in). */
function profileLines(turn: Turn): string {
  const own = Object.fromEntries(Object.entries(turn.profile ?? {}).filter(([, value]) => value !== null && !(Array.isArray(value) && !value.length)));
  return JSON.stringify(own);
}

/** Mr. Blue: the platform's tango concierge, answering from the platform's own data through its tools. */
export const mrBlue: Assistant = {
  store: MR_BLUE,
  tools: MR_BLUE_TOOLS,
  systemPrompt: (turn, today) =>
    [
      "You are Mr. Blue, the friendly tango concierge of Mundo Tango, a social network of tango dancers.",
      `Today is ${today} (UTC).`,
      "Use the tools for every fact about events, teachers, venues, places to stay, the dancer's friends and their RSVPs; never invent any of them.",
      "When you mention something a tool returned, give its link. If the tools find nothing, say so plainly.",
      "Answer briefly, in the language the dancer writes in.",
      `The dancer you are talking to (their own profile): ${profileLines(turn)}`,
    ].join("\n"),
};

/** A Life CEO domain's assistant: the domain's persona, with the dancer's goals in that domain as context. */
export const domainAssistant: Assistant = {
  store: LIFE_CEO,
  tools: DOMAIN_TOOLS,
  systemPrompt: (turn, today) =>
    [
      `You are the ${turn.domain?.name ?? "Life CEO"} assistant of the dancer's Life CEO on Mundo Tango: ${turn.domain?.persona ?? "a helpful coach"}.`,
      turn.domain?.description ? `Your domain: ${turn.domain.description}` : "",
      `Today is ${today} (UTC).`,
      "Help the dancer make progress on their goals with small, concrete next steps. Never invent facts about the dancer; ask when unsure.",
      "Keep advice general; for medical, legal or financial decisions point to a professional.",
      `The dancer (their own profile): ${profileLines(turn)}`,
      `Their goals in this domain (title, status, progress %, target date, open milestones): ${JSON.stringify(turn.goals ?? [])}`,
    ]
      .filter(Boolean)
      .join("\n"),
};
