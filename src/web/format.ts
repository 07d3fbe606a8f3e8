/**
 * Numbers, prices and dates for the visitor's locale (Accept-Language), with the listing's own currency.
 * The interface stays English; only formats follow the locale. Locales come from a fixed list, so a page
 * cached per locale has a bounded number of copies (see web/cache.ts).
 */

/** Formatting locales a page may be rendered in; the first is the fallback. */
export const PAGE_LOCALES = [
  "en-GB",
  "en-US",
  "de-DE",
  "fr-FR",
  "nl-NL",
  "pl-PL",
  "es-ES",
  "it-IT",
  "sv-SE",
  "lt-LT",
  "cs-CZ",
  "da-DK",
  "fi-FI",
  "pt-PT",
  "ja-JP",
  "zh-CN",
] as const;
export type PageLocale = (typeof PAGE_LOCALES)[number];

const byLanguage = new Map<string, PageLocale>(
  [...PAGE_LOCALES].reverse().map((locale) => [locale.split("-")[0] ?? locale, locale]),
);
const exact = new Map<string, PageLocale>(PAGE_LOCALES.map((locale) => [locale.toLowerCase(), locale]));

/** The best page locale for an Accept-Language header (q-values honoured), en-GB when nothing matches. */
export function negotiateLocale(header: string | undefined): PageLocale {
  if (!header) return PAGE_LOCALES[0];
  const ranked = header
    .split(",")
    .slice(0, 20)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.q > 0 && Number.isFinite(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const found = exact.get(tag) ?? byLanguage.get(tag.split("-")[0] ?? "");
    if (found) return found;
  }
  return PAGE_LOCALES[0];
}

/** Formatters for one locale; made per request (Intl objects are cheap next to a page render). */
export class Format {
  readonly locale: PageLocale;
  readonly #money = new Map<string, Intl.NumberFormat>();
  readonly #number: Intl.NumberFormat;
  readonly #date: Intl.DateTimeFormat;
  readonly #dateTime: Intl.DateTimeFormat;
  readonly #relative: Intl.RelativeTimeFormat;

  constructor(locale: PageLocale) {
    this.locale = locale;
    this.#number = new Intl.NumberFormat(locale);
    this.#date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
    this.#dateTime = new Intl.DateTimeFormat(locale, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: "UTC",
    });
    this.#relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  }

  #currency(currency: string): Intl.NumberFormat {
    let format = this.#money.get(currency);
    if (!format) {
      format = new Intl.NumberFormat(this.locale, { style: "currency", currency });
      this.#money.set(currency, format);
    }
    return format;
  }

  /** An amount in minor units (cents) of `currency`, e.g. 1234, "EUR" → "€12.34" (en-GB). */
  money(minor: number | string, currency: string): string {
    const format = this.#currency(currency);
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(Number(minor) / 10 ** digits);
  }

  /** Minor units as the decimal a form field shows and accepts ("12.34"), never locale-formatted. */
  static decimal(minor: number, currency: string): string {
    const digits = currencyDigits(currency);
    return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
  }

  number(value: number): string {
    return this.#number.format(value);
  }

  /** An absolute date (deadlines: due, expires). */
  date(iso: string | Date): string {
    return this.#date.format(typeof iso === "string" ? new Date(iso) : iso);
  }

  dateTime(iso: string | Date): string {
    return `${this.#dateTime.format(typeof iso === "string" ? new Date(iso) : iso)} UTC`;
  }

  /** A relative date ("3 days ago") for history; deadlines use date(). */
  relative(iso: string, now: number): string {
    const seconds = (new Date(iso).getTime() - now) / 1000;
    const abs = Math.abs(seconds);
    if (abs < 60) return this.#relative.format(Math.round(seconds), "second");
    if (abs < 3600) return this.#relative.format(Math.round(seconds / 60), "minute");
    if (abs < 86_400) return this.#relative.format(Math.round(seconds / 3600), "hour");
    if (abs < 86_400 * 30) return this.#relative.format(Math.round(seconds / 86_400), "day");
    if (abs < 86_400 * 365) return this.#relative.format(Math.round(seconds / (86_400 * 30)), "month");
    return this.#relative.format(Math.round(seconds / (86_400 * 365)), "year");
  }
}

/** Fraction digits of a currency's minor unit (EUR 2, JPY 0), from Intl. */
export function currencyDigits(currency: string): number {
  return (
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** A decimal typed in a form ("12.34", "12,34") as minor units, or undefined when it is not one. */
export function parseDecimal(text: string, currency: string): number | undefined {
  const cleaned = text.trim().replace(/\s/g, "").replace(",", ".");
  const digits = currencyDigits(currency);
  const pattern = digits === 0 ? /^\d{1,12}$/ : new RegExp(`^\\d{1,12}(\\.\\d{1,${digits}})?$`);
  if (!pattern.test(cleaned)) return undefined;
  const [whole = "0", fraction = ""] = cleaned.split(".");
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

const regions = new Intl.DisplayNames(["en"], { type: "region" });

/** A country's English name from its ISO code ("DE" → "Germany"); the code itself when unknown. */
export function countryName(code: string): string;
export function countryName(code: string | null | undefined): string | undefined;
export function countryName(code: string | null | undefined): string | undefined {
  if (!code) return undefined;
  try {
    return regions.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
