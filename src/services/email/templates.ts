// PLACEHOLDER until the templates land: plain rendering of the data. Replaced by the real templates.
import type { EmailData, EmailTemplate, RenderedEmail } from "../../contracts/emails.ts";

export function renderEmail<T extends EmailTemplate>(template: T, data: EmailData<T>): RenderedEmail {
  const text = Object.entries(data as Record<string, unknown>)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join("\n");
  return { subject: template, text, html: `<pre>${text.replace(/</g, "&lt;")}</pre>` };
}
