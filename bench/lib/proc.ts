/** Readers of /proc (Linux): memory and CPU time of a process, and of the whole machine. */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc times (USER_HZ; 100 on Linux). */
const CLOCK_TICKS = 100;

/** VmRSS and VmHWM (peak) of a process, in MB; NaN when unreadable. */
export function readRss(pid: number): { rssMB: number; peakRssMB: number } {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssMB: NaN, peakRssMB: NaN };
  }
  const kB = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: kB('VmRSS') / 1024, peakRssMB: kB('VmHWM') / 1024 };
}

/**
 * The anonymous (heap, malloc) and file-backed (mapped files: the content store) parts of a
 * process's resident memory, RssAnon and RssFile, in bytes; NaN when unreadable.
 */
export function readRssParts(pid: number): { anonBytes: number; fileBytes: number } {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { anonBytes: NaN, fileBytes: NaN };
  }
  const bytes = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { anonBytes: bytes('RssAnon'), fileBytes: bytes('RssFile') };
}

/** CPU time (user + system) a process has used so far, in ms; NaN when unreadable. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, utime field 14, stime field 15 (1-based over the whole line).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** CPU time all processes of the machine have used so far (user, nice, system, irq, softirq, steal), in ms; NaN when unreadable. */
export function systemBusyMs(): number {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** The 1-minute load average: above ~1 other processes compete with the benchmark for the 2 cores. */
export function loadAverage(): number {
  return os.loadavg()[0]!;
}

/** The inotify watches a process holds: the `inotify wd:` lines of its /proc/<pid>/fdinfo files. */
export function inotifyWatches(pid: number): number {
  let watches = 0;
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      watches += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').match(/^inotify wd:/gm)?.length ?? 0;
    } catch {
      // Closed between the listing and the read.
    }
  }
  return watches;
}

/** A process and every process below it (children, their children, ...), from /proc/<pid>/task/<tid>/children; the pid alone when unreadable. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let at = 0; at < tree.length; at++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${tree[at]}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        for (const child of readFileSync(`/proc/${tree[at]}/task/${task}/children`, 'utf8').trim().split(/\s+/)) {
          if (child !== '') tree.push(Number(child));
        }
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  }
  return tree;
}

/**
 * Resident memory (Rss) and proportional memory (Pss: each page shared with other processes counted
 * as its share, so that summing Pss over processes counts a shared page once) of a process, from
 * /proc/<pid>/smaps_rollup, in MB; NaN when unreadable.
 */
export function readPss(pid: number): { rssMB: number; pssMB: number } {
  let rollup: string;
  try {
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return { rssMB: NaN, pssMB: NaN };
  }
  const kB = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
  return { rssMB: kB('Rss') / 1024, pssMB: kB('Pss') / 1024 };
}
