import { describe, expect, it } from "vitest";
import { extractHashtags, extractMentions, normaliseEmbeds, plainText } from "./posts.text";

describe("extractHashtags", () => {
  it.each([
    ["#Milonga tonight", ["milonga"]],
    ["#Tango #tango #TANGO", ["tango"]],
    ["#Vals, #milonga. (#canyengue)", ["vals", "milonga", "canyengue"]],
    ["#2024 #1st #_x_", ["1st", "_x_"]],
    ["#Café #CAFÉ", ["café"]],
    ["#Cafe\u0301 #Café", ["café"]],
    ["#日本のタンゴ", ["日本のタンゴ"]],
    ["a#b https://x.test/page#section &#39; ##double", []],
    [`#${"a".repeat(64)} #${"b".repeat(65)}`, ["a".repeat(64)]],
    ["no tags", []],
  ])("%s -> %j", (text, tags) => {
    expect(extractHashtags(text)).toEqual(tags);
  });
});

describe("extractMentions", () => {
  it.each([
    ["Thanks @Ana_Tanguera!", ["ana_tanguera"]],
    ["@ana @ANA @bruno.m.", ["ana", "bruno.m"]],
    ["mail ana@example.com or @x or @ab", []],
    ["(@carla) y @diego,", ["carla", "diego"]],
    [`@${"a".repeat(30)} @${"b".repeat(31)}`, ["a".repeat(30)]],
    ["@_hidden @.dot", []],
  ])("%s -> %j", (text, names) => {
    expect(extractMentions(text)).toEqual(names);
  });
});

describe("plainText", () => {
  it("folds whitespace runs and trims", () => {
    expect(plainText("  Una\n\nmilonga\t en  Canning ")).toBe("Una milonga en Canning");
  });
});

describe("normaliseEmbeds", () => {
  it("keeps each link once in canonical form and names the refused ones by index", () => {
    expect(
      normaliseEmbeds([
        "https://youtu.be/dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3",
        "https://example.com/x",
        "https://vimeo.com/76979871",
      ]),
    ).toEqual({
      embeds: [
        { provider: "youtube", url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ" },
        { provider: "vimeo", url: "https://vimeo.com/76979871" },
      ],
      refused: [2],
    });
  });
});
