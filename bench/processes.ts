/**
 * CPU time and resident memory of local processes and their descendants, read from /proc (Linux), so
 * the benchmark can say where the machine's time went: Postgres, each workerd, wrangler, the proxy.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  name: string;
  cpuSeconds: number;
  /** CPU of its children that have exited (and been waited for): short-lived workers are not lost. */
  childCpuSeconds: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The name is in parentheses and may hold spaces: split after the last ')'.
    const close = text.lastIndexOf(")");
    const name = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17, rss 24.
    const at = (field: number) => Number(fields[field - 3]);
    return {
      pid,
      ppid: at(4),
      name,
      cpuSeconds: (at(14) + at(15)) / TICKS_PER_SECOND,
      childCpuSeconds: (at(16) + at(17)) / TICKS_PER_SECOND,
      rssBytes: at(24) * PAGE_BYTES,
    };
  } catch {
    return undefined;
  }
}

function allProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** `root` and every process below it. */
export function processTree(root: number): ProcStat[] {
  const all = allProcesses();
  const children = new Map<number, ProcStat[]>();
  for (const stat of all) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const result: ProcStat[] = [];
  const visit = (pid: number) => {
    const self = all.find((stat) => stat.pid === pid);
    if (self) result.push(self);
    for (const child of children.get(pid) ?? []) visit(child.pid);
  };
  visit(root);
  return result;
}

/**
 * Processes whose command name matches, e.g. every `postgres` backend. The topmost of them (the
 * postmaster) also carries the CPU of its exited children, so backends that end mid-run still count.
 */
export function processesNamed(pattern: RegExp): ProcStat[] {
  const matching = allProcesses().filter((stat) => pattern.test(stat.name));
  const pids = new Set(matching.map((stat) => stat.pid));
  return matching.map((stat) =>
    pids.has(stat.ppid) ? stat : { ...stat, cpuSeconds: stat.cpuSeconds + stat.childCpuSeconds },
  );
}

/** A labelled group of processes to account for. */
export interface ProcessGroup {
  label: string;
  list: () => ProcStat[];
}

export interface GroupSample {
  label: string;
  cpuSeconds: number;
  rssBytes: number;
}

export function sampleGroups(groups: ProcessGroup[]): GroupSample[] {
  return groups.map((group) => {
    const list = group.list();
    return {
      label: group.label,
      cpuSeconds: list.reduce((sum, p) => sum + p.cpuSeconds, 0),
      rssBytes: list.reduce((sum, p) => sum + p.rssBytes, 0),
    };
  });
}

/** The groups of a wrangler dev instance: the wrangler node process, and the workerd processes below it. */
export function wranglerGroups(label: string, wranglerPid: number): ProcessGroup[] {
  return [
    { label: `${label} wrangler`, list: () => processTree(wranglerPid).filter((p) => p.pid === wranglerPid) },
    { label: `${label} workerd`, list: () => processTree(wranglerPid).filter((p) => p.name === "workerd") },
  ];
}

export const MiB = 1024 * 1024;
