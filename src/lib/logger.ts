/** Log levels, most verbose first. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Where log records go. */
export interface LogSink {
  write(record: LogRecord): void;
}

/** One log line. */
export interface LogRecord {
  readonly timeMs: number;
  readonly level: LogLevel;
  readonly component: string;
  readonly message: string;
  readonly fields: LogFields;
}

/** A component's logger. Cheap to create; children share sinks and level. */
export class Logger {
  readonly #sinks: readonly LogSink[];
  readonly #minRank: number;
  readonly component: string;

  constructor(options: { sinks: readonly LogSink[]; level: LogLevel; component?: string }) {
    this.#sinks = options.sinks;
    this.#minRank = LEVEL_RANK[options.level];
    this.component = options.component ?? 'chronos';
  }

  /** A logger for a sub-component (`raft`, `wal`, ...). */
  child(component: string): Logger {
    const level = (Object.keys(LEVEL_RANK) as LogLevel[]).find((l) => LEVEL_RANK[l] === this.#minRank) ?? 'info';
    return new Logger({ sinks: this.#sinks, level, component });
  }

  /** True when records at `level` are written (skip building expensive fields otherwise). */
  enabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= this.#minRank;
  }

  trace(message: string, fields: LogFields = {}): void {
    this.#log('trace', message, fields);
  }
  debug(message: string, fields: LogFields = {}): void {
    this.#log('debug', message, fields);
  }
  info(message: string, fields: LogFields = {}): void {
    this.#log('info', message, fields);
  }
  warn(message: string, fields: LogFields = {}): void {
    this.#log('warn', message, fields);
  }
  error(message: string, fields: LogFields = {}): void {
    this.#log('error', message, fields);
  }

  #log(level: LogLevel, message: string, fields: LogFields): void {
    if (LEVEL_RANK[level] < this.#minRank) return;
    const record: LogRecord = { timeMs: Date.now(), level, component: this.component, message, fields };
    for (const sink of this.#sinks) sink.write(record);
  }
}

/** Every level, most verbose first: what CHRONOS_LOG_LEVEL accepts. */
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * The level the guide's `RUST_LOG=chronos=info` form (or a bare `RUST_LOG=info`) gives, or
 * null. As in Rust, a directive naming chronos (or a module under it, `chronos::raft=debug`)
 * wins over a bare default level, and of several the most verbose is taken, since ChronosDB has
 * one level. Parts naming other targets or levels are skipped, not refused: RUST_LOG is shared
 * with every Rust program in the environment, and its other parts are theirs.
 */
export function logLevelFromRustLog(rustLog: string | undefined): LogLevel | null {
  if (rustLog === undefined) return null;
  let named: LogLevel | null = null;
  let bare: LogLevel | null = null;
  const moreVerbose = (a: LogLevel | null, b: LogLevel): LogLevel => (a === null || LEVEL_RANK[b] < LEVEL_RANK[a] ? b : a);
  for (const part of rustLog.split(',')) {
    const [target, level] = part.includes('=') ? part.split('=', 2).map((text) => text.trim()) : [undefined, part.trim()];
    const normalized = level?.toLowerCase();
    if (normalized === undefined || !Object.hasOwn(LEVEL_RANK, normalized)) continue;
    if (target === undefined) bare = normalized as LogLevel;
    else if (target === 'chronos' || target.startsWith('chronos::')) named = moreVerbose(named, normalized as LogLevel);
  }
  return named ?? bare;
}

/** Human-readable lines on a stream (stderr for servers). */
export class TextSink implements LogSink {
  readonly #stream: NodeJS.WritableStream;
  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }
  write(record: LogRecord): void {
    const fields = Object.entries(record.fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    const time = new Date(record.timeMs).toISOString();
    this.#stream.write(
      `${time} ${record.level.toUpperCase().padEnd(5)} ${record.component}: ${record.message}${fields ? ' ' + fields : ''}\n`,
    );
  }
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger = new Logger({ sinks: [], level: 'error' });
