import type { z } from "zod";

/**
 * Code points no text input of the API accepts: NUL and the other C0 controls, DEL, the C1 controls and
 * lone surrogates. Postgres refuses NUL in text and jsonb (a 500 if it got that far); the rest cannot be
 * shown or round-tripped as UTF-8. Multi-line text may hold tab, line feed and carriage return.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const UNUSABLE_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const UNUSABLE_MULTI_LINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\p{Cs}/u;

export const UNUSABLE_TEXT_MESSAGE = "must not contain control characters or unpaired surrogates";

/** Whether `value` holds only characters a text field accepts (see above). */
export function isUsableText(value: string, lines: "single" | "multi" = "single"): boolean {
  return !(lines === "multi" ? UNUSABLE_MULTI_LINE : UNUSABLE_SINGLE_LINE).test(value);
}

/**
 * The one refinement every text input of the API goes through (request schemas of every route and the
 * services' input schemas): refuses NUL, other control characters and lone surrogates with a 400.
 *
 * @example usableText(z.string().trim().max(200))            // a title
 * @example usableText(z.string().max(10_000), "multi")        // a description: tabs and line breaks allowed
 */
export function usableText<T extends z.ZodType<string>>(schema: T, lines: "single" | "multi" = "single"): T {
  return schema.refine((value) => isUsableText(value, lines), UNUSABLE_TEXT_MESSAGE);
}
