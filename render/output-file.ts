/** One file of a synthesized tree, relative to the tree's root. */
export interface OutputFile {
  /** POSIX path relative to the tree root, e.g. "monitoring/prometheus.yaml". */
  readonly path: string;
  readonly content: string;
  /** File mode. @default 0o644 (0o755 for *.sh) */
  readonly mode?: number;
}

/** The mode a file is written with: its own, else 0755 for shell scripts and 0644 for the rest. */
export function fileMode(file: OutputFile): number {
  return file.mode ?? (file.path.endsWith('.sh') ? 0o755 : 0o644);
}
