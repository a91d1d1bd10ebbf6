// The module's public surface: other modules import only from here (a lint rule says so).
/** Which media URLs content may carry: embeds of the four players, and files this service stores. */
export { EMBED_PROVIDERS, isAllowedMediaUrl, normaliseEmbedUrl, type EmbedProvider, type MediaEmbed } from "./media.urls";
