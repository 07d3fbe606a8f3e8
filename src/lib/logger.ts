/**
 * Structured JSON log lines (Workers Logs indexes JSON fields). Callers pass facts, never secrets:
 * no tokens, passwords, connection strings or request bodies.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

type Level = "debug" | "info" | "warn" | "error";
const rank: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(base: LogFields, minimum: Level = "info"): Logger {
  const write = (level: Exclude<Level, "debug">, message: string, fields?: LogFields) => {
    if (rank[level] < rank[minimum]) return;
    const line = JSON.stringify({ level, message, ...base, ...fields });
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
  };
}

/**
 * Masks credentials that may hide in free text (error messages): connection-string passwords, session
 * tokens, API keys, webhook signing secrets, emailed link tokens, bearer values. A last line of defence; callers still pass facts, not secrets.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s]+@/gi, "$1***@")
    .replace(/\b(ses|mk)_[\w-]+(\.[\w-]+)?/g, "$1_***")
    .replace(/\bwhsec_[\w+/=-]+/g, "whsec_***")
    .replace(/([?&]token=)[\w-]+/g, "$1***")
    .replace(/(bearer\s+)\S+/gi, "$1***");
}
