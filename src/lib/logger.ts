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

export function createLogger(base: LogFields): Logger {
  const write = (level: "info" | "warn" | "error", message: string, fields?: LogFields) => {
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
